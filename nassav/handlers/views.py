"""Typed results to JSON: the one place that decides what an answer's ``data`` looks like, and the
answer bodies kept serialized while what they show is unchanged (the library listing and metadata are
asked for far more often than they change)."""

from __future__ import annotations

import dataclasses
from typing import Any

from nassav.downloads.tasks import Submission, Task
from nassav.handlers.envelope import envelope_body
from nassav.library.caches import ByteBudgetCache
from nassav.library.index import LISTING_FIELDS, Entry
from nassav.library.model import METADATA_FIELDS
from nassav.library.service import Detail, Listing

METADATA_CACHE_BYTES = 4 * 1024 * 1024


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
