"""The library as the API uses it: add, refresh, delete, metadata, covers, the listing.

Every write of one AVID's folder, here and the supervisor's install of a finished download, goes
through the library (files.py) under its write lock for that AVID, so a delete is never undone by a
refresh, an add or a download that finishes after it. Results are typed; the web layer shapes them
into answers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from stat import S_ISREG
from typing import Any, TypeVar

from nassav.errors import Conflict, NotFound, UnknownSource, UpstreamError
from nassav.library import browse
from nassav.library.browse import Page
from nassav.library.caches import ByteBudgetCache
from nassav.library.files import Library, encode_info
from nassav.library.finder import Finder, Found
from nassav.library.images import HEAD_BYTES, Cover, image_content_type, picture_version
from nassav.library.index import Entry
from nassav.library.marks import NO_MARK, Mark, Marks
from nassav.library.model import METADATA_FIELDS, Metadata, ResourceInfo
from nassav.library.thumbnails import Thumbnails
from nassav.sources.registry import SourceCatalog

log = logging.getLogger(__name__)
T = TypeVar("T")

ANY_SOURCE = "any"
COVER_CACHE_BYTES = 32 * 1024 * 1024
MAX_CACHED_COVER_BYTES = 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class Saved:
    """A resource as an add or a refresh left it."""

    avid: str
    title: str
    source: str
    cover_downloaded: bool
    html_saved: bool
    metadata_saved: bool
    scraped: bool


@dataclass(frozen=True)
class Detail:
    info: ResourceInfo  # the same object while {AVID}.json is unchanged: a key for caches
    file_size: int | None  # of the video; None when there is none
    mark: Mark = NO_MARK


@dataclass(frozen=True)
class Item:
    """A resource as a browsed page shows it."""

    entry: Entry
    mark: Mark


@dataclass(frozen=True)
class Listing:
    version: int  # changes whenever the entries do: a key for caches
    entries: list[Entry]


@dataclass(frozen=True)
class Video:
    """A resource's video as it is on disk now."""

    path: str
    size: int
    mtime: float


@dataclass(frozen=True)
class DeletedResource:
    avid: str
    deleted_files: list[str]


@dataclass(frozen=True)
class DeletedVideo:
    avid: str
    deleted_file: str
    file_size: int


