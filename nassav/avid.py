"""AVID normalization and validation: the only gate between client input and the filesystem.

Whatever passes ``normalize_avid`` is made of A-Z, 0-9, ``-`` and ``_`` only, so it can name a folder
and a file without any chance of leaving the resource directory.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from nassav.errors import InvalidAvid, printable_excerpt

MAX_INPUT_CHARS = 64
MAX_AVID_CHARS = 32

# Parts of letters/digits joined by single dashes or underscores, with at least one digit somewhere:
# SSIS-469, 300MIUM-123, HEYZO-1234, 010123-001, 012345_001, SSIS-469-C, FC2-PPV-1234567.
_VALID = re.compile(r"[A-Z0-9]{1,16}(?:[-_][A-Z0-9]{1,16}){1,3}")
_FC2 = re.compile(r"FC2[-_ ]*(?:PPV[-_ ]*)?(\d{5,9})")
_GLUED = re.compile(r"(\d{0,4}[A-Z]{2,10})(\d{2,6})")  # ssis469 -> SSIS-469
_SPACES = re.compile(r"\s+")


def normalize_avid(raw: str) -> str:
    """Return the canonical AVID for ``raw`` or raise ``InvalidAvid``.

    ``ssis469``, `` SSIS 469 `` and full-width ``ＳＳＩＳ－４６９`` all become ``SSIS-469``;
    ``fc2ppv123456`` and ``FC2-123456`` become ``FC2-PPV-123456``.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidAvid("视频编号不能为空")
    if len(raw) > MAX_INPUT_CHARS:
        raise InvalidAvid(f"视频编号过长（最多 {MAX_INPUT_CHARS} 个字符）")
    text = unicodedata.normalize("NFKC", raw).strip().upper()
    text = _SPACES.sub("-", text)
    fc2 = _FC2.fullmatch(text)
    if fc2:
        text = f"FC2-PPV-{fc2.group(1)}"
    glued = _GLUED.fullmatch(text)
    if glued:
        text = f"{glued.group(1)}-{glued.group(2)}"
    if len(text) > MAX_AVID_CHARS or not _VALID.fullmatch(text) or not any(c.isdigit() for c in text):
        raise InvalidAvid(f"视频编号 {printable_excerpt(raw)} 无效")
    return text


def is_avid(name: str) -> bool:
    """True when ``name`` is already a canonical AVID (used to recognise library folders)."""
    try:
        return normalize_avid(name) == name
    except InvalidAvid:
        return False


@functools.lru_cache(maxsize=65536)
def is_safe_name(name: str) -> bool:
    """The property the filesystem relies on, checked cheaply: only A-Z, 0-9, ``-`` and ``_``, in the
    shape of an AVID. Every canonical AVID has it; nothing with it can leave a folder."""
    return len(name) <= MAX_AVID_CHARS and _VALID.fullmatch(name) is not None
