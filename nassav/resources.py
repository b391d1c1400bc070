"""The library as the API sees it: summaries, metadata, covers, deletes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from nassav.errors import NotFound
from nassav.library import Library

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


class Resources:
    def __init__(self, library: Library, cancel_download: Callable[[str], Awaitable[None]]) -> None:
        self._library = library
        self._cancel_download = cancel_download  # a live download of a resource stops before its files go

    def summaries(self) -> list[dict[str, Any]]:
        return [
            {
                "avid": entry.avid,
                "title": entry.title,
                "source": entry.source,
                "release_date": entry.release_date,
                "has_video": entry.has_video,
            }
            for entry in self._library.entries()
        ]

    def metadata(self, avid: str) -> dict[str, Any]:
        info = self._library.require_info(avid)
        size = self._library.video_size(avid)
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

    def cover(self, avid: str) -> tuple[Path, str]:
        """The cover's path and its real content type; NotFound when absent or not an image."""
        path = self._library.cover_file(avid)
        content_type = None
        if path is not None:
            try:
                with path.open("rb") as fh:
                    content_type = image_content_type(fh.read(16))
            except FileNotFoundError:  # deleted between the lookup and the read
                path = None
        if path is not None and content_type is None:
            log.warning("cover %s is not an image; not serving it", path)
        if path is None or content_type is None:
            raise NotFound(f"封面 {avid} 不存在")
        return path, content_type

    async def delete(self, avid: str) -> dict[str, Any]:
        await self._cancel_download(avid)
        return {"avid": avid, "deleted_files": self._library.delete_resource(avid)}

    def videos(self) -> list[str]:
        return self._library.video_avids()

    async def delete_video(self, avid: str) -> dict[str, Any]:
        await self._cancel_download(avid)
        size = self._library.delete_video(avid)
        return {"avid": avid, "deleted_file": f"{avid}.mp4", "file_size": size}
