"""The library as the API sees it: summaries, metadata, covers, deletes."""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from nassav.errors import NotFound
from nassav.handlers.envelope import envelope_body
from nassav.library.files import Library, ResourceInfo
from nassav.library.index import Entry

log = logging.getLogger(__name__)

# Magic bytes of the image formats a cover may really be, whatever its file name says.
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_content_type(head: bytes) -> str | None:
    """The MIME type of an image from its first bytes, or None when it is not a known image."""
    for magic, content_type in _IMAGE_MAGIC:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


COVER_CACHE_BYTES = 32 * 1024 * 1024
METADATA_CACHE_BYTES = 4 * 1024 * 1024
MAX_CACHED_COVER_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Cover:
    body: bytes
    content_type: str
    mtime: float


class ByteBudgetCache:
    """A least-recently-used cache bounded by the bytes it holds."""

    def __init__(self, budget_bytes: int) -> None:
        self._budget = budget_bytes
        self._used = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if not size or size > self._budget:
            return  # too large to keep: served, not cached
        replaced = self._items.pop(key, None)
        if replaced is not None:
            self._used -= replaced[1]
        self._items[key] = (value, size)
        self._used += size
        while self._used > self._budget:
            _, (_, dropped) = self._items.popitem(last=False)
            self._used -= dropped


class Resources:
    def __init__(self, library: Library, cancel_download: Callable[[str], Awaitable[None]]) -> None:
        self._library = library
        self._cancel_download = cancel_download  # a live download of a resource stops before its files go
        self._covers = ByteBudgetCache(COVER_CACHE_BYTES)
        self._listing: tuple[int, bytes] | None = None
        self._metadata = ByteBudgetCache(METADATA_CACHE_BYTES)

    def summaries(self, entries: list[Entry] | None = None) -> list[dict[str, Any]]:
        return [
            {
                "avid": entry.avid,
                "title": entry.title,
                "source": entry.source,
                "release_date": entry.release_date,
                "has_video": entry.has_video,
            }
            for entry in (self._library.entries() if entries is None else entries)
        ]

    def metadata_body(self, avid: str) -> bytes:
        """The whole answer of the metadata endpoint; serialized again only when the metadata (a new
        object from the library's cache) or the video's size changed."""
        info = self._library.require_info(avid)
        size = self._library.video_size(avid)
        cached = self._metadata.get(avid)
        if cached is None or cached[0] is not info or cached[1] != size:
            cached = (info, size, envelope_body(200, "success", self._metadata_of(info, size)))
            self._metadata.put(avid, cached, len(cached[2]))
        return cached[2]

    def _metadata_of(self, info: ResourceInfo, size: int | None) -> dict[str, Any]:
        return {
            "avid": info.avid,
            "title": info.title,
            "m3u8": info.m3u8,
            "source": info.source,
            "release_date": info.release_date,
            "duration": info.duration,
            "director": info.director,
            "studio": info.studio,
            "label": info.label,
            "series": info.series,
            "actors": list(info.actors),
            "genres": list(info.genres),
            "file_size": size,
            "file_exists": size is not None,
        }

    def cover(self, avid: str) -> Cover:
        """The cover's bytes and real content type; NotFound when absent or not an image.

        Covers are small and a library page asks for dozens at once: recent ones are served from
        memory while their file is unchanged (same inode, mtime and size)."""
        path = self._library.cover_path(avid)
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            raise NotFound(f"封面 {avid} 不存在") from None
        key = (avid, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cover = self._covers.get(key)
        if cover is None:
            cover = self._read_cover(avid, path, stat.st_mtime)
            self._covers.put(key, cover, len(cover.body) if stat.st_size <= MAX_CACHED_COVER_BYTES else 0)
        return cover

    def _read_cover(self, avid: str, path: str, mtime: float) -> Cover:
        try:
            with open(path, "rb") as fh:
                body = fh.read()
        except (FileNotFoundError, IsADirectoryError):
            raise NotFound(f"封面 {avid} 不存在") from None
        content_type = image_content_type(body[:16])
        if content_type is None:  # an empty file or an HTML error page saved by an older version
            log.warning("cover %s is not an image; not serving it", path)
            raise NotFound(f"封面 {avid} 不存在")
        return Cover(body, content_type, mtime)

    def summaries_body(self) -> bytes:
        """The whole answer of the listing, serialized once per change of the library."""
        entries = self._library.entries()
        if self._listing is None or self._listing[0] != self._library.version:
            self._listing = (self._library.version, envelope_body(200, "success", self.summaries(entries)))
        return self._listing[1]

    async def delete(self, avid: str) -> dict[str, Any]:
        await self._cancel_download(avid)
        return {"avid": avid, "deleted_files": await self._library.delete_resource(avid)}

    def videos(self) -> list[str]:
        return self._library.video_avids()

    async def delete_video(self, avid: str) -> dict[str, Any]:
        await self._cancel_download(avid)
        size = await self._library.delete_video(avid)
        return {"avid": avid, "deleted_file": f"{avid}.mp4", "file_size": size}
