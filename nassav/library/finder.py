"""Finding a resource out there: the video on a source, the full metadata on a mirror, the cover.

Only network work happens here; nothing is written. The service (service.py) decides what of it is
kept, under the resource's write lock.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from nassav.config import ScraperSettings
from nassav.errors import NotFound, UpstreamError
from nassav.http import HttpClient
from nassav.library.images import HEAD_BYTES, image_content_type
from nassav.library.model import Metadata
from nassav.sources.base import Hit
from nassav.sources.registry import SourceCatalog
from nassav.sources.scrapers import javbus

log = logging.getLogger(__name__)

MAX_COVER_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class Found:
    hit: Hit
    scraped: Metadata | None  # None: no mirror answered
    cover: bytes | None  # checked to be an image


class Finder:
    def __init__(self, catalog: SourceCatalog, http: HttpClient, scrapers: Sequence[ScraperSettings]) -> None:
        self._catalog = catalog
        self._http = http
        self._scrapers = scrapers

    async def find(self, avid: str, sources: Sequence[str]) -> Found:
        """The first of ``sources`` (canonical names, in order) that has ``avid``, with the mirrors'
        metadata and the cover; NotFound with each source's reason when none has it."""
        hit = await self._first_hit(avid, sources)
        scraped = await self._scrape(avid)
        cover = await self._cover(hit, scraped)
        return Found(hit=hit, scraped=None if scraped is None else scraped.metadata, cover=cover)

    async def _first_hit(self, avid: str, names: Sequence[str]) -> Hit:
        reasons: dict[str, str] = {}
        for name in names:
            try:
                hit = await self._catalog.create(name, self._http).find(avid)
            except UpstreamError as exc:
                log.info("%s not found on %s: %s", avid, name, exc.message)
                reasons[name] = exc.message
                continue
            log.info("%s found on %s", avid, name)
            return hit
        raise NotFound(f"无法从任何源获取 {avid} 的信息", data={"reasons": reasons})

    async def _scrape(self, avid: str) -> javbus.Scraped | None:
        try:
            return await javbus.scrape(self._http, self._scrapers, avid)
        except UpstreamError as exc:
            log.warning("%s: no metadata scraped (%s); saving what the source page has", avid, exc.message)
            return None

    async def _cover(self, hit: Hit, scraped: javbus.Scraped | None) -> bytes | None:
        """The mirror's large cover, else the source's; only bytes that really are an image."""
        candidates = []
        if scraped is not None and scraped.cover_url:
            candidates.append((scraped.cover_url, scraped.page_url))
        if hit.cover_url:
            candidates.append((hit.cover_url, hit.page_url))
        for url, referer in candidates:
            try:
                response = await self._http.get(url, referer=referer, max_bytes=MAX_COVER_BYTES)
            except UpstreamError as exc:
                log.warning("%s: cover %s not fetched: %s", hit.avid, url, exc.message)
                continue
            if image_content_type(response.content[:HEAD_BYTES]) is not None:
                return response.content
            log.warning("%s: cover %s is not an image; ignored", hit.avid, url)
        return None
