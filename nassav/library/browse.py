"""Browsing a large library: search, filters, sort and pages over the index, and the actors and
genres found in it.

Everything here works on the in-memory index (no file is read): a page of a 50,000-title library is
a scan and a sort of tuples. The web layer keeps the answers' bytes per query and library version
(clients ask for the same page again and again), so the scan runs once per change.
"""

from __future__ import annotations

import array
import bisect
import functools
import hashlib
import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from nassav.library.index import Entry
from nassav.library.marks import Mark

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


def folded(text: str) -> str:
    """Text as search compares it: case- and width-insensitive (ＡＢＣ, abc and ABC are one)."""
    return unicodedata.normalize("NFKC", text).casefold()


fold = functools.lru_cache(maxsize=65536)(folded)  # for names, which recur across thousands of resources


def resources(
    entries: Sequence[Entry], marks: Callable[[str], Mark], query: Query, texts: SearchTexts | None = None
) -> Page[Entry]:
    """One page of the entries that match ``query``, sorted as asked (those without the value sorted
    by, such as an unknown release date, come last either way). ``texts`` are the entries' search
    texts, when the caller keeps them (made here otherwise)."""
    if query.search:
        texts = texts if texts is not None else SearchTexts(entries)
        entries = [entries[index] for index in texts.matching(query.search)]
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


class SearchTexts:
    """What search looks in, for every entry: the AVID (with and without its dashes), the title and
    the actors, folded. A thousand entries' texts make one string, joined by NUL: a search is a few
    ``str.find`` calls over each (C speed, one per match) instead of a Python loop over 50,000
    strings, and fifty strings cost far less memory than 50,000."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._parts: list[tuple[str, array.array[int]]] = []
        for first in range(0, len(entries), _PART):
            texts = [_searchable(entry) for entry in entries[first : first + _PART]]
            starts = array.array("q", [0])  # where each text begins: 8 bytes each, not 40
            for text in texts:
                starts.append(starts[-1] + len(text) + 1)
            self._parts.append((_END.join(texts), starts))

    def matching(self, search: str) -> list[int]:
        """The indexes of the entries whose text holds ``search``, in order."""
        needle = fold(search).replace(_END, "")
        found: list[int] = []
        for part, (corpus, starts) in enumerate(self._parts):
            position = corpus.find(needle)
            while position >= 0:
                index = bisect.bisect_right(starts, position) - 1
                found.append(part * _PART + index)
                position = corpus.find(needle, starts[index + 1])  # on to the next entry
        return found


_END = "\x00"
_PART = 1000


def _searchable(entry: Entry) -> str:
    text = "\n".join((entry.avid, entry.avid.replace("-", ""), entry.title, *entry.actors))
    return folded(text).replace(_END, "")  # one text per resource: not for fold()'s cache


def count_tags(entries: Iterable[Entry], kind: TagKind) -> list[Tag]:
    """Every actor (or genre) named by the entries, with how many name it."""
    counts: Counter[str] = Counter()
    for entry in entries:
        counts.update(getattr(entry, kind))
    return [Tag(tag_id(name), name, count) for name, count in counts.items()]


def tags(counted: list[Tag], query: TagQuery) -> Page[Tag]:
    """A page of ``counted`` (count_tags) as ``query`` asks."""
    found = list(counted)  # sorted below: the counts are kept for the next query
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
    return tests


def _names_tag(kind: TagKind, wanted: str) -> Callable[[Entry], bool]:
    """``wanted`` is a tag's id or its name (compared as search compares)."""
    wanted_id = int(wanted) if wanted.isdecimal() and len(wanted) < 20 else None
    folded = fold(wanted)
    return lambda entry: any(tag_id(name) == wanted_id or fold(name) == folded for name in getattr(entry, kind))


_SORT_VALUES: dict[str, Callable[[Entry], Any] | None] = {
    "avid": None,
    "added": lambda entry: entry.added_at,
    "updated": lambda entry: entry.updated_at,
    "release_date": lambda entry: entry.release_date,
    "video_added": lambda entry: entry.video_added_at,
    "source": lambda entry: entry.source.casefold(),
}
