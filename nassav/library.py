"""The resource/ tree: one folder per AVID holding {AVID}.html, .jpg, .json and .mp4.

Every write is atomic (temp file, fsync, rename), so a crash leaves either the old file or the new
one, never half of one. The listing is served from an in-memory index that our own writes keep in
sync and that notices folders added, removed or changed by hand through directory mtimes: the root
is checked on every listing (one stat), each folder at most every ``sweep_interval_s``, and a folder
that changed in the last two seconds on every listing until it settles.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import secrets
import shutil
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nassav.avid import is_avid, is_safe_name
from nassav.errors import InvalidAvid, NotFound

log = logging.getLogger(__name__)

# A directory modified this close to the moment we looked at it may change again within the same
# timestamp tick; such a look is not trusted and is repeated next time (git's "racy" rule).
RACY_WINDOW_NS = 2_000_000_000
INFO_CACHE_SIZE = 2048  # metadata kept in memory for the metadata endpoint
TEXT_FIELDS = ("title", "m3u8", "source", "release_date", "duration", "director", "studio", "label", "series")
LIST_FIELDS = ("genres", "actors")


@dataclass(frozen=True, kw_only=True)
class ResourceInfo:
    """The contents of {AVID}.json (AVDownloadInfo). Unknown keys are kept and written back."""

    avid: str
    title: str = ""
    m3u8: str = ""
    source: str = ""
    release_date: str = ""
    duration: str = ""
    director: str = ""
    studio: str = ""
    label: str = ""
    series: str = ""
    genres: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, avid: str, data: Any) -> ResourceInfo:
        """Tolerant reading: files written by hand or by older versions may lack fields."""
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        known = {"avid", *TEXT_FIELDS, *LIST_FIELDS}
        texts = {key: _as_text(data.get(key)) for key in TEXT_FIELDS}
        lists = {key: _as_texts(data.get(key)) for key in LIST_FIELDS}
        extra = {key: value for key, value in data.items() if key not in known}
        return cls(avid=avid, **texts, **lists, extra=extra)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"avid": self.avid}
        data.update({key: getattr(self, key) for key in TEXT_FIELDS})
        data.update({key: list(getattr(self, key)) for key in LIST_FIELDS})
        data.update({key: value for key, value in self.extra.items() if key not in data})
        return data


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the listing."""

    avid: str
    title: str
    source: str
    release_date: str
    has_video: bool


@dataclass(slots=True)
class _Folder:
    entry: Entry | None  # None: the folder has no readable {AVID}.json (yet)
    mtime_ns: int
    looked_at_ns: int


