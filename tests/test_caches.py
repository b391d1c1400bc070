"""The small caches that keep the hot endpoints near the framework's floor stay correct."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nassav.library.caches import ByteBudgetCache
from tests.helpers import make_resource, read_envelope

API = "/nassav/api"


def test_byte_budget_cache_evicts_least_recently_used() -> None:
    cache = ByteBudgetCache(10)
    cache.put("a", "A", 4)
    cache.put("b", "B", 4)
    assert cache.get("a") == "A"  # a is now the most recent
    cache.put("c", "C", 4)  # over budget: b goes
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == ("A", "C")
    cache.put("a", "A2", 4)  # replacing does not count twice
    cache.put("d", "D", 2)
    assert (cache.get("a"), cache.get("c"), cache.get("d")) == ("A2", "C", "D")
    cache.put("huge", "H", 11)
    assert cache.get("huge") is None


async def test_metadata_follows_a_rewritten_file(api: Any, library_root: Path) -> None:
    folder = make_resource(library_root, "SSIS-469", title="old")
    first = await read_envelope(await api.get(f"{API}/resource/metadata", params={"avid": "SSIS-469"}), 200)
    assert first["data"]["title"] == "old"
    replacement = folder / "new.json"
    replacement.write_text(json.dumps({"title": "new title"}), "utf-8")
    replacement.replace(folder / "SSIS-469.json")  # as every writer that is careful does
    second = await read_envelope(await api.get(f"{API}/resource/metadata", params={"avid": "SSIS-469"}), 200)
    assert second["data"]["title"] == "new title"


async def test_cover_follows_a_replaced_file(api: Any, library_root: Path) -> None:
    from tests.helpers import JPEG_BYTES, PNG_BYTES

    folder = make_resource(library_root, "SSIS-469", cover=JPEG_BYTES)
    assert (await api.get(f"{API}/resource/cover", params={"avid": "SSIS-469"})).content_type == "image/jpeg"
    (folder / "tmp.png").write_bytes(PNG_BYTES)
    (folder / "tmp.png").replace(folder / "SSIS-469.jpg")
    response = await api.get(f"{API}/resource/cover", params={"avid": "SSIS-469"})
    assert response.content_type == "image/png"
    assert await response.read() == PNG_BYTES
