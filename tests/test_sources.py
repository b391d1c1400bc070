"""Every source through the real path: server -> source -> curl_cffi -> fake site, and back.

Each fake site declares its cases as data (``CASES`` in tests/fakeweb/sites/<key>.py); one test runs
them all.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from nassav.sources.registry import SOURCE_NAMES
from tests.fakeweb.cases import Case
from tests.fakeweb.server import SOURCE_SITES
from tests.helpers import read_envelope

API = "/nassav/api"
CANONICAL = {name.lower(): name for name in SOURCE_NAMES}


def site_module(key: str) -> Any:
    return importlib.import_module(f"tests.fakeweb.sites.{key}")


CASES = [pytest.param(key, case, id=case.id(key)) for key in SOURCE_SITES for case in site_module(key).CASES]


async def add(client: Any, avid: str, source: str, status: int) -> dict[str, Any]:
    return await read_envelope(await client.post(f"{API}/resource", json={"avid": avid, "source": source}), status)


@pytest.mark.parametrize(("key", "case"), CASES)
async def test_site_cases(web_api: Any, fakeweb: Any, library_root: Path, key: str, case: Case) -> None:
    body = await add(web_api, case.typed or case.avid, key.upper(), 201 if case.hit else 404)
    if case.hit:
        await check_saved(web_api, fakeweb, library_root, key, case, body)
    else:
        assert body["message"] == f"无法从任何源获取 {case.avid} 的信息"
        assert list(body["data"]["reasons"]) == [CANONICAL[key]]
        assert not (library_root / case.avid).exists()


async def check_saved(client: Any, web: Any, library_root: Path, key: str, case: Case, body: dict[str, Any]) -> None:
    """Page, cover and metadata saved; the stream the site names; the scraped fields filled in."""
    assert body["data"] == {
        "avid": case.avid,
        "title": body["data"]["title"],
        "source": CANONICAL[key],
        "cover_downloaded": True,
        "html_saved": True,
        "metadata_saved": True,
        "scraped": True,
    }
    assert case.title in body["data"]["title"]
    assert case.avid not in body["data"]["title"]  # the AVID is a field of its own
    folder = library_root / case.avid
    assert sorted(p.name for p in folder.iterdir()) == [f"{case.avid}{ext}" for ext in (".html", ".jpg", ".json")]
    stored = json.loads((folder / f"{case.avid}.json").read_text("utf-8"))
    assert stored["m3u8"] == site_module(key).expected_stream(web[key], case.avid)
    assert stored["source"] == CANONICAL[key]
    meta = await read_envelope(await client.get(f"{API}/resource/metadata", params={"avid": case.avid}), 200)
    for field in case.metadata:
        assert meta["data"][field], field
    assert meta["data"]["duration"].endswith("分钟")


@pytest.mark.parametrize("key", SOURCE_SITES)
async def test_changed_layout_is_a_clear_extract_error(web_api: Any, fakeweb: Any, key: str) -> None:
    fakeweb[key].mode = "changed"
    body = await add(web_api, site_module(key).HIT, key, 404)
    reason = body["data"]["reasons"][CANONICAL[key]]
    assert f"{CANONICAL[key]}: unable to extract" in reason


@pytest.mark.parametrize("key", SOURCE_SITES)
async def test_stored_cookie_is_sent_on_the_next_request(web_api: Any, fakeweb: Any, key: str) -> None:
    cookie = f"cf_clearance=tok-{key}; PHPSESSID=s1"
    await read_envelope(await web_api.post(f"{API}/source/cookie", json={"source": key, "cookie": cookie}), 200)
    await add(web_api, site_module(key).HIT, key, 201)
    seen = fakeweb[key].headers_seen("Cookie")
    assert seen
    assert all(value == cookie for value in seen)
