"""Kissav, the generic source: the page at one of several paths, the stream found most specific first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nassav.sources.base import Page
from nassav.sources.kissav import bare_stream, direct_stream, frame_links, is_ad, names_avid, page_cover
from tests.fakeweb import pages
from tests.fakeweb.sites import kissav as site
from tests.helpers import read_envelope

API = "/nassav/api"
PAGE_URL = "https://kiss.example/video/ssis-469"


async def add(client: Any, avid: str) -> dict[str, Any]:
    response = await client.post(f"{API}/resource", json={"avid": avid, "source": "kissav"})
    return await read_envelope(response, 201)


def stored(library_root: Path, avid: str) -> dict[str, Any]:
    return dict(json.loads((library_root / avid / f"{avid}.json").read_text("utf-8")))


def paths_requested(fakeweb: Any) -> list[str]:
    return [request.path_qs for request in fakeweb["kissav"].requests]


async def test_stream_only_behind_an_iframe_is_fetched_with_the_play_page_as_referer(
    web_api: Any, fakeweb: Any, library_root: Path
) -> None:
    kiss = fakeweb["kissav"]
    await add(web_api, "PRED-388")
    info = stored(library_root, "PRED-388")
    assert info["m3u8"] == site.expected_stream(kiss, "PRED-388")
    assert info["stream_headers"] == {"Referer": site.embed_url(kiss, "PRED-388")}
    # /video/pred-388 and /pred-388 went home (302) and were refused; the play page is the third path.
    assert paths_requested(fakeweb)[:6] == ["/video/pred-388", "/", "/pred-388", "/", "/play/pred-388", "/embed/48213"]
    embed_request = next(r for r in kiss.requests if r.path_qs == "/embed/48213")
    assert embed_request.headers["Referer"] == f"{kiss.base_url}/play/pred-388"


async def test_bare_playlist_string_is_the_last_resort_and_the_ad_one_is_skipped(
    web_api: Any, fakeweb: Any, library_root: Path
) -> None:
    await add(web_api, "fc2-ppv-1234567")
    info = stored(library_root, "FC2-PPV-1234567")
    assert info["m3u8"] == site.expected_stream(fakeweb["kissav"], "FC2-PPV-1234567")
    assert info["title"] == "個人撮影 春の旅"  # from <title>, the " - KissAV" suffix and the AVID gone


async def test_unknown_paths_redirect_home_and_that_is_not_on_source(web_api: Any, fakeweb: Any) -> None:
    avid = site.MISS
    body = await read_envelope(await web_api.post(f"{API}/resource", json={"avid": avid, "source": "kissav"}), 404)
    assert f"Kissav: no page for {avid}" in body["data"]["reasons"]["Kissav"]
    slug = avid.lower()
    assert paths_requested(fakeweb) == [f"/video/{slug}", "/", f"/{slug}", "/", f"/play/{slug}", "/"]


def test_guard_refuses_the_home_page_that_lists_the_avid() -> None:
    home = Page(
        "https://kiss.example/",
        '<html><head><title>KissAV - 免费</title></head><body><a href="/play/pred-388"><h3>PRED-388 雨夜</h3></a>',
    )
    assert not names_avid(home, "PRED-388")
    same_text_at_our_path = Page("https://kiss.example/play/pred-388", home.text)
    assert names_avid(same_text_at_our_path, "PRED-388")
    titled = Page("https://kiss.example/v/123", "<title>PRED-388 雨夜便利店 - KissAV</title>")
    assert names_avid(titled, "PRED-388")


def test_video_element_beats_player_config_and_bare_strings() -> None:
    page = Page(
        PAGE_URL,
        """<html><body><script>var hlsUrl = "/hls/other/index.m3u8"; var x = '/hls/bare/a.m3u8';</script>
        <video poster="/p.jpg"><source src="/media/trailer.mp4" type="video/mp4">
        <source src="//cdn.example/hls/ssis-469/index.m3u8?t=1" type="application/x-mpegURL"></video></body></html>""",
    )
    assert direct_stream(page) == "https://cdn.example/hls/ssis-469/index.m3u8?t=1"


def test_player_config_keys_when_there_is_no_video_element() -> None:
    for config in (
        'jwplayer("p").setup({file: "hls/a.m3u8"})',
        "var opts = {'source': 'hls/a.m3u8', autoplay: true}",
        'var hlsUrl = "hls/a.m3u8";',
        "var videoSrc='hls/a.m3u8'",
        '{"file":"https:\\/\\/kiss.example\\/video\\/hls\\/a.m3u8"}',
    ):
        page = Page(PAGE_URL, f"<html><body><script>var pre = 'https://x.example/b.m3u8';\n{config}</script>")
        assert direct_stream(page) == "https://kiss.example/video/hls/a.m3u8", config


def test_player_config_pointing_at_an_ad_is_not_the_stream() -> None:
    page = Page(PAGE_URL, '<script>var videoSrc = "https://cdn.exoclick.example/preroll/v.m3u8";</script>')
    assert direct_stream(page) is None


def test_bare_strings_skip_ads_previews_and_thumbnails() -> None:
    page = Page(
        PAGE_URL,
        f"""<html><body>{pages.noise("KissAV")}<script src="/x.m3u8"></script>
        <script>var list = ["https://ads.example/v/1.m3u8", "//thumbs.example/s.m3u8", "/hls/ssis-469/main.m3u8"];
        </script></body></html>""",
    )
    assert direct_stream(page) is None
    assert bare_stream(page) == "https://kiss.example/hls/ssis-469/main.m3u8"
    assert bare_stream(Page(PAGE_URL, f"<html><body>{pages.noise('KissAV')}</body></html>")) is None


@pytest.mark.parametrize(
    ("url", "ad"),
    [
        ("https://ads.trafficjunky.example/preview/480p.m3u8", True),
        ("https://static.exoclick.example/x/loop.m3u8", True),
        ("https://a.juicyads.example/v/pre.m3u8", True),
        ("https://kiss.example/preview/sprite.m3u8", True),
        ("https://kiss.example/media/ssis-469-trailer.mp4", True),
        ("https://uploads.example/hls/ssis-469/index.m3u8", False),  # "ads" only as a whole word
        ("https://cdn.example/hls/thumbsup-123/index.m3u8", False),
        ("https://cdn.example/hls/ssis-469/index.m3u8?ad=0", False),  # the query is not looked at
    ],
)
def test_ad_deny_list_matches_whole_words_of_host_and_path(url: str, ad: bool) -> None:
    assert is_ad(url) is ad


def test_frames_are_made_absolute_and_ad_frames_left_out() -> None:
    page = Page(
        PAGE_URL,
        """<iframe src="https://ads.example/frame?z=1"></iframe><iframe src="about:blank"></iframe>
        <iframe data-src="../embed/7?autoplay=1"></iframe><iframe src="https://player.example/e/9"></iframe>""",
    )
    assert frame_links(page) == ["https://kiss.example/embed/7?autoplay=1", "https://player.example/e/9"]


def test_cover_is_og_image_else_the_video_poster() -> None:
    with_og = Page(PAGE_URL, '<meta property="og:image" content="/c.jpg"><video poster="p.jpg"></video>')
    assert page_cover(with_og) == "https://kiss.example/c.jpg"
    assert page_cover(Page(PAGE_URL, '<video poster="p.jpg"></video>')) == "https://kiss.example/video/p.jpg"
    assert page_cover(Page(PAGE_URL, "<p>nothing</p>")) == ""
