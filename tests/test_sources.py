"""Every source through the real path: server -> source -> curl_cffi -> fake site, and back.

Each fake site declares its cases as data (``CASES`` in tests/fakeweb/sites/<key>.py); one test runs
them all. The same journey runs again with every site behind a path-based mirror.
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


# --- behind a path-based mirror: configured addresses keep their path ------------------------------


@pytest.fixture
async def mirrored_api(serve_app: Any, make_settings: Any, mirrored_fakeweb: Any) -> Any:
    from nassav.app import create_app

    return await serve_app(create_app(make_settings(**mirrored_fakeweb.config())))


@pytest.mark.parametrize("key", SOURCE_SITES)
async def test_source_behind_a_path_mirror(
    mirrored_api: Any, mirrored_fakeweb: Any, library_root: Path, key: str
) -> None:
    """Pages, covers, the CDN (missav, memo: ``cdn_url`` with a path) and the metadata mirror all sit
    under ``/mirror/<key>`` of one host; nothing is asked of the host's root."""
    case = next(case for case in site_module(key).CASES if case.hit)
    body = await add(mirrored_api, case.avid, key, 201)
    await check_saved(mirrored_api, mirrored_fakeweb, library_root, key, case, body)
    stored = json.loads((library_root / case.avid / f"{case.avid}.json").read_text("utf-8"))
    assert "/mirror/" in stored["m3u8"]
    assert mirrored_fakeweb["javbus"].requests  # the metadata came through the mirror's /mirror/javbus


@pytest.mark.parametrize("key", SOURCE_SITES)
async def test_cookie_stays_under_the_sites_path(mirrored_api: Any, mirrored_fakeweb: Any, key: str) -> None:
    """Every mirrored site shares one host: a source's cookie goes below its own path only."""
    cookie = f"cf_clearance=tok-{key}"
    await read_envelope(await mirrored_api.post(f"{API}/source/cookie", json={"source": key, "cookie": cookie}), 200)
    await add(mirrored_api, site_module(key).HIT, key, 201)
    assert mirrored_fakeweb[key].headers_seen("Cookie")
    for other, site in mirrored_fakeweb.sites.items():
        if other != key:
            assert cookie not in site.headers_seen("Cookie"), other
