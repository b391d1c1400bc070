"""Jable: the page is /videos/{avid}/ and an inline script names the stream (``var hlsUrl = '...'``)."""

from __future__ import annotations

import re

from nassav.sources.base import Hit, Page, Source, strip_avid

_HLS_URL = re.compile(r"""\bhlsUrl\s*=\s*['"](?P<url>[^'"]+?\.m3u8[^'"]*)['"]""")
_SITE_SUFFIX = re.compile(r"\s+-\s+Jable\.TV.*$", re.I)


class JableSource(Source):
    NAME = "Jable"
    BASE_URLS = ("https://jable.tv",)

    async def find(self, avid: str) -> Hit:
        page = await self.fetch(f"/videos/{avid.lower()}/")
        stream = self.search(_HLS_URL, page.text, "the stream URL (var hlsUrl)", group="url")
        return self.hit(
            avid,
            page,
            title=self._title(page, avid),
            stream_url=page.absolute(stream),
            cover_url=page.meta_url("og:image"),
        )

    def _title(self, page: Page, avid: str) -> str:
        title = _SITE_SUFFIX.sub("", page.title() or "")
        if not title:
            headings = page.texts('//h4[contains(concat(" ", @class, " "), " title ")]')
            title = headings[0] if headings else self.missing("the title")
        return strip_avid(title, avid)
