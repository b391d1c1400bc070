"""Kanav specifics: MacCMS player JSON in its three encodings, the right search result, the title."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest

from nassav.config import HttpSettings, SourceSettings
from nassav.errors import NotOnSource
from nassav.http import HttpClient
from nassav.sources.base import Page, script_json
from nassav.sources.kanav import KanavSource, player_stream
from tests.fakeweb.catalogue import VIDEOS
from tests.fakeweb.sites import kanav as site
from tests.fakeweb.sites.kanav import js_escape

PLAY_URL = "https://kanav.info/index.php/vod/play/id/61234/sid/1/nid/1.html"
STREAM = "https://v.cdnkanav.com/20220719/AbCd123/index.m3u8?sign=e5f6&t=1720000000"


def play_page(url_value: str, encrypt: str = '"encrypt":2,') -> Page:
    """A play page as MacCMS renders it: PHP json_encode (escaped slashes, \\u escapes), no semicolon."""
    script = (
        '<script type="text/javascript">var player_aaaa={"flag":"play",' + encrypt + '"trysee":0,"points":0,'
        '"link":"\\/index.php\\/vod\\/play\\/id\\/61234\\/sid\\/1\\/nid\\/1.html","link_next":"","link_pre":"",'
        '"vod_data":{"vod_name":"SSIS-469 \\u590f\\u65e5","vod_actor":"","vod_director":"","vod_class":""},'
        f'"url":"{url_value}","url_next":"","from":"dplayer","server":"no","note":"","id":"61234","sid":1,"nid":1}}'
        '</script><script type="text/javascript" src="/static/js/playerconfig.js?t=20240101"></script>'
    )
    return Page(PLAY_URL, f"<html><head><title>x</title></head><body>{script}</body></html>")


def stream_of(page: Page) -> str | None:
    player = script_json(page, variable="player_aaaa")
    assert isinstance(player, dict)
    return player_stream(player)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_encrypt_2_is_base64_of_the_escaped_url() -> None:
    encoded = b64(js_escape(STREAM))
    assert encoded.endswith("=")  # padding included, as the site sends it
    assert stream_of(play_page(encoded)) == STREAM


def test_encrypt_2_as_a_string_and_a_double_percent_encoded_url() -> None:
    encoded = b64(js_escape(js_escape(STREAM)))
    assert stream_of(play_page(encoded, encrypt='"encrypt":"2",')) == STREAM


def test_encrypt_1_is_the_escaped_url() -> None:
    assert stream_of(play_page(js_escape(STREAM), encrypt='"encrypt":1,')) == STREAM


def test_encrypt_0_is_the_url_as_it_is() -> None:
    plain = STREAM.replace("/", "\\/") + "&next=%2Fhome"  # json-escaped slashes; its own %2F stays
    assert stream_of(play_page(plain, encrypt='"encrypt":0,')) == STREAM + "&next=%2Fhome"


def test_without_an_encrypt_field_base64_is_recognised_and_a_plain_url_kept() -> None:
    assert stream_of(play_page(b64(js_escape(STREAM)), encrypt="")) == STREAM
    assert stream_of(play_page(STREAM.replace("/", "\\/"), encrypt="")) == STREAM


def test_escape_of_non_latin_text_is_undone() -> None:
    url = "https://v.cdnkanav.com/中文字幕/SSIS-469/index.m3u8"
    assert js_escape(url).count("%u") == 4
    assert stream_of(play_page(b64(js_escape(url)))) == url


@pytest.mark.parametrize(("value", "encrypt"), [("not base64!", '"encrypt":2,'), ("", '"encrypt":2,'), ("", "")])
def test_an_undecodable_url_is_none(value: str, encrypt: str) -> None:
    assert stream_of(play_page(value, encrypt=encrypt)) is None


SEARCH_URL = "https://kanav.info/index.php/vod/search.html?wd=SSIS-469&by=time_add"
SEARCH = """<html><head><title>“SSIS-469”搜索结果 - KanAV 看AV</title></head><body>
<header><form action="/index.php/vod/search.html"><input name="wd" value="SSIS-469"></form></header>
<div class="hot-list"><h4>本周热门</h4><ul>
<li><a href="play/id/60001/sid/1/nid/1.html">MIDV-018 便利店的午后</a></li></ul></div>
<div class="container"><h2>搜索 “SSIS-469” 的结果</h2><div class="post-list"><div class="row">
<div class="col-md-3"><div class="video-item"><div class="featured-content-image">
  <a href="/index.php/vod/play/id/61234/sid/1/nid/1.html"><img class="lazyload" src="/template/kanav/images/load.gif"
    data-original="/upload/vod/20220719-1/61234.jpg"></a></div></div>
  <div class="entry-title"><h3>
    <a href="/index.php/vod/play/id/61234/sid/1/nid/1.html" title="SSIS-469 夏日">SSIS-469 夏日</a></h3></div></div>
