"""The one metadata type, and what the library keeps and answers about a resource.

``Metadata`` is what a source page or a metadata mirror says about a video; ``ResourceInfo`` is the
contents of {AVID}.json: the metadata plus what NASSAV owns (stream, source, bookkeeping). Every other
place (the scraper, a source's hit, the merge on add and refresh, the API's views and schemas) uses
these types, so a new field is declared once, here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Metadata:
    """Catalogue facts about a video, whoever found them. Empty means unknown."""

    title: str = ""
    release_date: str = ""
    duration: str = ""  # as the contract shows it: "120分钟"
    director: str = ""
    studio: str = ""
    label: str = ""
    series: str = ""
    actors: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()

    def or_else(self, *fallbacks: Metadata) -> Metadata:
        """Each field from the first of ``self, *fallbacks`` that knows it."""
        merged = {
            name: next((value for item in (self, *fallbacks) if (value := getattr(item, name))), getattr(self, name))
            for name in METADATA_FIELDS
        }
        return Metadata(**merged)

    def metadata(self) -> Metadata:
        """Just the catalogue facts (of a ResourceInfo, which is one)."""
        return Metadata(**{name: getattr(self, name) for name in METADATA_FIELDS})


METADATA_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Metadata))
_LIST_FIELDS = frozenset(f.name for f in dataclasses.fields(Metadata) if f.default == ())


@dataclass(frozen=True, kw_only=True)
class ResourceInfo(Metadata):
    """The contents of {AVID}.json. Keys this version does not know are kept in ``extra`` and written
    back, so a file edited by hand or by a newer version loses nothing."""

    avid: str
    m3u8: str = ""
    source: str = ""
    scraped: bool = False  # whether a metadata mirror answered (else only the source page's facts)
    page_url: str = ""
    stream_headers: Mapping[str, str] = field(default_factory=dict)  # what fetching the stream needs
    added_at: int | None = None
    updated_at: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, avid: str, data: Any, *, only: tuple[str, ...] | None = None) -> ResourceInfo:
        """Tolerant reading: files written by hand or by older versions may lack fields or mistype them.
        With ``only``, just those fields are read (the rest keep their defaults, ``extra`` stays empty):
        what the library's index needs of 50,000 files, and no more."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        known = {name: _read(name, data[name]) for name in only or _OWN_FIELDS if name in data}
        if only is not None:
            return cls(avid=avid, **known)
        extra = {key: value for key, value in data.items() if key not in _OWN_FIELDS and key != "avid"}
        return cls(avid=avid, **known, extra=extra)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"avid": self.avid}
        for name in _OWN_FIELDS:
            value = getattr(self, name)
            data[name] = list(value) if name in _LIST_FIELDS else dict(value) if name == "stream_headers" else value
        data.update({key: value for key, value in self.extra.items() if key not in data})
        return data


_OWN_FIELDS = tuple(f.name for f in dataclasses.fields(ResourceInfo) if f.name not in ("avid", "extra"))
_BOOL_FIELDS = frozenset({"scraped"})
_TIME_FIELDS = frozenset({"added_at", "updated_at"})


def _read(name: str, value: Any) -> Any:
    if name in _LIST_FIELDS:
        return _as_texts(value)
    if name in _BOOL_FIELDS:
        return bool(value)
    if name in _TIME_FIELDS:  # a number of seconds, or nothing (1e999 is read as infinity: nothing)
        usable = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return int(value) if usable else None
    if name == "stream_headers":
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
    return _as_text(value)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _as_texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list):
        return ()
    return tuple(_as_text(item) for item in value if item not in (None, ""))
