"""What an image really is, from its first bytes: the one table of image signatures, for covers (an
upstream's bytes are checked before they are trusted) and for streams (segments disguised behind a
fake image header)."""

from __future__ import annotations

from dataclasses import dataclass

# Signature, MIME type, short name. GIF and BMP headers are what disguised segments use too.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"GIF87a", "image/gif", "GIF"),
    (b"GIF89a", "image/gif", "GIF"),
    (b"BM", "image/bmp", "BMP"),
)
HEAD_BYTES = 16  # enough of a file to tell


@dataclass(frozen=True)
class Cover:
    """A picture as served: a cover as stored, or one of its thumbnails."""

    body: bytes
    content_type: str
    mtime: float  # of the file it was read from
    etag: str  # a strong validator: changes whenever ``body`` may have (unquoted)
    version: int = 0  # of the cover file it comes from (picture_version): what a versioned URL names


def picture_version(ino: int, mtime_ns: int, size: int) -> int:
    """One number per version of a picture file (a new file, mtime or size is a new version), the same
    in every process and small enough for a JavaScript number: what a cover's versioned URL carries
    (``?v=``), so that a browser may keep it for good and still see a replaced cover."""
    return hash((ino, mtime_ns, size)) & (2**53 - 1)


def image_content_type(head: bytes) -> str | None:
    """The MIME type of a cover from its first bytes; None when it is not an image a browser shows
    as a cover (BMP is no cover: a two-byte signature says too little on its own)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    found = _match(head)
    return found[1] if found is not None and found[2] != "BMP" else None


def image_format(head: bytes) -> str | None:
    """The short name (PNG, JPEG, GIF, BMP) of the image header ``head`` starts with, if any. Only the
    first bytes of each signature count: a fake header in front of a stream need not be a whole one."""
    return next((name for signature, _, name in _SIGNATURES if head.startswith(signature[:4])), None)


def _match(head: bytes) -> tuple[bytes, str, str] | None:
    return next((item for item in _SIGNATURES if head.startswith(item[0])), None)