</div></div></div></body></html>"""


def test_the_hot_list_before_the_results_is_passed_over_and_the_thumbnail_found() -> None:
    link = Page(SEARCH_URL, SEARCH).link_naming("SSIS-469", "/vod/play/")
    assert link is not None
    assert (link.url, link.thumbnail) == (
        "https://kanav.info/index.php/vod/play/id/61234/sid/1/nid/1.html",
        "https://kanav.info/upload/vod/20220719-1/61234.jpg",
    )


def test_no_result_naming_the_avid_is_none_even_where_the_page_echoes_the_query() -> None:
    empty = SEARCH.split('<div class="post-list">')[0] + "<p>抱歉，没有找到相关视频</p></div></body></html>"
    assert Page(SEARCH_URL, empty).link_naming("SSIS-469", "/vod/play/") is None


def _source() -> KanavSource:
    return KanavSource(None, SourceSettings(name="kanav", base_url="https://kanav.info"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "head",
    [
        "<title>SSIS-469 夏日 - 在线播放 - KanAV 看AV</title>",
        "<title>SSIS-469 夏日在线观看 | KanAV</title>",
        '<meta property="og:title" content="SSIS-469 夏日"><title>x</title>',
    ],
)
def test_the_title_without_player_data_loses_the_site_suffix(head: str) -> None:
    page = Page(PLAY_URL, f"<html><head>{head}</head><body></body></html>")
    assert _source()._title(page, {}, "SSIS-469") == "夏日"


def test_the_title_prefers_the_players_vod_name() -> None:
    page = play_page(b64(js_escape(STREAM)))
    assert _source()._title(page, script_json(page, variable="player_aaaa"), "SSIS-469") == "夏日"


@pytest.fixture
async def source(fakeweb: Any) -> AsyncIterator[KanavSource]:
    async def no_cookie(name: str) -> str | None:
        return None

    http = HttpClient(HttpSettings(retries=0), no_cookie)
    yield KanavSource(http, SourceSettings(name="kanav", base_url=fakeweb["kanav"].base_url))
    await http.close()


@pytest.mark.parametrize("avid", sorted(site.HAS))
async def test_hit_decodes_the_stream_and_takes_the_cover_from_the_search_result(
    source: KanavSource, fakeweb: Any, avid: str
) -> None:
    hit = await source.find(avid.lower())
    kanav = fakeweb["kanav"]
    assert hit.stream_url == site.expected_stream(kanav, avid)
    assert hit.title == VIDEOS[avid].title
    assert hit.page_url == f"{kanav.base_url}/index.php/vod/play/id/{site.VOD_IDS[avid]}/sid/1/nid/1.html"
    assert hit.cover_url == f"{kanav.base_url}/upload/vod/20220719-1/{site.VOD_IDS[avid]}.jpg"
    assert hit.stream_headers == {"Referer": f"{kanav.base_url}/"}


async def test_only_a_hot_list_is_not_on_source(source: KanavSource, fakeweb: Any) -> None:
    with pytest.raises(NotOnSource, match=f"^Kanav: no search result names {site.MISS}$"):
        await source.find(site.MISS)
    assert [r.path_qs.split("?")[0] for r in fakeweb["kanav"].requests] == ["/index.php/vod/search.html"]
