"""The in-memory index behind the listing: one row per resource folder, kept in sync with the disk
without re-reading every JSON on each request.

Each folder is known by its signature: the folder's mtime, its {AVID}.json's (inode, mtime, size)
and its {AVID}.mp4's size. A row is re-read only when its signature changed. What is checked when:

- the root (one stat) on every refresh: a folder added or removed by hand shows at once;
- every folder's signature, a few milliseconds' worth per refresh, round-robin, restarting at most
  every ``sweep_interval_s`` (longer for a large library: at most 2 % of the time goes to it): a file
  changed in place (an mp4 copied in over SMB) shows soon after, within seconds for 10,000 folders;
- a folder that changed in the last two seconds on every refresh, as it may change again within the
  same timestamp tick (git's "racy" rule).

Unreadable entries (a dangling symlink, a lost network share) are treated as absent, with a warning.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from nassav.avid import is_avid
from nassav.library.images import picture_version
from nassav.library.model import ResourceInfo

log = logging.getLogger(__name__)

RACY_WINDOW_NS = 2_000_000_000
SWEEP_BUDGET_S = 0.004  # per refresh: a listing never waits long for the sweep
SWEEP_SHARE = 0.02  # of the time between rounds, at most, spent sweeping

# folder mtime; {AVID}.json's (inode, mtime, size); {AVID}.mp4's (size, mtime) when it has one;
# {AVID}.jpg's (inode, mtime, size)
FileKey = tuple[int, int, int]
Signature = tuple[int, FileKey | None, tuple[int, int] | None, FileKey | None]


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the listing, and what browsing filters and sorts by."""

    avid: str
    title: str
    source: str
    release_date: str
    has_video: bool
    actors: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    added_at: int | None = None
    updated_at: int | None = None
    video_added_at: int | None = None  # the video file's mtime (s): when it arrived
    cover_version: int | None = None  # images.picture_version of {AVID}.jpg


# What the index reads of each {AVID}.json.
INDEXED_FIELDS = ("title", "source", "release_date", "actors", "genres", "added_at", "updated_at")
# The contract's listing item: these five, nothing more.
LISTING_FIELDS: tuple[str, ...] = ("avid", "title", "source", "release_date", "has_video")


def entry_of(info: ResourceInfo, signature: Signature) -> Entry:
    """A row from a resource's metadata and its files. Names that recur across thousands of resources
    (a source, an actor, a genre, a date) are interned: the index holds one copy of each. A resource
    that does not say when it was added (made by hand, or by an older NASSAV) was added when its
    metadata file was written."""
    intern = sys.intern
    _, json_key, video, cover = signature
    written = json_key[1] // 1_000_000_000 if json_key else None
    return Entry(
        avid=info.avid,
        title=info.title,
        source=intern(info.source),
        release_date=intern(info.release_date),
        has_video=video is not None,
        actors=tuple(intern(name) for name in info.actors),
        genres=tuple(intern(name) for name in info.genres),
        added_at=info.added_at or written,
        updated_at=info.updated_at or info.added_at or written,
        video_added_at=video[1] // 1_000_000_000 if video is not None else None,
        cover_version=picture_version(*cover) if cover is not None else None,
    )


@dataclass(slots=True)
class _Folder:
    entry: Entry | None  # None: the folder has no readable {AVID}.json (yet)
    signature: int  # the Signature's fingerprint: one number per folder instead of three tuples


def fingerprint(signature: Signature) -> int:
    """A number that changes with the signature, the same in every process (a snapshot taken at one
    run is checked against it at the next): made of ints only, as ``hash(None)`` is not stable."""
    return hash((signature[0], signature[1] or (), signature[2] or (), signature[3] or ()))


