"""Kissav: nothing site-specific is known, so the page is looked for at a few usual paths and the stream
is found generically, most specific first: the ``<video>`` element, a player config in a script, the
player page of one ``<iframe>``, and only then a bare ``.m3u8`` string in a script (ads skipped)."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from nassav.errors import Blocked, NotOnSource, UpstreamError
from nassav.sources.base import Hit, Page, Source, avid_in, strip_avid

log = logging.getLogger(__name__)

_PATHS = ("/video/{slug}", "/{slug}", "/play/{slug}")
_M3U8 = r"""[^"'\s<>]+?\.m3u8(?:\?[^"'\s<>]*)?"""
_PLAYER_CONFIG = re.compile(rf"""\b(?:file|source|hlsUrl|videoSrc)["']?\s*[:=]\s*["'](?P<url>{_M3U8})["']""")
_BARE_M3U8 = re.compile(rf"""["'](?P<url>{_M3U8})["']""")
_SITE_SUFFIX = re.compile(r"\s+[-|–—]\s+[^-|–—]+$")
_MAX_FRAMES = 3

# Pages carry ad, preview and thumbnail playlists (and ad iframes) besides the video. A candidate URL
# whose host or path has one of these words as a whole token (split at anything not a letter or digit)
# is never taken for the stream, nor fetched as the player frame.
AD_WORDS = frozenset(
    {"ad", "ads", "adserver", "exoclick", "trafficjunky", "juicyads", "popads", "doubleclick", "vast",
     "preroll", "preview", "previews", "thumb", "thumbs", "thumbnail", "sprite", "trailer", "teaser"}
)  # fmt: skip


class KissavSource(Source):
    NAME = "Kissav"
    BASE_URLS = ("https://f15.bzraizy.cc",)

    async def find(self, avid: str) -> Hit:
        page = await self._video_page(avid)
        stream, referer = direct_stream(page), self.base_url + "/"
        if stream is None:
            stream, referer = await self._framed_stream(page) or (bare_stream(page), referer)
        if stream is None:
            stream = self.missing("the stream URL (no <video> source, player config, iframe player or m3u8 string)")
        return self.hit(
            avid,
            page,
            title=self._title(page, avid),
            stream_url=stream,
            cover_url=page_cover(page),
            stream_headers={"Referer": referer},
        )

    async def _video_page(self, avid: str) -> Page:
        """The first usual path whose page names the AVID (unknown paths redirect to the home page)."""
        misses = []
        for path in _PATHS:
            try:
                page = await self.fetch(path.format(slug=avid.lower()))
            except NotOnSource as exc:
                misses.append(exc.message)
                continue
            if names_avid(page, avid):
                return page
            misses.append(f"{page.url} does not name {avid}")
        raise NotOnSource(f"{self.NAME}: no page for {avid} ({'; '.join(misses)})")

    async def _framed_stream(self, page: Page) -> tuple[str, str] | None:
        """One level of iframe: (stream, the frame's URL as its Referer) from the first frame that has one."""
        for link in frame_links(page)[:_MAX_FRAMES]:
            try:
                frame = await self._frame(link, referer=page.url)
            except Blocked:
                raise  # a challenge is the user's to solve (cookie or proxy), not an absent stream
            except UpstreamError as exc:  # an unreachable frame (an ad the deny-list missed) is no verdict
                log.warning("%s: frame %s not fetched: %s", self.NAME, link, exc.message)
                continue
            stream = direct_stream(frame) or bare_stream(frame)
            if stream is not None:
                return stream, frame.url
        return None

    async def _frame(self, link: str, *, referer: str) -> Page:
        if self.owns(link):
            return await self.fetch(link, referer=referer)
        response = await self.http.get(link, referer=referer)  # another host: this site's cookie stays home
        return Page(response.url, response.text)

    def _title(self, page: Page, avid: str) -> str:
        title = page.meta("og:title") or _SITE_SUFFIX.sub("", page.title() or "")
        return strip_avid(title, avid) if title else self.missing("the title")


def names_avid(page: Page, avid: str) -> bool:
    """The guard: the page's title names the AVID, or the page is still at our path and its text does."""
    if avid_in(f"{page.meta('og:title') or ''} {page.title() or ''}", avid):
        return True
    return avid_in(urlsplit(page.url).path, avid) and avid_in(page.text, avid)


def direct_stream(page: Page) -> str | None:
    """Steps 1-2: a ``<video>`` source (an m3u8 one first), else a player config in a script."""
    # libxml2 does not know <source> is void: a second one nests inside the first, hence //source.
    sources = page.doc.xpath("//video//source/@src | //video/@src")
    ordered = sorted(sources, key=lambda src: ".m3u8" not in src)
    configs = [match.group("url") for script in _scripts(page) for match in _PLAYER_CONFIG.finditer(script)]
    return _first_usable(page, [*ordered, *configs])


def bare_stream(page: Page) -> str | None:
    """Step 4, the last resort: the first quoted ``.m3u8`` string in a script that is no ad or preview."""
    return _first_usable(page, [m.group("url") for script in _scripts(page) for m in _BARE_M3U8.finditer(script)])


def frame_links(page: Page) -> list[str]:
    """Absolute http(s) ``<iframe>`` sources (lazy ``data-src`` too), ad frames left out."""
    links = [page.absolute(src) for src in page.doc.xpath("//iframe/@src | //iframe/@data-src")]
    return [link for link in links if _usable(link)]


def page_cover(page: Page) -> str:
    posters = page.doc.xpath("//video/@poster")
    return page.meta_url("og:image") or (page.absolute(posters[0]) if posters else "")


def is_ad(url: str) -> bool:
    parts = urlsplit(url.lower())
    return not AD_WORDS.isdisjoint(re.split(r"[^a-z0-9]+", f"{parts.netloc} {parts.path}"))


def _scripts(page: Page) -> list[str]:
    return [str(script.text_content()) for script in page.doc.xpath("//script[not(@src)]")]


def _usable(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") and not is_ad(url)


def _first_usable(page: Page, candidates: list[str]) -> str | None:
    """The first candidate that, made absolute (JSON's ``\\/`` undone), is an http(s) URL and no ad."""
    resolved = (page.absolute(candidate.replace("\\/", "/")) for candidate in candidates)
    return next((url for url in resolved if _usable(url)), None)
