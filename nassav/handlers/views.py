"""Typed results to JSON: the one place that decides what an answer's ``data`` looks like, and the
answer bodies kept serialized while what they show is unchanged (the library listing and metadata are
asked for far more often than they change)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Any

from nassav.downloads.queue import QueueStatus
from nassav.downloads.tasks import Submission, Task
from nassav.handlers import API
from nassav.handlers.envelope import envelope_body, list_envelope_body, paged_envelope_body
from nassav.library.browse import Page, Tag
from nassav.library.caches import ByteBudgetCache
from nassav.library.index import LISTING_FIELDS, Entry
from nassav.library.marks import Mark
from nassav.library.model import METADATA_FIELDS
from nassav.library.service import Detail, Item, Listing
from nassav.sources.cookies import StoredCookie

METADATA_CACHE_BYTES = 4 * 1024 * 1024
PAGE_CACHE_BYTES = 8 * 1024 * 1024
SPEED_UNITS = ("B/s", "KB/s", "MB/s", "GB/s")
# What the live stream says when a task changes status (a failure says its error).
CHANGE_MESSAGES = {"running": ("task_started", "开始下载"), "completed": ("task_completed", "下载完成")}


def summary(entry: Entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in LISTING_FIELDS}


def metadata(detail: Detail) -> dict[str, Any]:
    """The metadata endpoint's data: the contract's fields, in its order, plus the video's size."""
    info = detail.info
    data: dict[str, Any] = {"avid": info.avid, "title": info.title, "m3u8": info.m3u8, "source": info.source}
    for name in METADATA_FIELDS:
        value = getattr(info, name)
        data.setdefault(name, list(value) if isinstance(value, tuple) else value)
    data["file_size"] = detail.file_size
    data["file_exists"] = detail.file_size is not None
    data["original_title"] = data["source_title"] = info.title  # the names the newest front ends read
    data["watched"] = detail.mark.watched
    data["is_favorite"] = detail.mark.is_favorite
    return data


def browsed(item: Item) -> dict[str, Any]:
    """A resource as a browsed page shows it: the listing's five fields, what the newest front ends
    read (under their names too), and the thumbnail's URL, named after the cover's version so that
    browsers may keep it for good."""
    entry, mark = item.entry, item.mark
    version = entry.cover_version
    thumbnail = f"{API}/resource/cover?avid={entry.avid}&size=medium" + (f"&v={version}" if version else "")
    return {
        "avid": entry.avid,
        "title": entry.title,
        "original_title": entry.title,
        "source_title": entry.title,
        "source": entry.source,
        "release_date": entry.release_date,
        "has_video": entry.has_video,
        "actors": entry.actors,
        "genres": entry.genres,
        "added_at": entry.added_at,
        "updated_at": entry.updated_at,
        "metadata_create_time": entry.added_at,
        "metadata_update_time": entry.updated_at,
        "video_create_time": entry.video_added_at,
        "thumbnail_url": thumbnail,
        "watched": mark.watched,
        "is_favorite": mark.is_favorite,
    }


def paged(page: Page[Any], item: Callable[[Any], Any]) -> bytes:
    pagination = {"total": page.total, "page": page.page, "page_size": page.page_size, "pages": page.pages}
    return paged_envelope_body([item(each) for each in page.items], pagination)


def tag(item: Tag) -> dict[str, Any]:
    return dataclasses.asdict(item)


def mark(avid: str, noted: Mark) -> dict[str, Any]:
    return {"avid": avid, **dataclasses.asdict(noted)}


def task(item: Task) -> dict[str, Any]:
    return dataclasses.asdict(item)


def submitted(item: Task) -> Submission:
    return Submission(item.avid, item.id, item.status, None)


def queue_status(status: QueueStatus) -> dict[str, Any]:
    """The queue as the NASSAV front end reads it (over REST and in the WebSocket's ``queue_status``)."""
    active = [
        {"task_id": t.id, "avid": t.avid, "state": t.status, "progress": {"percent": t.percent, "speed": speed(t)}}
        for t in status.active
    ]
    pending = [{"task_id": t.id, "avid": t.avid, "state": t.status} for t in status.pending]
    return {
        "active_tasks": active,
        "pending_tasks": pending,
        "active_count": len(active),
        "pending_count": len(pending),
        "total_count": len(active) + len(pending),
    }


def progress_update(item: Task) -> dict[str, Any]:
    return {"task_id": item.id, "avid": item.avid, "percent": item.percent, "speed": speed(item), "eta": eta(item)}


def status_change(item: Task) -> tuple[str, dict[str, Any]] | None:
    """The WebSocket message of a task's new status: started, completed or failed (None otherwise)."""
    if item.status == "failed":
        kind, message = "task_failed", item.error
    elif item.status in CHANGE_MESSAGES:
        kind, message = CHANGE_MESSAGES[item.status]
    else:
        return None
    # The front end reads ``error``; older clients read ``message``: a failure says why in both.
    data = {"task_id": item.id, "avid": item.avid, "status": item.status, "message": message, "error": item.error}
    return kind, data


def speed(item: Task) -> str:
    """``5.2MB/s``, or "" while the engine has not said."""
    value = item.speed_bps
    if value is None or value <= 0:
        return ""
    unit = 0
    while value >= 1024 and unit < len(SPEED_UNITS) - 1:
        value, unit = value / 1024, unit + 1
    return f"{value:.1f}{SPEED_UNITS[unit]}"


def eta(item: Task) -> str:
    """``2:46`` or ``1:02:03``, or "" while unknown."""
    if item.eta_s is None or item.eta_s < 0:
        return ""
    minutes, seconds = divmod(round(item.eta_s), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def stored_cookie(item: StoredCookie) -> dict[str, Any]:
    """A stored cookie as listed: masked (its length only), and when it was set."""
    when = datetime.fromtimestamp(item.updated_at, tz=UTC).isoformat(timespec="seconds")
    return {"source": item.source, "cookie": f"已设置（{item.length} 个字符）", "mtime": when}


class Bodies:
    """Answer bodies serialized once per change of what they show."""

    def __init__(self) -> None:
        self._listing: tuple[int, bytes] | None = None
        self._metadata = ByteBudgetCache(METADATA_CACHE_BYTES)
        self._pages = ByteBudgetCache(PAGE_CACHE_BYTES)

    def listing(self, listing: Listing) -> bytes:
        if self._listing is None or self._listing[0] != listing.version:
            body = list_envelope_body(listing.entries, summary)
            self._listing = (listing.version, body)
        return self._listing[1]

    def metadata(self, detail: Detail) -> bytes:
        """Serialized again only when the metadata (a new object from the library's cache) or the
        video's size changed."""
        avid = detail.info.avid
        cached = self._metadata.get(avid)
        if cached is None or cached[0] is not detail.info or cached[1] != (detail.file_size, detail.mark):
            cached = (detail.info, (detail.file_size, detail.mark), envelope_body(200, "success", metadata(detail)))
            self._metadata.put(avid, cached, len(cached[2]))
        return cached[2]

    def page(self, key: Hashable, version: Hashable, make: Callable[[], bytes]) -> bytes:
        """A browsed page's answer, made again only when what it shows may have changed (clients ask
        for the same pages again and again: a grid's first page, a search as it is typed)."""
        cached = self._pages.get(key)
        if cached is None or cached[0] != version:
            cached = (version, make())
            self._pages.put(key, cached, len(cached[1]))
        return cached[1]
