"""Browsing a large library: search, filters, sort and pages over the index, and the actors and
genres found in it.

Everything here works on the in-memory index (no file is read): a page of a 50,000-title library is
a scan and a sort of tuples. The web layer keeps the answers' bytes per query and library version
(clients ask for the same page again and again), so the scan runs once per change.
"""

from __future__ import annotations

import functools
import hashlib
import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from nassav.library.index import Entry

T = TypeVar("T")
Status = Literal["downloaded", "pending", "all"]
Order = Literal["asc", "desc"]
TagKind = Literal["actors", "genres"]

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 20

# What a list can be sorted by; the names of the newest front ends are synonyms.
SORT_KEYS = ("avid", "added", "updated", "release_date", "video_added", "source")
SORT_SYNONYMS = {
    "metadata_create_time": "added",
    "metadata_update_time": "updated",
    "video_create_time": "video_added",
}


@dataclass(frozen=True)
class Mark:
    """What the owner noted about a resource."""

    watched: bool = False
    is_favorite: bool = False


NO_MARK = Mark()


@dataclass(frozen=True, kw_only=True)
class Query:
    search: str = ""
    status: Status = "all"
    sources: tuple[str, ...] = ()
    actor: str = ""  # an id or a name
    genre: str = ""
    watched: bool | None = None
    is_favorite: bool | None = None
    sort_by: str = "avid"
    order: Order = "asc"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True, kw_only=True)
class TagQuery:
    search: str = ""
    order_by: Literal["count", "name"] = "count"
    order: Order = "desc"
    id: int | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class Tag:
    """An actor or a genre, with the number of resources that name it."""

    id: int
    name: str
    resource_count: int


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.page_size) if self.total else 0


@functools.lru_cache(maxsize=65536)
def tag_id(name: str) -> int:
    """A name's id: the same for the same name on every run and every machine, and small enough for a
    JavaScript number (48 bits; a collision among a library's names is about as likely as none)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=6).digest(), "big")


@functools.lru_cache(maxsize=65536)  # names recur across thousands of resources
def fold(text: str) -> str:
    """Text as search compares it: case- and width-insensitive (ＡＢＣ, abc and ABC are one)."""
    return unicodedata.normalize("NFKC", text).casefold()


def resources(entries: Sequence[Entry], marks: Callable[[str], Mark], query: Query) -> Page[Entry]:
    """One page of the entries that match ``query``, sorted as asked (those without the value sorted
    by, such as an unknown release date, come last either way)."""
    tests = _tests(query, marks)
    matched = [entry for entry in entries if all(test(entry) for test in tests)]
    descending = query.order == "desc"
    value = _SORT_VALUES[SORT_SYNONYMS.get(query.sort_by, query.sort_by)]
    if value is None:  # by AVID: the index keeps them in that order
        if descending:
            matched.reverse()
        return _page(matched, query.page, query.page_size)
    known = [entry for entry in matched if value(entry) not in (None, "")]
    known.sort(key=value, reverse=descending)  # stable: ties stay in AVID order
    unknown = [entry for entry in matched if value(entry) in (None, "")]
    return _page(known + unknown, query.page, query.page_size)


def tags(entries: Iterable[Entry], kind: TagKind, query: TagQuery) -> Page[Tag]:
    counts: Counter[str] = Counter()
    for entry in entries:
        counts.update(getattr(entry, kind))
    found = [Tag(tag_id(name), name, count) for name, count in counts.items()]
    if query.id is not None:
        found = [tag for tag in found if tag.id == query.id]
    if query.search:
        needle = fold(query.search)
        found = [tag for tag in found if needle in fold(tag.name)]
    by_name = lambda tag: (fold(tag.name), tag.id)  # noqa: E731
    if query.order_by == "count":  # ties by name, always A to Z
        found.sort(key=by_name)
        found.sort(key=lambda tag: tag.resource_count, reverse=query.order == "desc")
    else:
        found.sort(key=by_name, reverse=query.order == "desc")
    return _page(found, query.page, query.page_size)


def _page(items: list[T], page: int, page_size: int) -> Page[T]:
    start = (page - 1) * page_size
    return Page(items[start : start + page_size], len(items), page, page_size)


def _tests(query: Query, marks: Callable[[str], Mark]) -> list[Callable[[Entry], bool]]:
    """The query's filters, cheapest first, each worked out once for the whole scan."""
    tests: list[Callable[[Entry], bool]] = []
    if query.status != "all":
        downloaded = query.status == "downloaded"
        tests.append(lambda entry: entry.has_video == downloaded)
    if query.sources:
        sources = {name.casefold() for name in query.sources}
        tests.append(lambda entry: entry.source.casefold() in sources)
    if query.actor:
        tests.append(_names_tag("actors", query.actor))
    if query.genre:
        tests.append(_names_tag("genres", query.genre))
    if query.watched is not None:
        tests.append(lambda entry: marks(entry.avid).watched == query.watched)
    if query.is_favorite is not None:
        tests.append(lambda entry: marks(entry.avid).is_favorite == query.is_favorite)
    if query.search:
        needle = fold(query.search)
        tests.append(lambda entry: needle in search_text(entry))
    return tests


def _names_tag(kind: TagKind, wanted: str) -> Callable[[Entry], bool]:
    """``wanted`` is a tag's id or its name (compared as search compares)."""
    wanted_id = int(wanted) if wanted.isdecimal() and len(wanted) < 20 else None
    folded = fold(wanted)
    return lambda entry: any(tag_id(name) == wanted_id or fold(name) == folded for name in getattr(entry, kind))


@functools.lru_cache(maxsize=200_000)
def search_text(entry: Entry) -> str:
    """What search looks in: the AVID (with and without its dashes), the title, the actors."""
    return fold("\n".join((entry.avid, entry.avid.replace("-", ""), entry.title, *entry.actors)))


_SORT_VALUES: dict[str, Callable[[Entry], Any] | None] = {
    "avid": None,
    "added": lambda entry: entry.added_at,
    "updated": lambda entry: entry.updated_at,
    "release_date": lambda entry: entry.release_date,
    "video_added": lambda entry: entry.video_added_at,
    "source": lambda entry: entry.source.casefold(),
}
