"""Adding and refreshing resources: find the video on a source, scrape its metadata, fetch its cover,
and write page, cover and metadata into the library (the metadata last: it marks the resource)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from nassav.config import Settings
from nassav.errors import Conflict, NotFound, UnknownSource, UpstreamError
from nassav.http import HttpClient
from nassav.library.files import Library, ResourceInfo, encode_info
from nassav.library.service import image_content_type
from nassav.sources.base import Hit
from nassav.sources.registry import SourceCatalog
from nassav.sources.scrapers import javbus

log = logging.getLogger(__name__)

MAX_COVER_BYTES = 10 * 1024 * 1024
ANY_SOURCE = "any"


class ResourceAdder:
    def __init__(self, settings: Settings, catalog: SourceCatalog, http: HttpClient, library: Library) -> None:
        self._scrapers = settings.scrapers
        self._catalog = catalog
        self._http = http
        self._library = library

    async def add(self, avid: str, source: str = ANY_SOURCE) -> dict[str, Any]:
        """Find and save a new resource; Conflict when it exists, NotFound when no source has it."""
        explicit = source.strip().lower() != ANY_SOURCE
        names = [self._catalog.resolve(source)] if explicit else list(self._catalog.enabled)
        async with self._library.writing(avid):  # concurrent adds of one AVID: one resource, never two halves
            existing = self._library.read_info(avid)
            if existing is not None:
                raise Conflict("资源已存在", data=self._summary(existing))
            hit = await self._first_hit(avid, names)
            return await self._save(hit, previous=None)

    async def refresh(self, avid: str) -> dict[str, Any]:
        """Re-fetch from the stored source (every enabled one if it names none we know); on failure
        the old files stay as they were."""
        async with self._library.writing(avid):
            previous = self._library.read_info(avid)
            if previous is None:
                raise NotFound(f"{avid} 的资源不存在，请先调用 /api/resource/new 添加资源")
            try:
                names = [self._catalog.resolve(previous.source)]
            except UnknownSource:
                names = list(self._catalog.enabled)
            try:
                hit = await self._first_hit(avid, names)
            except NotFound as exc:
                label = names[0] if len(names) == 1 else "任何源"
                log.warning("refresh of %s failed: %s", avid, (exc.data or {}).get("reasons"))
                raise UpstreamError(f"从 {label} 刷新 {avid} 失败") from None
            return await self._save(hit, previous=previous)

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

    async def _save(self, hit: Hit, previous: ResourceInfo | None) -> dict[str, Any]:
        metadata = await self._scrape(hit.avid)
        cover = await self._cover(hit, metadata)
        info = _merge(hit, metadata, previous)
        files = {"html": hit.page_html.encode("utf-8")}
        if cover is not None:
            files["jpg"] = cover
        files["json"] = encode_info(info)  # last: the metadata marks the resource as there
        await self._library.save(hit.avid, files)
        return self._summary(info, cover_downloaded=cover is not None)

    async def _scrape(self, avid: str) -> javbus.Metadata | None:
        try:
            return await javbus.scrape(self._http, self._scrapers, avid)
        except UpstreamError as exc:
            log.warning("%s: no metadata scraped (%s); saving what the source page has", avid, exc.message)
            return None

    async def _cover(self, hit: Hit, metadata: javbus.Metadata | None) -> bytes | None:
        """The scraper's large cover, else the source's; only bytes that really are an image."""
        candidates = []
        if metadata is not None and metadata.cover_url:
            candidates.append((metadata.cover_url, metadata.cover_referer))
        if hit.cover_url:
            candidates.append((hit.cover_url, hit.page_url))
        for url, referer in candidates:
            try:
                response = await self._http.get(url, referer=referer, max_bytes=MAX_COVER_BYTES)
            except UpstreamError as exc:
                log.warning("%s: cover %s not fetched: %s", hit.avid, url, exc.message)
                continue
            if image_content_type(response.content[:16]) is not None:
                return response.content
            log.warning("%s: cover %s is not an image; ignored", hit.avid, url)
        return None

    def _summary(self, info: ResourceInfo, *, cover_downloaded: bool | None = None) -> dict[str, Any]:
        on_disk = self._library.file_size(info.avid, "jpg") is not None
        return {
            "avid": info.avid,
            "title": info.title,
            "source": info.source,
            "cover_downloaded": on_disk if cover_downloaded is None else cover_downloaded,
            "html_saved": self._library.file_size(info.avid, "html") is not None,
            "metadata_saved": True,
            "scraped": bool(info.extra.get("scraped")),
        }


def _merge(hit: Hit, metadata: javbus.Metadata | None, previous: ResourceInfo | None) -> ResourceInfo:
    """The scraper's catalogue data first, then the source page's, then (on refresh) what was stored:
    a refresh whose scraping fails keeps the metadata it had."""
    meta = metadata or javbus.Metadata()
    old = previous or ResourceInfo(avid=hit.avid)
    extra = dict(old.extra)
    extra.update(
        scraped=metadata is not None or bool(extra.get("scraped")),
        page_url=hit.page_url,
        stream_headers=dict(hit.stream_headers),
        updated_at=int(time.time()),
    )
    extra.setdefault("added_at", extra["updated_at"])
    return ResourceInfo(
        avid=hit.avid,
        title=hit.title or meta.title or old.title,
        m3u8=hit.stream_url,
        source=hit.source,
        release_date=meta.release_date or hit.release_date or old.release_date,
        duration=meta.duration or hit.duration or old.duration,
        director=meta.director or old.director,
        studio=meta.studio or old.studio,
        label=meta.label or old.label,
        series=meta.series or old.series,
        genres=meta.genres or hit.genres or old.genres,
        actors=meta.actors or hit.actors or old.actors,
        extra=extra,
    )
