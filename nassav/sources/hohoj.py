"""Hohoj: a search finds the video's id; the video page has title and cover; its embed page, fetched
with the video page as Referer (the site refuses it otherwise), names the stream (``var videoSrc``)."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from nassav.errors import NotOnSource
from nassav.sources.base import Hit, Page, Source, strip_avid

_VIDEO_ID = re.compile(r"[?&]id=(\d+)")
_VIDEO_SRC = re.compile(r"""\bvideoSrc\s*=\s*['"](?P<url>[^'"]+?\.m3u8[^'"]*)['"]""")
_SITE_SUFFIX = re.compile(r"\s*[-_|｜]\s*hohoj\b.*$", re.I)


class HohojSource(Source):
    NAME = "Hohoj"
    BASE_URLS = ("https://hohoj.tv",)

    async def find(self, avid: str) -> Hit:
        results = await self.fetch(f"/search?{urlencode({'text': avid})}")
        found = results.link_naming(avid, "video?id=")
        video_id = _VIDEO_ID.search(found.url) if found else None
        if found is None or video_id is None:
            raise NotOnSource(f"{self.NAME}: no search result names {avid}")
        video = await self.fetch(f"/video?id={video_id.group(1)}")  # a path of the site, not a link read
        embed = await self.fetch(self._embed_link(video, video_id.group(1)), referer=video.url)
        stream = self._stream(embed)
        return self.hit(
            avid,
            video,
            title=self._title(video, avid),
            stream_url=stream,
            cover_url=video.meta_url("og:image") or found.thumbnail,
            stream_headers={"Referer": player_referer(embed.url, stream)},
        )

    def _embed_link(self, video: Page, video_id: str) -> str:
        """The video page's player iframe, else the embed page SOURCES.md names."""
        frames = [src for src in video.texts("//iframe/@src") if "embed" in src and video_id in src]
        return video.absolute(frames[0]) if frames else self.url(f"/embed?id={video_id}")

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
