"""Typed results to JSON: the one place that decides what an answer's ``data`` looks like, and the
answer bodies kept serialized while what they show is unchanged (the library listing and metadata are
asked for far more often than they change)."""

from __future__ import annotations

import dataclasses
import email.utils
import functools
from datetime import UTC, datetime
from typing import Any

from nassav.downloads.queue import QueueStatus
from nassav.downloads.tasks import Submission, Task
from nassav.handlers.envelope import envelope_body
from nassav.library.caches import ByteBudgetCache
from nassav.library.index import LISTING_FIELDS, Entry
from nassav.library.model import METADATA_FIELDS
from nassav.library.service import Detail, Listing
from nassav.sources.cookies import StoredCookie

METADATA_CACHE_BYTES = 4 * 1024 * 1024
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
    return data


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


@functools.lru_cache(maxsize=4096)
def cover_headers(content_type: str, mtime: float) -> dict[str, str]:
    """A cover's headers, worked out once per cover version (a page of covers is asked for again and
    again; formatting a date each time is not free). Callers copy them, never change them."""
    return {"Content-Type": content_type, "Last-Modified": email.utils.formatdate(mtime, usegmt=True)}


class Bodies:
    """Answer bodies serialized once per change of what they show."""

    def __init__(self) -> None:
        self._listing: tuple[int, bytes] | None = None
        self._metadata = ByteBudgetCache(METADATA_CACHE_BYTES)

    def listing(self, listing: Listing) -> bytes:
        if self._listing is None or self._listing[0] != listing.version:
            body = envelope_body(200, "success", [summary(entry) for entry in listing.entries])
            self._listing = (listing.version, body)
        return self._listing[1]

    def metadata(self, detail: Detail) -> bytes:
        """Serialized again only when the metadata (a new object from the library's cache) or the
        video's size changed."""
        avid = detail.info.avid
        cached = self._metadata.get(avid)
        if cached is None or cached[0] is not detail.info or cached[1] != detail.file_size:
            cached = (detail.info, detail.file_size, envelope_body(200, "success", metadata(detail)))
            self._metadata.put(avid, cached, len(cached[2]))
        return cached[2]
