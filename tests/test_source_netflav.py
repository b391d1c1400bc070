"""Netflav specifics: the Next.js record and its not-found state, srcs of several shapes, the search."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from nassav.config import HttpSettings, SourceSettings
from nassav.errors import ExtractFailed, NotOnSource
from nassav.http import HttpClient
from nassav.sources.base import Page
from nassav.sources.netflav import NetflavSource, _date, _names
from tests.fakeweb.catalogue import MISSING_AVID
from tests.fakeweb.sites import netflav
from tests.helpers import read_envelope

API = "/nassav/api"


async def add(client: Any, avid: str, status: int) -> dict[str, Any]:
    return await read_envelope(await client.post(f"{API}/resource", json={"avid": avid, "source": "netflav"}), status)


async def test_video_only_found_through_the_search_is_added(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    avid = netflav.SEARCH_ONLY
    body = await add(web_api, avid, 201)
    assert body["data"]["source"] == "Netflav"
    assert body["data"]["title"] == "雨夜便利店的邂逅"
    stored = json.loads((library_root / avid / f"{avid}.json").read_text("utf-8"))
    assert stored["m3u8"] == netflav.expected_stream(fakeweb["netflav"], avid)
    paths = [r.path_qs for r in fakeweb["netflav"].requests]
    assert paths[:3] == [f"/video?id={avid}", f"/search?keyword={avid}", "/video?id=iYgATu12rL"]


async def test_direct_page_needs_no_search(web_api: Any, fakeweb: Any) -> None:
    await add(web_api, netflav.HIT, 201)
    assert not any(r.path_qs.startswith("/search") for r in fakeweb["netflav"].requests)


async def test_not_found_state_then_empty_search_is_not_on_source(web_api: Any, fakeweb: Any) -> None:
    body = await add(web_api, MISSING_AVID, 404)
    assert "Netflav: ABP-999 is not at /video?id=ABP-999" in body["data"]["reasons"]["Netflav"]
    assert [r.path_qs for r in fakeweb["netflav"].requests] == ["/video?id=ABP-999", "/search?keyword=ABP-999"]


@pytest.fixture
async def source(fakeweb: Any) -> AsyncIterator[NetflavSource]:
    async def no_cookie(name: str) -> str | None:
        return None

    http = HttpClient(HttpSettings(retries=0), no_cookie)
    yield NetflavSource(http, SourceSettings(name="netflav", base_url=fakeweb["netflav"].base_url))
    await http.close()


async def test_hit_carries_the_record_fields(source: NetflavSource, fakeweb: Any) -> None:
    hit = await source.find("SSIS-469")
    site = fakeweb["netflav"]
    assert hit.stream_url == netflav.expected_stream(site, "SSIS-469")  # not the embed srcs before it
    assert hit.title == "夏日海边的约定与重逢"
    assert hit.cover_url == f"{site.base_url}/static/preview/SSIS-469.jpg"
    assert hit.release_date == "2022-07-19"
    assert hit.actors == ("葵つかさ", "三上悠亜")
    assert hit.genres == ("單體作品", "巨乳", "高畫質")


async def test_a_404_video_page_is_not_on_source(source: NetflavSource, fakeweb: Any) -> None:
    fakeweb["netflav"].mode = "missing"
    with pytest.raises(NotOnSource):
        await source.find("SSIS-469")


def next_data(payload: Any) -> Page:
    text = json.dumps(payload, ensure_ascii=False)
    return Page("https://netflav.com/video?id=X", f'<script id="__NEXT_DATA__" type="application/json">{text}</script>')


def video_state(data: Any) -> dict[str, Any]:
    return {"props": {"initialState": {"video": {"isLoading": False, "data": data}}}, "page": "/video"}


async def test_record_and_its_not_found_states(source: NetflavSource) -> None:
    assert source._record(next_data(video_state({"title": "t"}))) == {"title": "t"}
    assert source._record(next_data(video_state(None))) is None
    assert source._record(next_data({"page": "/404", "props": {"pageProps": {"statusCode": 404}}})) is None


@pytest.mark.parametrize(
    ("page", "what"),
    [
        (Page("https://netflav.com/video?id=X", "<html><div id='__next'></div></html>"), "the Next.js data"),
        (next_data({"props": {"initialState": {"user": {}}}, "page": "/video"}), "the video record"),
        (next_data(video_state(["not", "an", "object"])), "the video record"),
    ],
)
async def test_record_missing_is_an_extract_error(source: NetflavSource, page: Page, what: str) -> None:
    with pytest.raises(ExtractFailed, match=rf"^Netflav: unable to extract {what}"):
        source._record(page)


async def test_stream_is_the_m3u8_whatever_the_shape_of_srcs(source: NetflavSource) -> None:
    m3u8 = "https://cdn.example/hls/ssis469/playlist.m3u8"
    srcs: list[Any] = [None, 7, {"label": "HD"}, "https://streamtape.example/e/abc", {"file": m3u8}]
    assert source._stream({"srcs": srcs}) == m3u8
    assert source._stream({"srcs": ["https://fembed.example/v/x", f" {m3u8} "]}) == m3u8
    assert source._stream({"srcs": [{"src": m3u8}]}) == m3u8


@pytest.mark.parametrize("video", [{"srcs": ["https://streamtape.example/e/abc"]}, {"srcs": "x.m3u8"}, {}])
async def test_no_m3u8_in_srcs_is_an_extract_error(source: NetflavSource, video: dict[str, Any]) -> None:
    with pytest.raises(ExtractFailed, match=r"^Netflav: unable to extract the stream URL"):
        source._stream(video)


async def test_title_falls_back_to_og_title_then_title(source: NetflavSource) -> None:
    og = Page("https://netflav.com/video?id=X", '<meta property="og:title" content="SSIS-469 夏日">')
    assert source._title(og, {"title": None}, "SSIS-469") == "夏日"
    plain = Page("https://netflav.com/video?id=X", "<title>SSIS-469 夏日 - Netflav</title>")
    assert source._title(plain, {}, "SSIS-469") == "夏日"
    with pytest.raises(ExtractFailed, match=r"^Netflav: unable to extract the title"):
        source._title(Page("https://netflav.com/video?id=X", "<div></div>"), {}, "SSIS-469")


def test_names_prefer_the_chinese_of_language_tagged_lists() -> None:
    assert _names(["zh:葵司", "jp:葵つかさ", "en:Tsukasa Aoi", "zh:葵司"]) == ("葵司",)
    assert _names(["jp:葵つかさ", "en:Tsukasa Aoi"]) == ("葵つかさ", "Tsukasa Aoi")
    assert _names(["葵つかさ", {"name": "三上悠亜"}, {"id": 3}, "", None]) == ("葵つかさ", "三上悠亜")
    assert _names(None) == ()
    assert _names("葵つかさ") == ()


def test_date_from_source_date_or_video_date() -> None:
    assert _date({"sourceDate": "2022-07-19T00:00:00.000Z"}) == "2022-07-19"
    assert _date({"sourceDate": "", "videoDate": "2022-07-20T15:00:00.000Z"}) == "2022-07-20"
    assert _date({"sourceDate": 1658188800000}) == ""


async def test_a_next_js_404_page_is_no_record(source: NetflavSource) -> None:
    assert await source._video("/video") is None  # the site answers 404 with its error page
