"""Every source through the real path: server -> source -> curl_cffi -> fake site, and back."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from nassav.sources.registry import SOURCE_NAMES
from tests.fakeweb.server import SOURCE_SITES
from tests.helpers import read_envelope

API = "/nassav/api"
CANONICAL = {name.lower(): name for name in SOURCE_NAMES}


def site_module(key: str) -> Any:
    return importlib.import_module(f"tests.fakeweb.sites.{key}")


async def add(client: Any, avid: str, source: str, status: int) -> dict[str, Any]:
    return await read_envelope(await client.post(f"{API}/resource", json={"avid": avid, "source": source}), status)


@pytest.mark.parametrize("key", SOURCE_SITES)
async def test_hit_saves_page_cover_and_full_metadata(
    web_api: Any, fakeweb: Any, library_root: Path, key: str
) -> None:
    site = site_module(key)
    body = await add(web_api, site.HIT.lower(), key.upper(), 201)
    avid = site.HIT
    assert body["data"] == {
        "avid": avid,
        "title": body["data"]["title"],
        "source": CANONICAL[key],
        "cover_downloaded": True,
        "html_saved": True,
        "metadata_saved": True,
        "scraped": True,
    }
    assert body["data"]["title"]
    assert avid not in body["data"]["title"]  # the AVID is a field of its own
    folder = library_root / avid
    assert sorted(p.name for p in folder.iterdir()) == [f"{avid}.html", f"{avid}.jpg", f"{avid}.json"]
    stored = json.loads((folder / f"{avid}.json").read_text("utf-8"))
    assert stored["m3u8"] == site.expected_stream(fakeweb[key], avid)
    assert stored["source"] == CANONICAL[key]
    meta = await read_envelope(await web_api.get(f"{API}/resource/metadata", params={"avid": avid}), 200)
    for field in ("release_date", "duration", "studio", "label", "actors", "genres"):
        assert meta["data"][field], field
    assert meta["data"]["duration"].endswith("分钟")


@pytest.mark.parametrize("key", SOURCE_SITES)
async def test_miss_is_404_naming_the_source(web_api: Any, key: str) -> None:
    body = await add(web_api, site_module(key).MISS, key, 404)
    assert body["message"] == f"无法从任何源获取 {site_module(key).MISS} 的信息"
    assert list(body["data"]["reasons"]) == [CANONICAL[key]]


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
