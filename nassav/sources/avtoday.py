"""Avtoday: the page is /video/{AVID} (else the first /video/ search result naming the AVID) and an
inline script names the stream (``var m3u8_url = '...'``) and the cover (``var cover = '/pic/...'``)."""

from __future__ import annotations

import re
from urllib.parse import quote

from nassav.errors import NotOnSource
from nassav.sources.base import Hit, Page, Source, strip_avid

_M3U8_URL = re.compile(r"""\bm3u8_url\s*=\s*['"](?P<url>[^'"]+?\.m3u8[^'"]*)['"]""")
_COVER = re.compile(r"""\bvar\s+cover\s*=\s*['"](?P<url>[^'"]+)['"]""")
# <span>标题:</span> SSIS-469 ...   (the value may sit inside further tags: <h1>, <a>, <strong>)
_TITLE_LABEL = re.compile(r"<span[^>]*>\s*标题\s*[:：]?\s*</span>\s*(?:<(?!/)[^>]+>\s*)*(?P<title>[^<]+)")
_SITE_SUFFIX = re.compile(r"\s*[-|｜_]\s*AV\s*today\b.*$", re.I)


class AvtodaySource(Source):
    NAME = "Avtoday"
    BASE_URLS = ("https://avtoday.io",)

    async def find(self, avid: str) -> Hit:
        page = await self._video_page(avid)
        stream = self.search(_M3U8_URL, page.text, "the stream URL (var m3u8_url)", group="url")
        cover = self.search(_COVER, page.text, "the cover (var cover)", group="url", default="")
        return self.hit(
            avid,
            page,
            title=self._title(page, avid),
            stream_url=page.absolute(stream),
            cover_url=page.absolute(cover) if cover else page.meta_url("og:image"),
        )

    async def _video_page(self, avid: str) -> Page:
        """/video/{AVID}; when that is a 404, the first /video/ link of the search that names the AVID."""
        try:
            return await self.fetch(f"/video/{quote(avid)}")
        except NotOnSource:
            pass
        results = await self.fetch(f"/search?keyword={quote(avid.lower())}")
        link = results.link_naming(avid, "/video/")
        if link is None:
            raise NotOnSource(f"{self.NAME}: {avid} is not at /video/{avid} and the search finds no video of it")
        return await self.fetch(link.url, referer=results.url)

    def _title(self, page: Page, avid: str) -> str:
        title = self.search(_TITLE_LABEL, page.text, "the title (标题)", group="title", default="")
        title = title or page.meta("og:title") or _SITE_SUFFIX.sub("", page.title() or "")
        return strip_avid(title or self.missing("the title"), avid)
