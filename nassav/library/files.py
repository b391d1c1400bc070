"""The resource/ tree: one folder per AVID holding {AVID}.html, .jpg, .json and .mp4.

Every write is atomic (temp file, fsync, rename), so a crash leaves either the old file or the new
one, never half of one. The listing comes from an index (index.py) that our own writes keep
in sync and that notices what is added, removed or changed by hand.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import secrets
import shutil
from collections import OrderedDict
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from nassav.avid import is_safe_name
from nassav.errors import InvalidAvid, NotFound
from nassav.library import snapshot
from nassav.library.index import INDEXED_FIELDS, Entry, LibraryIndex
from nassav.library.locks import KeyedLocks
from nassav.library.model import ResourceInfo

log = logging.getLogger(__name__)

INFO_CACHE_SIZE = 2048  # metadata kept in memory for the metadata endpoint


class Library:
    def __init__(self, root: Path, *, sweep_interval_s: float = 2.0) -> None:
        self.root = root
        self._root_path = str(root)
        self._index = LibraryIndex(self._root_path, _load_indexed, sweep_interval_s=sweep_interval_s)
        self._infos: OrderedDict[str, tuple[tuple[int, int, int], ResourceInfo | None]] = OrderedDict()
        # Every writer of one AVID's folder takes this lock: a delete cannot be undone by a refresh
        # or a download that finishes after it.
        self._writers = KeyedLocks()

    def writing(self, avid: str) -> AbstractAsyncContextManager[None]:
        """Hold the write lock of ``avid``'s folder (not re-entrant: the writes below take it too)."""
        return self._writers.hold(avid)

    @property
    def version(self) -> int:
        """Changes whenever the listing does: a key for caches of it."""
        return self._index.version

    # --- paths -------------------------------------------------------------------------------

    def folder(self, avid: str) -> Path:
        return Path(self._folder_path(avid))

    def _folder_path(self, avid: str) -> str:
        if not is_safe_name(avid):  # defence in depth: callers pass normalized AVIDs already
            raise InvalidAvid(f"视频编号 {avid!r} 无效")
        return os.path.join(self._root_path, avid)

    def file(self, avid: str, ext: str) -> Path:
        return Path(self.file_path(avid, ext))

    # --- reads -------------------------------------------------------------------------------

    def read_info(self, avid: str) -> ResourceInfo | None:
        """The resource's metadata, or None when it has none (or only a corrupt file).

        Recently read ones are kept while their file is unchanged (same inode, mtime and size: our
        writes replace the file, so a new version always has a new inode)."""
        path = self.file_path(avid, "json")
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

    def video_size(self, avid: str) -> int | None:
        return self.file_size(avid, "mp4")

    def file_size(self, avid: str, ext: str) -> int | None:
        """The size of {AVID}.{ext}; None when it is missing or empty."""
        return _file_size(self.file_path(avid, ext))

    def file_path(self, avid: str, ext: str) -> str:
        return f"{self._folder_path(avid)}/{avid}.{ext}"  # hot: a string, not pathlib, not os.path.join

    def entries(self) -> list[Entry]:
        """All resources with readable metadata, sorted by AVID."""
        return self._index.entries()

    def refresh(self) -> None:
        self._index.refresh()

    def start(self, snapshot_file: Path) -> int:
        """The first full look at the library, from the snapshot of the last run where folders are
        unchanged; answers how many metadata files had to be read."""
        self._index.seed(snapshot.load(snapshot_file))
        self._index.refresh()
        return self._index.reads

    def rows(self) -> snapshot.Known:
        """What a snapshot keeps (taken on the event loop, written in a thread: see snapshot.save)."""
        return self._index.known()

    def video_avids(self) -> list[str]:
        return [entry.avid for entry in self.entries() if entry.has_video]

    # --- writes ------------------------------------------------------------------------------

    async def save(self, avid: str, files: Mapping[str, bytes]) -> None:
        """Write {AVID}.{ext} for each item, in order, off the event loop (each write is fsync'd).
        The caller holds ``writing(avid)``."""
        await asyncio.to_thread(self._write_files, avid, files)
        self._index.check(avid)

    def _write_files(self, avid: str, files: Mapping[str, bytes]) -> None:
        for ext, data in files.items():
            path = self.file(avid, ext)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)

    async def install_video(self, avid: str, source: Path, *, wanted: Callable[[], bool]) -> int | None:
        """Move a finished download into place as {AVID}.mp4 and return its size; None, leaving the
        library untouched, when once the write lock is held ``wanted()`` says no (the download was
        cancelled while it waited) or the resource is gone (deleted while it downloaded)."""
        async with self.writing(avid):
            if not wanted():
                return None
            # fsync and (across disks) copy gigabytes: off the event loop.
            size = await asyncio.to_thread(self._install_video, avid, source)
        self._index.check(avid)
        return size

    def _install_video(self, avid: str, source: Path) -> int | None:
        target = self.file(avid, "mp4")
        if not target.with_suffix(".json").is_file():  # the resource was deleted while it downloaded
            return None
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
        return target.stat().st_size

    async def delete_resource(self, avid: str) -> list[str]:
        """Remove the whole folder (off the event loop: it may hold gigabytes); return the names of
        the files that were in it."""
        async with self.writing(avid):
            names = await asyncio.to_thread(self._delete_folder, avid)
            self._infos.pop(avid, None)
            self._index.forget(avid)
        return names

    def _delete_folder(self, avid: str) -> list[str]:
        folder = self.folder(avid)
        if not folder.is_dir():
            raise NotFound(f"资源 {avid} 不存在")
        names = sorted(path.name for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))
        if folder.is_symlink():  # a folder linked in from another disk: remove the link, not the disk
            folder.unlink()
        else:
            shutil.rmtree(folder)
        return names

    async def delete_video(self, avid: str) -> int:
        """Remove {AVID}.mp4 only; return its size."""
        async with self.writing(avid):
            size = await asyncio.to_thread(self._delete_file, avid, "mp4")
            self._index.check(avid)
        if size is None:
            raise NotFound(f"视频 {avid} 不存在")
        return size

    def _delete_file(self, avid: str, ext: str) -> int | None:
        path = self.file(avid, ext)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return None
        return size


def encode_info(info: ResourceInfo) -> bytes:
    return json.dumps(info.to_json(), ensure_ascii=False, indent=2).encode()


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


def _load_info(avid: str, path: str, only: tuple[str, ...] | None = None) -> ResourceInfo | None:
    try:
        with open(path, "rb") as fh:
            return ResourceInfo.from_json(avid, json.loads(fh.read()), only=only)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("skipping %s: unreadable metadata (%s)", path, exc)
        return None


def _load_indexed(avid: str, path: str) -> ResourceInfo | None:
    return _load_info(avid, path, INDEXED_FIELDS)


def _file_size(path: str | Path) -> int | None:
    # Most folders have no video yet: asking first is far cheaper than the exception a stat raises.
    if not os.access(path, os.F_OK):
        return None
    try:
        stat = os.stat(path)
    except OSError:  # missing, or unreadable (a dangling link, a lost share): not there for us
        return None
    return stat.st_size if stat.st_size > 0 else None
