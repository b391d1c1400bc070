"""Avtoday specifics: the search fallback when /video/{AVID} is a 404, the labelled title, the cover."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from nassav.config import HttpSettings, SourceSettings
from nassav.errors import ExtractFailed
from nassav.http import HttpClient
from nassav.sources.avtoday import AvtodaySource
from nassav.sources.base import Page
from tests.fakeweb.catalogue import MISSING_AVID
from tests.fakeweb.sites import avtoday
from tests.helpers import read_envelope

API = "/nassav/api"


async def add(client: Any, avid: str, status: int) -> dict[str, Any]:
    return await read_envelope(await client.post(f"{API}/resource", json={"avid": avid, "source": "avtoday"}), status)


async def test_video_only_found_through_the_search_is_added(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    avid = avtoday.SEARCH_ONLY
    body = await add(web_api, avid, 201)
    assert body["data"]["source"] == "Avtoday"
    assert body["data"]["title"] == "雨夜便利店的邂逅"
    stored = json.loads((library_root / avid / f"{avid}.json").read_text("utf-8"))
    assert stored["m3u8"] == avtoday.expected_stream(fakeweb["avtoday"], avid)
    paths = [r.path_qs for r in fakeweb["avtoday"].requests]
    assert paths[:3] == [f"/video/{avid}", "/search?keyword=pred-388", "/video/pred388-hd"]


async def test_direct_page_needs_no_search(web_api: Any, fakeweb: Any) -> None:
    await add(web_api, avtoday.HIT, 201)
    paths = [r.path_qs for r in fakeweb["avtoday"].requests]
    assert paths[0] == f"/video/{avtoday.HIT}"
    assert not any(path.startswith("/search") for path in paths)


async def test_unknown_avid_is_searched_then_not_on_source(web_api: Any, fakeweb: Any) -> None:
    body = await add(web_api, MISSING_AVID, 404)
    assert "Avtoday: ABP-999 is not at /video/ABP-999" in body["data"]["reasons"]["Avtoday"]
    assert [r.path_qs for r in fakeweb["avtoday"].requests] == ["/video/ABP-999", "/search?keyword=abp-999"]


SEARCH_PAGE = """<html><body><header><ul class="hot">
<li><a href="/video/MIDV-001">MIDV-001 热门推荐</a></li>
<li><a href="/search?keyword=pred-388&page=2">PRED-388 下一页</a></li></ul></header>
<div class="video-list"><div class="item"><a href="../video/pred388-hd"><img src="/pic/p.jpg"></a></div>
<div class="item"><a href="/video/abc123">PRED-388 雨夜便利店的邂逅 (重复)</a></div></div></body></html>"""


def test_first_video_link_skips_header_links_and_non_video_links() -> None:
    page = Page("https://avtoday.io/search/?keyword=pred-388", SEARCH_PAGE)
    link = page.link_naming("PRED-388", "/video/")
    assert link is not None
    assert link.url == "https://avtoday.io/video/pred388-hd"


def test_first_video_link_matches_the_link_text_too() -> None:
    page = Page("https://avtoday.io/search?keyword=ssis-469", '<a href="/video/9f3k">SSIS-469 标题</a>')
    link = page.link_naming("SSIS-469", "/video/")
    assert link is not None
    assert link.url == "https://avtoday.io/video/9f3k"


def test_no_video_link_naming_the_avid() -> None:
    page = Page("https://avtoday.io/search?keyword=abp-999", SEARCH_PAGE)
    assert page.link_naming("ABP-999", "/video/") is None


@pytest.fixture
async def source() -> AsyncIterator[AvtodaySource]:
    async def no_cookie(name: str) -> str | None:
        return None

    http = HttpClient(HttpSettings(), no_cookie)
    yield AvtodaySource(http, SourceSettings(name="avtoday", base_url="https://avtoday.io"))
    await http.close()


@pytest.mark.parametrize(
    ("html", "title"),
    [
        ('<div class="info"><span>标题:</span> SSIS-469 夏日 &amp; 海边</div>', "夏日 & 海边"),
        ("<p><span class='label'>标题：</span><h1><a href='#'>SSIS-469 夏日海边</a></h1></p>", "夏日海边"),
        ('<head><meta property="og:title" content="SSIS-469 夏日海边"></head>', "夏日海边"),
        ("<head><title>SSIS-469 夏日海边 - AVToday 在线观看</title></head>", "夏日海边"),
    ],
)
async def test_title_from_the_label_then_og_title_then_title(source: AvtodaySource, html: str, title: str) -> None:
    assert source._title(Page("https://avtoday.io/video/SSIS-469", html), "SSIS-469") == title


async def test_no_title_is_an_extract_error(source: AvtodaySource) -> None:
    with pytest.raises(ExtractFailed, match=r"^Avtoday: unable to extract the title"):
        source._title(Page("https://avtoday.io/video/SSIS-469", "<div></div>"), "SSIS-469")
