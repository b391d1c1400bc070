"""Memo: the page /video/{AVID} gives title and cover; the stream follows the CDN's convention.

The stream needs no scraping: ``{cdn_url}/stream/{AVID}/master.m3u8`` (the CDN base is configuration).
The page is still fetched first: it says whether the site has the video (404 means it does not), and
it carries the title (``og:title``, else ``<h1 id="title">``). A page that names nothing but the AVID
is not a video page we know (a redesign), so that is a clear "unable to extract the title".

Choice of variant: when the page's player says it is served the older way (it calls
``/hls/get_video_info.php``), the URL that endpoint returns (JSON, ``"url"`` percent-encoded, possibly
behind a ``for (;;);`` guard) is preferred, as it is what the site itself plays. Should the endpoint
have nothing usable, the CDN convention is used, with a warning.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote, urlencode

from nassav.errors import NotOnSource
from nassav.sources.base import Hit, Page, Source, percent_decoded, strip_avid

log = logging.getLogger(__name__)

_OLD_PLAYER = "get_video_info.php"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class MemoSource(Source):
    NAME = "Memo"
    BASE_URLS = ("https://memojav.com",)
    CDN_URL = "https://video10.memojav.net"

    async def find(self, avid: str) -> Hit:
        page = await self.fetch(f"/video/{quote(avid)}")
        title = self._title(page, avid)
        stream = await self._old_variant_stream(page, avid) if _OLD_PLAYER in page.text else None
        return self.hit(
            avid,
            page,
            title=title,
            stream_url=stream or self.cdn(f"stream/{quote(avid)}/master.m3u8"),
            cover_url=page.meta_url("og:image"),
            release_date=_release_date(page),
        )

    def _title(self, page: Page, avid: str) -> str:
        for candidate in (page.meta("og:title"), *page.texts('//h1[@id="title"]')):
            title = strip_avid(candidate or "", avid)
            if title and title.upper() != avid.upper():
                return title
        return self.missing("the title (og:title, h1#title)")

    async def _old_variant_stream(self, page: Page, avid: str) -> str | None:
        """The URL the older player endpoint gives; None (with a warning) when it gives none."""
        try:
            answer = await self.fetch(f"/hls/get_video_info.php?{urlencode({'id': avid})}", referer=page.url)
        except NotOnSource as exc:
            log.warning("%s: %s; using the CDN convention", self.NAME, exc.message)
            return None
        url = json_url(answer.text)
        return answer.absolute(url) if url else self.missing("the stream URL (get_video_info.php)", fatal=False)


def json_url(text: str) -> str | None:
    """The percent-decoded ``"url"`` of a get_video_info.php answer (a ``for (;;);`` guard allowed)."""
    start = text.find("{")
    try:
        data = json.JSONDecoder().raw_decode(text, start)[0] if start >= 0 else None
    except ValueError:
        return None
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url.strip():
        return None
    return percent_decoded(url.strip())


def _release_date(page: Page) -> str:
    """The ``Release:`` row of the details table, when there is one."""
    cells = page.texts('//tr[normalize-space(th)="Release:"]/td')
    match = _DATE.search(cells[0]) if cells else None
    return match.group(0) if match else ""