class Library:
    def __init__(self, root: Path, *, sweep_interval_s: float = 2.0) -> None:
        self.root = root
        self._sweep_interval_ns = int(sweep_interval_s * 1e9)
        self._folders: dict[str, _Folder] = {}
        self._unsettled: set[str] = set()  # folders whose last look fell in the racy window
        self._root_mtime_ns = -1
        self._root_looked_at_ns = 0
        self._swept_at_ns = 0
        self._sorted: list[Entry] | None = None
        self._root_path = str(root)
        self._infos: OrderedDict[str, tuple[tuple[int, int, int], ResourceInfo | None]] = OrderedDict()
        self.version = 0  # bumped on every change of the index: a key for caches of the listing

    # --- paths -------------------------------------------------------------------------------

    def folder(self, avid: str) -> Path:
        return Path(self._folder_path(avid))

    def _folder_path(self, avid: str) -> str:
        if not is_safe_name(avid):  # defence in depth: callers pass normalized AVIDs already
            raise InvalidAvid(f"视频编号 {avid!r} 无效")
        return os.path.join(self._root_path, avid)

    def file(self, avid: str, ext: str) -> Path:
        return self.folder(avid) / f"{avid}.{ext}"

    # --- reads -------------------------------------------------------------------------------

    def read_info(self, avid: str) -> ResourceInfo | None:
        """The resource's metadata, or None when it has none (or only a corrupt file).

        Recently read ones are kept while their file is unchanged (same inode, mtime and size: our
        writes replace the file, so a new version always has a new inode)."""
        path = os.path.join(self._folder_path(avid), f"{avid}.json")
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            self._infos.pop(avid, None)
            return None
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = self._infos.get(avid)
        if cached is not None and cached[0] == key:
            self._infos.move_to_end(avid)
            return cached[1]
        info = _load_info(avid, path)
        self._infos[avid] = (key, info)
        if len(self._infos) > INFO_CACHE_SIZE:
            self._infos.popitem(last=False)
        return info

    def require_info(self, avid: str) -> ResourceInfo:
        info = self.read_info(avid)
        if info is None:
            raise NotFound(f"资源 {avid} 的元数据不存在")
        return info

    def video_size(self, avid: str) -> int | None:
        return self.file_size(avid, "mp4")

    def file_size(self, avid: str, ext: str) -> int | None:
        """The size of {AVID}.{ext}; None when it is missing or empty."""
        return _file_size(os.path.join(self._folder_path(avid), f"{avid}.{ext}"))

    def cover_path(self, avid: str) -> str:
        return os.path.join(self._folder_path(avid), f"{avid}.jpg")

    def entries(self) -> list[Entry]:
        """All resources with readable metadata, sorted by AVID."""
        self.refresh()
        if self._sorted is None:
            entries = (folder.entry for folder in self._folders.values() if folder.entry is not None)
            self._sorted = sorted(entries, key=lambda entry: entry.avid)
        return self._sorted

    def video_avids(self) -> list[str]:
        return [entry.avid for entry in self.entries() if entry.has_video]

    # --- writes ------------------------------------------------------------------------------

    def write_info(self, info: ResourceInfo) -> None:
        payload = json.dumps(info.to_json(), ensure_ascii=False, indent=2).encode()
        self.write_file(info.avid, "json", payload)

    def write_file(self, avid: str, ext: str, data: bytes) -> None:
        path = self.file(avid, ext)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        self._reload(avid)

    def install_video(self, avid: str, source: Path) -> int:
        """Move a finished download into place as {AVID}.mp4 (atomically: same disk); return its size."""
        target = self.file(avid, "mp4")
        target.parent.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as fh:
            os.fsync(fh.fileno())
        try:
            os.replace(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            staged = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")  # tmp_dir on another disk
            try:
                shutil.copyfile(source, staged)
                with staged.open("rb") as fh:
                    os.fsync(fh.fileno())
                os.replace(staged, target)
            finally:
                staged.unlink(missing_ok=True)
        _fsync_dir(target.parent)
        self._reload(avid)
        return target.stat().st_size

    def delete_resource(self, avid: str) -> list[str]:
        """Remove the whole folder; return the names of the files that were in it."""
        folder = self.folder(avid)
        if not folder.is_dir():
            raise NotFound(f"资源 {avid} 不存在")
        names = sorted(path.name for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))
        if folder.is_symlink():  # a folder linked in from another disk: remove the link, not the disk
            folder.unlink()
        else:
            shutil.rmtree(folder)
        self._forget(avid)
        return names

    def delete_video(self, avid: str) -> int:
        """Remove {AVID}.mp4 only; return its size."""
        path = self.file(avid, "mp4")
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            raise NotFound(f"视频 {avid} 不存在") from None
        self._reload(avid)
        return size

    # --- the index ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Bring the index up to date with the disk, cheaply (see the module docstring)."""
        now_ns = time.time_ns()
        try:
            root_mtime_ns = self.root.stat().st_mtime_ns
        except FileNotFoundError:
            root_mtime_ns = -2
        rescanned = root_mtime_ns != self._root_mtime_ns or _racy(self._root_mtime_ns, self._root_looked_at_ns)
        if rescanned:
            self._rescan_root(now_ns)
            self._root_mtime_ns, self._root_looked_at_ns = root_mtime_ns, now_ns
        if not self._swept_at_ns:  # the first scan read every folder just now
            self._swept_at_ns = now_ns
        elif now_ns - self._swept_at_ns >= self._sweep_interval_ns:
            self._sweep(now_ns)
            self._swept_at_ns = now_ns
        else:
            for avid in list(self._unsettled):  # changed just now: may change again unseen
                self._reload(avid, now_ns)

    def _rescan_root(self, now_ns: int) -> None:
        try:
            with os.scandir(self.root) as found:
                names = {item.name for item in found if is_avid(item.name) and item.is_dir()}
        except FileNotFoundError:
            names = set()
        for gone in self._folders.keys() - names:
            self._forget(gone)
        for new in names - self._folders.keys():
            self._reload(new, now_ns)

    def _sweep(self, now_ns: int) -> None:
        for avid, folder in list(self._folders.items()):
            if folder.looked_at_ns == now_ns:
                continue  # read in this very refresh
            try:
                mtime_ns = os.stat(self._folder_path(avid)).st_mtime_ns
            except FileNotFoundError:
                self._forget(avid)
                continue
            if mtime_ns != folder.mtime_ns or _racy(folder.mtime_ns, folder.looked_at_ns):
                self._reload(avid, now_ns)

    def _reload(self, avid: str, now_ns: int | None = None) -> None:
        folder_path = self._folder_path(avid)
        try:
            mtime_ns = os.stat(folder_path).st_mtime_ns
        except FileNotFoundError:
            self._forget(avid)
            return
        info = _load_info(avid, os.path.join(folder_path, f"{avid}.json"))
        entry = None
        if info is not None:
            has_video = bool(_file_size(os.path.join(folder_path, f"{avid}.mp4")))
            entry = Entry(avid, info.title, info.source, info.release_date, has_video)
        looked_at_ns = now_ns or time.time_ns()
        self._folders[avid] = _Folder(entry, mtime_ns, looked_at_ns)
        if _racy(mtime_ns, looked_at_ns):
            self._unsettled.add(avid)
        else:
            self._unsettled.discard(avid)
        self._changed()

    def _forget(self, avid: str) -> None:
        self._unsettled.discard(avid)
        self._infos.pop(avid, None)
        if self._folders.pop(avid, None) is not None:
            self._changed()

    def _changed(self) -> None:
        self._sorted = None
        self.version += 1


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_info(avid: str, path: str) -> ResourceInfo | None:
    try:
        with open(path, "rb") as fh:
            return ResourceInfo.from_json(avid, json.loads(fh.read()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("skipping %s: unreadable metadata (%s)", path, exc)
        return None


def _racy(mtime_ns: int, looked_at_ns: int) -> bool:
    return looked_at_ns - mtime_ns < RACY_WINDOW_NS


def _file_size(path: str | Path) -> int | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_size if stat.st_size > 0 else None


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