class LibraryIndex:
    def __init__(
        self, root: str, load_info: Callable[[str, str], ResourceInfo | None], *, sweep_interval_s: float
    ) -> None:
        self._root = root
        self._load_info = load_info  # (avid, json path) -> the metadata, or None when unreadable
        self._sweep_interval_ns = int(sweep_interval_s * 1e9)
        self._folders: dict[str, _Folder] = {}
        self._unsettled: dict[str, int] = {}  # folders inside the racy window -> when last looked at
        self._to_sweep: deque[str] = deque()
        self._sweep_started_ns = 0
        self._round_s = 0.0  # spent on the current round of the sweep
        self._last_round_s = 0.0  # spent on the last whole round
        self._root_mtime_ns = -1
        self._root_looked_at_ns = 0
        self._sorted: list[Entry] | None = None
        self._seeded: dict[str, tuple[int, Entry]] = {}
        self._warned: set[str] = set()
        self.version = 0  # bumped on every change: a key for caches of the listing
        self.reads = 0  # {AVID}.json files read so far

    def entries(self) -> list[Entry]:
        self.refresh()
        if self._sorted is None:
            rows = (folder.entry for folder in self._folders.values() if folder.entry is not None)
            self._sorted = sorted(rows, key=lambda entry: entry.avid)
        return self._sorted

    def known(self) -> dict[str, tuple[int, Entry]]:
        """Each folder's fingerprint and row: a snapshot for the next start (see ``seed``)."""
        unsettled = self._unsettled  # changed too recently to vouch for: read again at the next start
        return {
            avid: (folder.signature, folder.entry)
            for avid, folder in self._folders.items()
            if folder.entry and avid not in unsettled
        }

    def seed(self, known: dict[str, tuple[int, Entry]]) -> None:
        """Rows from an earlier run. At the first look at a folder whose fingerprint is unchanged, its
        row comes from here instead of its {AVID}.json: a start reads only what changed meanwhile."""
        self._seeded = known

    def refresh(self) -> None:
        now_ns = time.time_ns()
        root_mtime_ns = self._stat_mtime(self._root)
        if root_mtime_ns != self._root_mtime_ns or _racy(self._root_mtime_ns, self._root_looked_at_ns):
            if self._root_mtime_ns == -1:  # the first look sees every folder: the sweep's first round can wait
                self._sweep_started_ns = now_ns
            self._rescan_root(now_ns)
            self._root_mtime_ns, self._root_looked_at_ns = root_mtime_ns, now_ns
            self._seeded = {}  # every folder has had its first look
        if self._unsettled:
            for avid in list(self._unsettled):
                self.check(avid, now_ns)
            # A dict keeps its table when emptied, and a look at it walks the whole table: after a
            # first start with every folder new, that was 50,000 slots on every request.
            self._unsettled = dict(self._unsettled)
        self._sweep_step(now_ns)

    def check(self, avid: str, now_ns: int | None = None) -> None:
        """Look at one folder now (after our own writes, and from the sweep)."""
        now_ns = now_ns or time.time_ns()
        folder_path = f"{self._root}/{avid}"  # hot at start-up: no os.path.join
        signature = self._signature(avid, folder_path)
        known = self._folders.get(avid)
        if signature is None:
            self.forget(avid)
            return
        # A settled folder whose signature is unchanged was not racy when last looked at, nor is it now.
        looked_at_ns = self._unsettled.get(avid)
        racy = looked_at_ns is not None and _racy(_newest(signature), looked_at_ns)
        signed = fingerprint(signature)
        if known is None or known.signature != signed or racy:
            entry = self._seeded_entry(avid, signed, signature, now_ns) if known is None else None
            if entry is None:
                self.reads += 1
                info = self._load_info(avid, f"{folder_path}/{avid}.json") if signature[1] else None
                entry = entry_of(info, signature) if info is not None else None
            # A new folder is keyed by its row's own AVID string: one copy of each name, not two.
            key = entry.avid if known is None and entry is not None and entry.avid == avid else avid
            self._folders[key] = _Folder(entry, signed)
            if known is None or known.entry != entry:
                self._changed()
        self._settle(avid, signature, now_ns)

    def forget(self, avid: str) -> None:
        self._unsettled.pop(avid, None)
        if self._folders.pop(avid, None) is not None:
            self._changed()

    # --- internals ---------------------------------------------------------------------------

    def _rescan_root(self, now_ns: int) -> None:
        known = self._folders  # names already known passed is_avid once: 50,000 of them need not again
        try:
            with os.scandir(self._root) as found:
                names = {item.name for item in found if (item.name in known or is_avid(item.name)) and _is_dir(item)}
        except OSError as exc:
            self._warn_once(self._root, exc)
            names = set()
        for gone in self._folders.keys() - names:
            self.forget(gone)
        for new in names - self._folders.keys():
            self.check(new, now_ns)

    def _seeded_entry(self, avid: str, signed: int, signature: Signature, now_ns: int) -> Entry | None:
        seeded = self._seeded.pop(avid, None)
        if seeded is None or seeded[0] != signed or _racy(_newest(signature), now_ns):
            return None  # changed since, or too recently to tell
        return seeded[1]

    def _sweep_step(self, now_ns: int) -> None:
        if not self._to_sweep:
            # A round over 50,000 folders costs the event loop about half a second: rounds of a big
            # library come further apart, so that sweeping never takes more than its share.
            # (A round done within one step's budget, a library of a few hundred folders, waits the
            # interval alone.)
            spread_ns = int(self._last_round_s * 1e9 / SWEEP_SHARE) if self._last_round_s > SWEEP_BUDGET_S else 0
            pause_ns = max(self._sweep_interval_ns, spread_ns)
            if now_ns - self._sweep_started_ns < pause_ns:
                return
            self._to_sweep.extend(self._folders)
            self._sweep_started_ns = now_ns
            self._last_round_s = self._round_s
            self._round_s = 0.0
        started = time.perf_counter()
        deadline = started + SWEEP_BUDGET_S
        while self._to_sweep and time.perf_counter() < deadline:
            avid = self._to_sweep.popleft()
            if avid in self._folders and avid not in self._unsettled:  # those were looked at just now
                self.check(avid, now_ns)
        self._round_s += time.perf_counter() - started
        if not self._to_sweep:
            self._last_round_s = self._round_s

    def _signature(self, avid: str, folder_path: str) -> Signature | None:
        folder_mtime = self._stat_mtime(folder_path)
        if folder_mtime < 0:
            return None
        json_stat = self._stat(f"{folder_path}/{avid}.json")
        video_stat = self._stat(f"{folder_path}/{avid}.mp4")
        cover_stat = self._stat(f"{folder_path}/{avid}.jpg")
        video_key = (video_stat.st_size, video_stat.st_mtime_ns) if video_stat and video_stat.st_size else None
        return folder_mtime, _file_key(json_stat), video_key, _file_key(cover_stat)

    def _stat(self, path: str) -> os.stat_result | None:
        try:
            return os.stat(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._warn_once(path, exc)
            return None

    def _stat_mtime(self, path: str) -> int:
        stat = self._stat(path)
        return stat.st_mtime_ns if stat is not None else -2

    def _settle(self, avid: str, signature: Signature, now_ns: int) -> None:
        if _racy(_newest(signature), now_ns):
            self._unsettled[avid] = now_ns
        else:
            self._unsettled.pop(avid, None)

    def _changed(self) -> None:
        self._sorted = None
        self.version += 1

    def _warn_once(self, path: str, exc: OSError) -> None:
        if path not in self._warned:
            self._warned.add(path)
            log.warning("skipping %s: %s", path, exc.strerror or exc)


def _file_key(stat: os.stat_result | None) -> FileKey | None:
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size) if stat else None


def _newest(signature: Signature) -> int:
    folder_mtime, json_key, _, cover_key = signature
    return max(folder_mtime, json_key[1] if json_key else 0, cover_key[1] if cover_key else 0)


def _racy(mtime_ns: int, looked_at_ns: int) -> bool:
    return looked_at_ns - mtime_ns < RACY_WINDOW_NS


def _is_dir(item: os.DirEntry[str]) -> bool:
    try:
        return item.is_dir()
    except OSError:
        return False
