"""POST /resource and POST /resource/refresh: fallthrough, failures, scraping, conflicts, refresh."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from nassav.app import create_app
from nassav.sources.registry import SOURCE_NAMES
from tests.fakeweb.sites import jable
from tests.helpers import read_envelope

API = "/nassav/api"
AVID = "SSIS-469"


async def add(client: Any, avid: str, source: str | None, status: int) -> dict[str, Any]:
    payload = {"avid": avid} if source is None else {"avid": avid, "source": source}
    return await read_envelope(await client.post(f"{API}/resource", json=payload), status)


def stored(library_root: Path, avid: str = AVID) -> dict[str, Any]:
    return dict(json.loads((library_root / avid / f"{avid}.json").read_text("utf-8")))


async def test_any_falls_through_three_failing_sources_to_the_fourth(web_api: Any, fakeweb: Any) -> None:
    fakeweb["jable"].mode = "cloudflare"
    fakeweb["missav"].mode = "error"
    fakeweb["hohoj"].mode = "changed"
    body = await add(web_api, AVID, None, 201)  # source defaults to "any"
    assert body["data"]["source"] == "Memo"
    assert fakeweb["kanav"].requests == []  # first hit wins: later sources are not asked


async def test_nothing_found_names_each_source_briefly(web_api: Any, fakeweb: Any) -> None:
    for key in ("jable", "missav", "hohoj", "memo", "kanav", "avtoday", "netflav", "kissav"):
        fakeweb[key].mode = "missing"
    body = await add(web_api, AVID, "any", 404)
    assert body["message"] == f"无法从任何源获取 {AVID} 的信息"
    assert list(body["data"]["reasons"]) == list(SOURCE_NAMES)


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("cloudflare", "blocked by Cloudflare at "),
        ("forbidden", "answered HTTP 403"),
        ("error", "answered HTTP 500"),
        ("slow", "unreachable"),
        ("garbage", "Jable: unable to extract"),
    ],
)
async def test_failure_modes_are_reported_per_source(web_api: Any, fakeweb: Any, mode: str, reason: str) -> None:
    fakeweb["jable"].mode = mode
    body = await add(web_api, AVID, "jable", 404)
    assert reason in body["data"]["reasons"]["Jable"]


async def test_cloudflare_reason_tells_the_fix(web_api: Any, fakeweb: Any) -> None:
    fakeweb["jable"].mode = "cloudflare"
    body = await add(web_api, AVID, "jable", 404)
    assert "set a cf_clearance cookie for Jable" in body["data"]["reasons"]["Jable"]


async def test_transient_errors_are_retried(serve_app: Any, make_settings: Any, fakeweb: Any) -> None:
    config = fakeweb.config()
    config["http"]["retries"] = 1
    client = await serve_app(create_app(make_settings(**config)))
    fakeweb["jable"].mode = "flaky"  # one 500, then the page
    body = await add(client, AVID, "jable", 201)
    assert body["data"]["source"] == "Jable"
    assert len([r for r in fakeweb["jable"].requests if r.path_qs.startswith("/videos/")]) == 2


async def test_unknown_source_is_400_with_available_sources(web_api: Any) -> None:
    body = await add(web_api, AVID, "youtube", 400)
    assert body["message"] == "源 youtube 不存在"
    assert body["data"]["available_sources"][0] == "Jable"


async def test_bad_avid_is_400(web_api: Any, fakeweb: Any) -> None:
    body = await add(web_api, "../etc/passwd", "jable", 400)
    assert "avid" in body["data"]
    assert fakeweb["jable"].requests == []


async def test_existing_resource_is_409_with_its_summary(web_api: Any, library_root: Path) -> None:
    first = await add(web_api, AVID, "jable", 201)
    again = await add(web_api, "ssis469", "missav", 409)
    assert again["message"] == "资源已存在"
    assert again["data"] == first["data"]


async def test_concurrent_adds_make_one_resource(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    responses = await asyncio.gather(
        *(web_api.post(f"{API}/resource", json={"avid": AVID, "source": "jable"}) for _ in range(8))
    )
    assert sorted(r.status for r in responses) == [201] + [409] * 7
    assert sorted(p.name for p in (library_root / AVID).iterdir()) == [f"{AVID}.html", f"{AVID}.jpg", f"{AVID}.json"]
    assert len([r for r in fakeweb["jable"].requests if r.path_qs.startswith("/videos/")]) == 1


async def test_scraper_mirrors_are_tried_in_order(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    fakeweb["javbus"].mode = "error"
    fakeweb["busdmm"].mode = "cloudflare"
    body = await add(web_api, AVID, "jable", 201)
    assert body["data"]["scraped"] is True
    assert fakeweb["dmmsee"].headers_seen("Cookie") == ["age=verified; existmag=mag"]
    info = stored(library_root)
    assert info["actors"] == ["葵つかさ", "三上悠亜"]  # full names from the avatar titles, not the cut text
    assert info["genres"] == ["單體作品", "巨乳", "高畫質"]
    assert info["duration"] == "120分钟"
    assert info["director"] == "紋℃"
    assert info["series"] == "約束の夏"


async def test_scraping_failure_does_not_fail_the_add(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    for key in ("javbus", "busdmm", "dmmsee"):
        fakeweb[key].mode = "missing"
    body = await add(web_api, AVID, "jable", 201)
    assert body["data"]["scraped"] is False
    assert body["data"]["cover_downloaded"] is True  # the source's own cover
    info = stored(library_root)
    assert info["m3u8"] == jable.expected_stream(fakeweb["jable"], AVID)
    assert info["actors"] == []


async def test_a_cover_that_is_not_an_image_is_not_saved(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    for key in ("javbus", "busdmm", "dmmsee"):
        fakeweb[key].mode = "missing"  # no big cover: the source's og:image is the only candidate
    fakeweb["jable"].mode = "ok"
    fakeweb["jable"].cover_override = b"<html>not an image</html>"
    body = await add(web_api, AVID, "jable", 201)
    assert body["data"]["cover_downloaded"] is False
    assert not (library_root / AVID / f"{AVID}.jpg").exists()


async def test_refresh_updates_the_stream_link(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    await add(web_api, AVID, "jable", 201)
    fakeweb["jable"].generation = 2
    body = await read_envelope(await web_api.post(f"{API}/resource/refresh/ssis-469"), 200)
    assert body["data"]["source"] == "Jable"
    assert stored(library_root)["m3u8"] == jable.expected_stream(fakeweb["jable"], AVID)
    assert stored(library_root)["m3u8"].endswith("gen=2")


async def test_failed_refresh_keeps_the_old_files(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    await add(web_api, AVID, "jable", 201)
    before = {p.name: p.read_bytes() for p in (library_root / AVID).iterdir()}
    fakeweb["jable"].mode = "error"
    fakeweb["jable"].generation = 3
    body = await read_envelope(await web_api.post(f"{API}/resource/refresh/{AVID}"), 502)
    assert body["message"] == f"从 Jable 刷新 {AVID} 失败"
    assert {p.name: p.read_bytes() for p in (library_root / AVID).iterdir()} == before


async def test_refresh_keeps_scraped_metadata_when_mirrors_fail(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    await add(web_api, AVID, "jable", 201)
    for key in ("javbus", "busdmm", "dmmsee"):
        fakeweb[key].mode = "error"
    body = await read_envelope(await web_api.post(f"{API}/resource/refresh/{AVID}"), 200)
    assert body["data"]["scraped"] is True
    assert stored(library_root)["studio"] == "エスワン ナンバーワンスタイル"


async def test_refresh_of_unknown_resource_is_404(web_api: Any) -> None:
    body = await read_envelope(await web_api.post(f"{API}/resource/refresh/{AVID}"), 404)
    assert body["message"] == f"{AVID} 的资源不存在，请先调用 /api/resource/new 添加资源"


async def test_added_resource_is_listed_with_its_cover(web_api: Any) -> None:
    await add(web_api, AVID, "jable", 201)
    listing = await read_envelope(await web_api.get(f"{API}/resource/list"), 200)
    assert listing["data"][0]["avid"] == AVID
    assert listing["data"][0]["source"] == "Jable"
    cover = await web_api.get(f"{API}/resource/cover", params={"avid": AVID})
    assert cover.content_type == "image/jpeg"


async def test_stream_headers_are_stored_without_cookies(web_api: Any, library_root: Path) -> None:
    await read_envelope(
        await web_api.post(f"{API}/source/cookie", json={"source": "jable", "cookie": "cf_clearance=zzz"}), 200
    )
    await add(web_api, AVID, "jable", 201)
    info = stored(library_root)
    assert info["stream_headers"] == {"Referer": info["stream_headers"]["Referer"]}
    assert "zzz" not in json.dumps(info)
