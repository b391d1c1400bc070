"""Hohoj specifics: picking the right card of a fuzzy search, the embed page's Referer, the stream's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from nassav.config import HttpSettings, SourceSettings
from nassav.errors import ExtractFailed, NotOnSource
from nassav.http import HttpClient
from nassav.sources.base import Page
from nassav.sources.hohoj import HohojSource, player_referer
from tests.fakeweb.catalogue import VIDEOS
from tests.fakeweb.sites import hohoj as site
from tests.helpers import read_envelope

SEARCH_URL = "https://hohoj.tv/search?text=STARS-001"

# The site's search is fuzzy and sorted by popularity: other labels' -001 come first.
FUZZY_SEARCH = """<html><head><title>搜索 STARS-001 - HOHOJ</title></head><body>
<nav><form action="/search"><input name="text" value="STARS-001"></form></nav>
<h4>搜索结果: STARS-001</h4><div class="row">
<div class="col-6 col-md-4 col-lg-3 video-item">
  <a href="/video?id=9911"><div class="video-item-img"><img src="/thumb/9911.jpg" alt="020624-001 素人"></div></a>
  <div class="video-item-title"><a href="video?id=9911">020624-001 素人</a></div></div>
<div class="col-6 col-md-4 col-lg-3 video-item">
  <a href="video?id=9912"><div class="video-item-img"><img src="/thumb/9912.jpg" alt="IKUNA-001"></div></a>
  <div class="video-item-title"><a href="/video?id=9912">IKUNA-001 温泉</a></div></div>
<div class="col-6 col-md-4 col-lg-3 video-item">
  <a href="video?id=1234"><div class="video-item-img"><img src="thumb/1234.jpg" alt="STARS-001 初次"></div></a>
  <div class="video-item-title"><a href="/video?id=1234">STARS-001 初次</a></div></div>
