"""Hohoj: a search finds the video's id; the video page has title and cover; its embed page, fetched
with the video page as Referer (the site refuses it otherwise), names the stream (``var videoSrc``)."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from nassav.errors import NotOnSource
from nassav.sources.base import Hit, Page, Source, avid_in, strip_avid

_VIDEO_ID = re.compile(r"[?&]id=(\d+)")
_VIDEO_SRC = re.compile(r"""\bvideoSrc\s*=\s*['"](?P<url>[^'"]+?\.m3u8[^'"]*)['"]""")
_SITE_SUFFIX = re.compile(r"\s*[-_|｜]\s*hohoj\b.*$", re.I)


class HohojSource(Source):
    NAME = "Hohoj"

    async def find(self, avid: str) -> Hit:
        results = await self.fetch(f"/search?{urlencode({'text': avid})}")
        found = pick_result(results, avid)
        if found is None:
            raise NotOnSource(f"{self.NAME}: no search result names {avid}")
        video_id, card_cover = found
        video = await self.fetch(results.absolute(f"/video?id={video_id}"))
        embed = await self.fetch(self._embed_link(video, video_id), referer=video.url)
        stream = self._stream(embed)
        return self.hit(
            avid,
            video,
            title=self._title(video, avid),
            stream_url=stream,
            cover_url=video.meta_url("og:image") or card_cover,
            stream_headers={"Referer": player_referer(embed.url, stream)},
        )

    def _embed_link(self, video: Page, video_id: str) -> str:
        """The video page's player iframe, else the embed page SOURCES.md names."""
        frames = [src for src in video.texts("//iframe/@src") if "embed" in src and video_id in src]
        return video.absolute(frames[0] if frames else f"/embed?id={video_id}")

    def _stream(self, embed: Page) -> str:
        """``var videoSrc = "..."``, else the ``<video>`` element's own m3u8 source."""
        match = _VIDEO_SRC.search(embed.text)
        found = [match.group("url").replace("\\/", "/")] if match else []
        found += [src for src in embed.texts("//video/@src | //video/source/@src") if ".m3u8" in src]
        if not found:
            return self.missing("the stream URL (var videoSrc in the embed page)")
        return embed.absolute(found[0])

    def _title(self, video: Page, avid: str) -> str:
        headings = video.texts('//h1 | //h5[contains(concat(" ", @class, " "), " mt-3 ")]')
        candidates = [video.meta("og:title"), *headings, video.title()]
        for candidate in candidates:
            title = _SITE_SUFFIX.sub("", candidate or "").strip()
            if title:
                return strip_avid(title, avid)
        return self.missing("the title")


def pick_result(results: Page, avid: str) -> tuple[str, str] | None:
    """(video id, thumbnail URL) of the first search result that names ``avid``; None when none does.

    The site's search is fuzzy and sorted by popularity: for STARS-001 it may list 020624-001 and
    IKUNA-001 first, or only those, so the first result alone is not trusted.
    """
    links = _result_links(results, "video?id=")
    for link, label, _ in links:
        match = _VIDEO_ID.search(link)
        if match and avid_in(label, avid):
            thumbs = [thumb for other, _, found in links if other == link for thumb in found]
            return match.group(1), results.absolute(thumbs[0]) if thumbs else ""
    return None


def player_referer(document_url: str, stream_url: str) -> str:
    """The Referer the site's own player sends for the stream.

    The document that loads the stream is the embed page (the player runs in that iframe, not in the
    video page), so it is the referrer. Under a browser's default policy (strict-origin-when-cross-
    origin) it is sent in full only to its own origin; a CDN elsewhere gets just its origin, i.e. the
    site root. A hotlink check on the CDN must accept what browsers send, so this is the safe choice.
    """
    document, stream = urlsplit(document_url), urlsplit(stream_url)
    if (document.scheme, document.netloc) == (stream.scheme, stream.netloc):
        return document._replace(fragment="").geturl()
    return f"{document.scheme}://{document.netloc}/"


def _result_links(page: Page, contains: str) -> list[tuple[str, str, list[str]]]:
    """(link, label, thumbnails) of each ``<a href>`` containing ``contains``, in page order. The label
    is the link's own text, title and alt values, never the text around it (which may echo the query)."""
    found = []
    for anchor in page.doc.xpath("//a[@href]"):
        if contains in anchor.get("href"):
            label = " ".join([anchor.text_content(), *anchor.xpath("descendant-or-self::*/@title | .//img/@alt")])
            thumbs = anchor.xpath(".//img/@data-src | .//img/@src")
            found.append((page.absolute(anchor.get("href")), label, [str(thumb) for thumb in thumbs]))
    return found