class LibraryService:
    def __init__(
        self,
        library: Library,
        finder: Finder,
        catalog: SourceCatalog,
        marks: Marks,
        cancel_download: Callable[[str], Awaitable[None]],
        thumbnails: Thumbnails,
    ) -> None:
        self._library = library
        self._thumbnails = thumbnails
        self._marks = marks
        self._finder = finder
        self._catalog = catalog
        self._cancel_download = cancel_download  # a live download of a resource stops before its files go
        self._covers = ByteBudgetCache(COVER_CACHE_BYTES)
        self._made_of_entries: dict[str, tuple[list[Entry], Any]] = {}

    # --- writes ------------------------------------------------------------------------------

    async def add(self, avid: str, source: str = ANY_SOURCE) -> Saved:
        """Find and save a new resource; Conflict when it exists, NotFound when no source has it."""
        explicit = source.strip().lower() != ANY_SOURCE
        names = [self._catalog.resolve(source)] if explicit else list(self._catalog.enabled)
        async with self._library.writing(avid):  # concurrent adds of one AVID: one resource, never two halves
            existing = self._library.read_info(avid)
            if existing is not None:
                raise Conflict("资源已存在", data=self._saved(existing))
            saved = await self._save(await self._finder.find(avid, names), previous=None)
            await self._marks.forget(avid)  # a new resource starts unmarked (an old folder may have gone by hand)
            return saved

    async def refresh(self, avid: str) -> Saved:
        """Re-fetch from the stored source (every enabled one if it names none we know); on failure
        the old files stay as they were."""
        async with self._library.writing(avid):
            previous = self._library.read_info(avid)
            if previous is None:
                raise NotFound(f"{avid} 的资源不存在，请先调用 /api/resource/new 添加资源")
            names = self._refresh_sources(previous)
            try:
                found = await self._finder.find(avid, names)
            except NotFound as exc:
                label = names[0] if len(names) == 1 else "任何源"
                log.warning("refresh of %s failed: %s", avid, (exc.data or {}).get("reasons"))
                raise UpstreamError(f"从 {label} 刷新 {avid} 失败") from None
            return await self._save(found, previous=previous)

    def _refresh_sources(self, previous: ResourceInfo) -> list[str]:
        try:
            return [self._catalog.resolve(previous.source)]
        except UnknownSource:
            return list(self._catalog.enabled)

    async def _save(self, found: Found, previous: ResourceInfo | None) -> Saved:
        info = merge(found, previous)
        files = {"html": found.hit.page_html.encode("utf-8")}
        if found.cover is not None:
            files["jpg"] = found.cover
        files["json"] = encode_info(info)  # last: the metadata marks the resource as there
        await self._library.save(info.avid, files)
        return self._saved(info, cover_downloaded=found.cover is not None)

    def _saved(self, info: ResourceInfo, *, cover_downloaded: bool | None = None) -> Saved:
        on_disk = self._library.file_size(info.avid, "jpg") is not None
        return Saved(
            avid=info.avid,
            title=info.title,
            source=info.source,
            cover_downloaded=on_disk if cover_downloaded is None else cover_downloaded,
            html_saved=self._library.file_size(info.avid, "html") is not None,
            metadata_saved=True,
            scraped=info.scraped,
        )

    async def delete(self, avid: str) -> DeletedResource:
        await self._cancel_download(avid)
        try:
            return DeletedResource(avid, await self._library.delete_resource(avid))
        finally:  # what goes with the resource goes, also when its folder was already gone
            await self._thumbnails.forget(avid)
            await self._marks.forget(avid)

    async def mark(self, avid: str, *, watched: bool | None, is_favorite: bool | None) -> Mark:
        """Note that a resource was watched, or is a favourite; NotFound when there is no such resource.
        Under the resource's write lock: a delete running meanwhile is not followed by a mark of it."""
        async with self._library.writing(avid):
            if self._library.read_info(avid) is None:
                raise NotFound(f"资源 {avid} 不存在")
            return await self._marks.note(avid, watched=watched, is_favorite=is_favorite)

    async def delete_video(self, avid: str) -> DeletedVideo:
        await self._cancel_download(avid)
        return DeletedVideo(avid, f"{avid}.mp4", await self._library.delete_video(avid))

    # --- reads -------------------------------------------------------------------------------

    def listing(self) -> Listing:
        entries = self._library.entries()
        return Listing(self._library.version, entries)

    def browse_version(self) -> tuple[int, int]:
        """Changes whenever a browsed page may: a key for caches of them."""
        self._library.entries()  # brings the index up to date
        return self._library.version, self._marks.version

    def browse(self, query: browse.Query) -> Page[Item]:
        entries = self._library.entries()
        texts = self._derived(entries, "search", browse.SearchTexts) if query.search else None
        found = browse.resources(entries, self._marks.of, query, texts)
        items = [Item(entry, self._marks.of(entry.avid)) for entry in found.items]
        return Page(items, found.total, found.page, found.page_size)

    def tags(self, kind: browse.TagKind, query: browse.TagQuery) -> Page[browse.Tag]:
        entries = self._library.entries()
        counted = self._derived(entries, kind, lambda found: browse.count_tags(found, kind))
        return browse.tags(counted, query)

    def _derived(self, entries: list[Entry], name: str, make: Callable[[list[Entry]], T]) -> T:
        """What is worked out of all the entries (the search texts, the tag counts), made again only
        when they change: the index gives a new list then."""
        kept = self._made_of_entries.get(name)
        if kept is None or kept[0] is not entries:
            kept = (entries, make(entries))
            self._made_of_entries[name] = kept
        return kept[1]  # type: ignore[no-any-return]

    def videos(self) -> list[str]:
        return self._library.video_avids()

    def detail(self, avid: str) -> Detail:
        info = self._library.read_info(avid)
        if info is None:
            raise NotFound(f"资源 {avid} 的元数据不存在")
        return Detail(info, self._library.video_size(avid), self._marks.of(avid))

    async def cover(self, avid: str, size: str | None = None) -> Cover:
        """The cover as stored, with its real content type, or its ``size`` thumbnail (thumbnails.SIZES);
        NotFound when absent or not an image, UnreadableImage when no thumbnail can be made of it.

        A library page asks for dozens of covers at once: recent ones are served from memory while
        their file is unchanged (same inode, mtime and size); others are read off the event loop."""
        path = self._library.file_path(avid, "jpg")
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            raise NotFound(f"封面 {avid} 不存在") from None
        if size is not None:
            return await self._thumbnails.of(avid, size, path, stat)
        key = (avid, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cover = self._covers.get(key)
        if cover is None:
            cover = await asyncio.to_thread(_read_cover, avid, path, stat)
            self._covers.put(key, cover, len(cover.body) if stat.st_size <= MAX_CACHED_COVER_BYTES else 0)
        return cover

    def video(self, avid: str) -> Video:
        """The video file, NotFound when there is none. A link is followed: a folder or a video may be
        linked in from another disk by the library's owner (only they can place one; the path itself is
        made of a validated AVID, so a client cannot point it anywhere)."""
        path = self._library.file_path(avid, "mp4")
        try:
            stat = os.stat(path)
        except OSError:  # missing, a dangling link, a lost share
            raise NotFound(f"视频 {avid} 不存在") from None
        if not S_ISREG(stat.st_mode) or stat.st_size == 0:
            raise NotFound(f"视频 {avid} 不存在")
        return Video(path, stat.st_size, stat.st_mtime)


def _read_cover(avid: str, path: str, stat: os.stat_result) -> Cover:
    try:
        with open(path, "rb") as fh:
            body = fh.read()
    except (FileNotFoundError, IsADirectoryError):
        raise NotFound(f"封面 {avid} 不存在") from None
    content_type = image_content_type(body[:HEAD_BYTES])
    if content_type is None:  # an empty file or an HTML error page saved by an older version
        log.warning("cover %s is not an image; not serving it", path)
        raise NotFound(f"封面 {avid} 不存在")
    etag = f"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{stat.st_size:x}"
    return Cover(body, content_type, stat.st_mtime, etag, picture_version(stat.st_ino, stat.st_mtime_ns, stat.st_size))


def merge(found: Found, previous: ResourceInfo | None) -> ResourceInfo:
    """The mirror's catalogue data first, then the source page's, then (on refresh) what was stored:
    a refresh whose scraping fails keeps the metadata it had. The title is the source page's (as the
    site names the video) when it has one; the stream is always the new one."""
    hit = found.hit
    old = previous or ResourceInfo(avid=hit.avid)
    facts = (found.scraped or Metadata()).or_else(hit, old)
    known = {name: getattr(facts, name) for name in METADATA_FIELDS}
    known["title"] = hit.title or facts.title
    now = int(time.time())
    return ResourceInfo(
        **known,
        avid=hit.avid,
        m3u8=hit.stream_url,
        source=hit.source,
        scraped=found.scraped is not None or old.scraped,
        page_url=hit.page_url,
        stream_headers=dict(hit.stream_headers),
        added_at=old.added_at or now,
        updated_at=now,
        extra=old.extra,
    )