</div><aside><a href="/video?id=5120">MIDV-018 便利店的午后</a></aside></body></html>"""


def pick_result(page: Page, avid: str) -> tuple[str, str] | None:
    link = page.link_naming(avid, "video?id=")
    return None if link is None else (link.url, link.thumbnail)


RESULT = ("https://hohoj.tv/video?id=1234", "https://hohoj.tv/thumb/1234.jpg")


def test_an_unrelated_first_result_is_passed_over_for_the_one_naming_the_avid() -> None:
    assert pick_result(Page(SEARCH_URL, FUZZY_SEARCH), "STARS-001") == RESULT


def test_the_title_link_alone_names_a_result() -> None:
    text = FUZZY_SEARCH.replace('alt="STARS-001 初次"', 'alt=""')
    assert pick_result(Page(SEARCH_URL, text), "stars-001") == RESULT


def test_only_fuzzy_results_are_no_result_even_where_the_page_echoes_the_query() -> None:
    text = FUZZY_SEARCH.replace("STARS-001 初次", "STARS-002 初次")
    assert pick_result(Page(SEARCH_URL, text), "STARS-001") is None
    assert pick_result(Page(SEARCH_URL, "<html><body><p>没有找到</p></body></html>"), "STARS-001") is None


def test_the_stream_referer_is_what_the_embed_pages_player_sends() -> None:
    embed = "https://hohoj.tv/embed?id=1234#t=10"
    # A CDN elsewhere gets the embed page's origin (the browser's default referrer policy)...
    assert player_referer(embed, "https://video-1.ggjav.com/media/1234/master.m3u8") == "https://hohoj.tv/"
    # ...the site itself the embed page's whole URL.
    assert player_referer(embed, "https://hohoj.tv/hls/1234/index.m3u8") == "https://hohoj.tv/embed?id=1234"


def _source() -> HohojSource:
    return HohojSource(None, SourceSettings(name="hohoj", base_url="https://hohoj.tv"))  # type: ignore[arg-type]


def test_the_stream_falls_back_to_the_video_elements_source() -> None:
    embed = Page(
        "https://hohoj.tv/embed?id=1234",
        '<video id="my-video"><source src="/hls/1234/index.m3u8?t=1" type="application/x-mpegURL"></video>'
        '<script>var adSrc = "https://ads.example/pre.m3u8";</script>',
    )
    assert _source()._stream(embed) == "https://hohoj.tv/hls/1234/index.m3u8?t=1"


def test_var_video_src_wins_and_json_escaped_slashes_are_undone() -> None:
    embed = Page(
        "https://hohoj.tv/embed?id=1234",
        '<video id="my-video" src="/preview/1234.m3u8"></video>'
        '<script>var videoSrc = "https:\\/\\/video-1.ggjav.com\\/media\\/1234\\/master.m3u8";</script>',
    )
    assert _source()._stream(embed) == "https://video-1.ggjav.com/media/1234/master.m3u8"


def test_no_stream_in_the_embed_page_is_a_clear_extract_error() -> None:
    with pytest.raises(ExtractFailed, match=r"^Hohoj: unable to extract the stream URL"):
        _source()._stream(Page("https://hohoj.tv/embed?id=1234", "<html><body>维护中</body></html>"))


def test_the_title_loses_the_site_suffix_and_the_avid() -> None:
    video = Page("https://hohoj.tv/video?id=1234", "<html><head><title>STARS-001 初次 - HOHOJ.TV</title></head></html>")
    assert _source()._title(video, "STARS-001") == "初次"


async def test_the_fake_embed_page_refuses_a_request_without_referer(fakeweb: Any) -> None:
    base = fakeweb["hohoj"].base_url
    number = site.VIDEO_IDS[site.HIT]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/embed?id={number}") as response:
            assert response.status == 403
        async with session.get(f"{base}/embed?id={number}", headers={"Referer": f"{base}/"}) as response:
            assert response.status == 200


async def test_the_embed_page_is_fetched_with_the_video_page_as_referer(
    web_api: Any, fakeweb: Any, library_root: Path
) -> None:
    body = await web_api.post("/nassav/api/resource", json={"avid": site.HIT, "source": "hohoj"})
    await read_envelope(body, 201)
    hohoj = fakeweb["hohoj"]
    number = site.VIDEO_IDS[site.HIT]
    embeds = [r for r in hohoj.requests if r.path_qs.startswith("/embed")]
    assert [r.headers.get("Referer") for r in embeds] == [f"{hohoj.base_url}/video?id={number}"]
    stored = json.loads((library_root / site.HIT / f"{site.HIT}.json").read_text("utf-8"))
    assert stored["stream_headers"] == {"Referer": f"{hohoj.base_url}/"}  # the CDN is another origin


@pytest.fixture
async def source(fakeweb: Any) -> AsyncIterator[HohojSource]:
    async def no_cookie(name: str) -> str | None:
        return None

    http = HttpClient(HttpSettings(retries=0), no_cookie)
    yield HohojSource(http, SourceSettings(name="hohoj", base_url=fakeweb["hohoj"].base_url))
    await http.close()


@pytest.mark.parametrize("avid", sorted(site.HAS))
async def test_hit_carries_title_cover_and_the_scheme_relative_stream_resolved(
    source: HohojSource, fakeweb: Any, avid: str
) -> None:
    hit = await source.find(avid)
    hohoj = fakeweb["hohoj"]
    assert hit.stream_url == site.expected_stream(hohoj, avid)
    assert hit.title == VIDEOS[avid].title
    assert hit.page_url == f"{hohoj.base_url}/video?id={site.VIDEO_IDS[avid]}"
    assert hit.cover_url == f"{hohoj.base_url}/static/cover/{site.VIDEO_IDS[avid]}.jpg"


async def test_only_fuzzy_results_are_not_on_source(source: HohojSource, fakeweb: Any) -> None:
    with pytest.raises(NotOnSource, match=f"^Hohoj: no search result names {site.MISS}$"):
        await source.find(site.MISS)
    assert [r.path_qs for r in fakeweb["hohoj"].requests] == [f"/search?text={site.MISS}"]
