"""AVID normalization, and the gate it puts between client input and the filesystem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from yarl import URL

from nassav.avid import normalize_avid
from nassav.errors import InvalidAvid
from tests.helpers import make_resource, read_envelope

API = "/nassav/api"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SSIS-469", "SSIS-469"),
        ("ssis-469", "SSIS-469"),
        ("ssis469", "SSIS-469"),
        ("  SSIS-469 ", "SSIS-469"),
        ("SSIS-469\n", "SSIS-469"),
        ("SSIS 469", "SSIS-469"),
        ("ＳＳＩＳ－４６９", "SSIS-469"),
        ("300mium-123", "300MIUM-123"),
        ("300mium123", "300MIUM-123"),
        ("HEYZO-1234", "HEYZO-1234"),
        ("010123-001", "010123-001"),
        ("012345_001", "012345_001"),
        ("SSIS-469-C", "SSIS-469-C"),
        ("FC2-PPV-1234567", "FC2-PPV-1234567"),
        ("fc2ppv1234567", "FC2-PPV-1234567"),
        ("FC2-1234567", "FC2-PPV-1234567"),
        ("fc2_ppv_123456", "FC2-PPV-123456"),
        ("FC2 PPV 123456", "FC2-PPV-123456"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize_avid(raw) == expected


# Anything that could name a path outside the resource directory, or is otherwise not an AVID.
TRAVERSALS = [
    "..",
    "../",
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "%2e%2e%2f",
    "%2e%2e/",
    "..%2f",
    "%252e%252e%252f",
    "SSIS-469/../../victim",
    "SSIS-469/..",
    "SSIS-469\x00",
    "SSIS-469\x00.json",
    "\x00",
    "/etc/passwd",
    "\\\\server\\share",
    "C:\\Windows",
    "SSIS-469/",
    "./SSIS-469",
    "....//",
    "..;/",
    "%c0%ae%c0%ae/",
    "．．／",  # full-width dots and slash: NFKC turns them into ../
    "..\u2215",  # division slash
    "SSIS-469%00",
    "A" * 200,
    "SSIS-" + "1" * 80,
    "~root",
    "$HOME",
    "SSIS-469\r\nX-Injected: 1",
    "..%5c",
    "%2F",
    "SSIS-469.mp4",
    "*",
    "?",
    ".",
    "...",
    ".SSIS-469",
    "SSIS--469",
    "-SSIS-469",
    "SSIS-469-",
    "",
    "   ",
    "SSIS",
]


@pytest.mark.parametrize("raw", TRAVERSALS)
def test_rejects(raw: str) -> None:
    with pytest.raises(InvalidAvid):
        normalize_avid(raw)


def test_there_are_enough_traversal_variants() -> None:
    assert len(TRAVERSALS) >= 30


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """Files outside the resource directory that a traversal would reach."""
    outside = tmp_path / "victim"
    outside.mkdir()
    (outside / "victim.json").write_text('{"title": "secret"}', "utf-8")
    (outside / "victim.mp4").write_bytes(b"\x00" * 10)
    return outside


@pytest.mark.parametrize("raw", TRAVERSALS)
async def test_query_avids_are_400(api: Any, library_root: Path, victim: Path, raw: str) -> None:
    make_resource(library_root, "SSIS-469", video=b"\x00" * 10)
    for path in ("resource/metadata", "resource/cover", "resource/video", "downloads/abspath"):
        body = await read_envelope(await api.get(f"{API}/{path}", params={"avid": raw}), 400)
        assert body["data"]["avid"]
        assert "secret" not in body["message"]


@pytest.mark.parametrize("raw", TRAVERSALS)
async def test_path_avids_never_touch_files(api: Any, library_root: Path, victim: Path, raw: str) -> None:
    make_resource(library_root, "ABP-001", video=b"\x00" * 10)
    before = sorted(p.relative_to(library_root.parent) for p in library_root.parent.rglob("*"))
    for path in ("resource", "downloads"):
        # Sent byte for byte as given (percent-encoded where HTTP needs it), so the server sees it raw.
        url = URL(f"{API}/{path}/" + _quote_raw(raw), encoded=True)
        response = await api.delete(url)
        # 400 from the AVID gate, or 404 when the router already refuses the shape (e.g. a bare "/").
        assert response.status in (400, 404, 405)
        await read_envelope(response, response.status)
    after = sorted(p.relative_to(library_root.parent) for p in library_root.parent.rglob("*"))
    assert after == before


def _quote_raw(raw: str) -> str:
    """Percent-encode only what cannot appear in a request line; keep /, %, dots and the rest."""
    return "".join(c if 0x21 <= ord(c) < 0x7F and c not in "?#" else _percent(c) for c in raw)


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode())
