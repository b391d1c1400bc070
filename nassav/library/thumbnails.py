"""Thumbnails of covers: JPEGs a few hundred pixels wide for pages that show dozens of covers.

Each is made once per version of its cover (the cover file's inode, mtime and size name it), off the
event loop, never twice at once, and kept on disk in ``[paths] thumbnail_dir``/{AVID}/: outside the
AVID folders, which media servers read. Recent ones are served from memory. Only a cover that really is
an image becomes a thumbnail, and one with too many pixels (a decompression bomb) is refused unread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import logging
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from nassav.avid import is_safe_name
from nassav.errors import BadRequest, InvalidAvid, NotFound, UnreadableImage
from nassav.library.caches import ByteBudgetCache
from nassav.library.files import atomic_write
from nassav.library.images import HEAD_BYTES, Cover, image_content_type, picture_version
from nassav.library.locks import KeyedLocks

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

SIZES: dict[str, int] = {"small": 200, "medium": 600, "large": 1200}  # width in pixels
FORMATS = ("JPEG", "PNG", "GIF", "WEBP")  # the covers images.image_content_type accepts
MAX_COVER_PIXELS = 25_000_000  # a 6000x4000 photo; site covers are far smaller
JPEG_QUALITY = 85
CACHE_BYTES = 32 * 1024 * 1024
WORKERS = 2  # thumbnails made at once: decoding is CPU and memory, and a NAS has little of both
JPEG_START, JPEG_END = b"\xff\xd8\xff", b"\xff\xd9"


class Thumbnails:
    def __init__(self, root: Path, *, cache_bytes: int = CACHE_BYTES, workers: int = WORKERS) -> None:
        self._root = root
        self._memory = ByteBudgetCache(cache_bytes)
        # One lock per AVID: a thumbnail is made once however many ask for it, and never written
        # while the AVID's thumbnails are being removed.
        self._locks = KeyedLocks()
        self._workers = asyncio.Semaphore(workers)

    async def of(self, avid: str, size: str, cover: str, stat: os.stat_result) -> Cover:
        """The ``size`` thumbnail of the cover at path ``cover`` as ``stat`` describes it. NotFound when
        the cover went away, UnreadableImage when it cannot be decoded."""
        key = (avid, size, stat.st_ino, stat.st_mtime_ns, stat.st_size)
        found = self._memory.get(key)
        if found is not None:
            return found
        if size not in SIZES:  # the web layer checks it; a file name is made of it below
            raise BadRequest(f"缩略图尺寸 {size!r} 无效")
        async with self._locks.hold(avid):
            found = self._memory.get(key)  # made while this request waited for the lock
            if found is None:
                path = self._folder(avid) / f"{size}-{stat.st_ino:x}-{stat.st_mtime_ns:x}-{stat.st_size:x}.jpg"
                found = await asyncio.to_thread(_load, path)
                if found is None:
                    async with self._workers:
                        found = await asyncio.to_thread(_make, avid, SIZES[size], cover, path)
                found = dataclasses.replace(found, version=picture_version(stat.st_ino, stat.st_mtime_ns, stat.st_size))
                self._memory.put(key, found, len(found.body))
        return found

    async def forget(self, avid: str) -> None:
        """Remove every thumbnail of ``avid`` (its resource is gone)."""
        async with self._locks.hold(avid):
            await asyncio.to_thread(shutil.rmtree, self._folder(avid), ignore_errors=True)

    def _folder(self, avid: str) -> Path:
        if not is_safe_name(avid):  # defence in depth: callers pass normalized AVIDs already
            raise InvalidAvid(f"视频编号 {avid!r} 无效")
        return self._root / avid


def render(cover: bytes, width: int) -> bytes:
    """``cover`` as a JPEG ``width`` pixels wide, its aspect ratio kept; as wide as it is when it is
    narrower (never enlarged). UnreadableImage when it is no image, a broken one, or too large."""
    if image_content_type(cover[:HEAD_BYTES]) is None:
        raise UnreadableImage("not an image")
    # Pillow is imported at the first thumbnail, in the worker thread: a service that never makes one
    # never loads it.
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(cover), formats=FORMATS) as image:
            if image.width * image.height > MAX_COVER_PIXELS:
                raise UnreadableImage(f"{image.width}x{image.height} pixels is too many to decode")
            # A JPEG is decoded at a reduced scale, to at least twice the width on both sides: wide enough
            # whichever way its EXIF turns it, and enough for the Lanczos pass to keep the detail.
            image.draft("RGB", (2 * width, 2 * width))
            picture = _flattened(ImageOps.exif_transpose(image))
            picture.thumbnail((width, MAX_COVER_PIXELS), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except UnreadableImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # the warning, if made an error
        raise UnreadableImage(f"too many pixels: {exc}") from None
    except Exception as exc:  # Pillow's decoders raise many types on broken input: OSError, SyntaxError, ...
        raise UnreadableImage(f"cannot be decoded: {type(exc).__name__}: {exc}") from None
    return out.getvalue()


def _flattened(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (a JPEG has none; black behind a logo looks broken)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        from PIL import Image

        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _load(path: Path) -> Cover | None:
    """A thumbnail made before, if it is whole (a crash may have left a torn one: made again)."""
    try:
        with path.open("rb") as fh:
            body = fh.read()
            mtime = os.fstat(fh.fileno()).st_mtime
    except OSError:
        return None
    if not (body.startswith(JPEG_START) and body.endswith(JPEG_END)):
        return None
    return Cover(body, "image/jpeg", mtime, _digest(body))


def _make(avid: str, width: int, cover: str, path: Path) -> Cover:
    try:
        with open(cover, "rb") as fh:
            source = fh.read()
    except (FileNotFoundError, IsADirectoryError):
        raise NotFound(f"封面 {avid} 不存在") from None
    try:
        body = render(source, width)
    except UnreadableImage as exc:
        log.warning("cover %s: no thumbnail (%s)", cover, exc.message)
        raise UnreadableImage(f"封面 {avid} 已损坏，无法生成缩略图") from None
    mtime = _keep(path, body)
    log.debug("made thumbnail %s of %s", path, cover)
    return Cover(body, "image/jpeg", mtime, _digest(body))


def _keep(path: Path, body: bytes) -> float:
    """Write the thumbnail and drop the older versions of it; its mtime. A disk that refuses it (full,
    read-only) costs a warning: the thumbnail is served from memory all the same."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, body)
        size_prefix = path.name.split("-", 1)[0] + "-"
        for old in path.parent.glob(f"{size_prefix}*.jpg"):
            if old != path:
                old.unlink(missing_ok=True)
        return path.stat().st_mtime
    except OSError as exc:
        log.warning("thumbnail %s not kept on disk: %s", path, exc)
        return time.time()


def _digest(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()
