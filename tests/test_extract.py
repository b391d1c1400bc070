"""The shared extraction helpers of nassav/sources/base.py, on real-shaped inputs."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from nassav.sources.base import (
    Page,
    avid_in,
    best_variant,
    decode_base64_text,
    is_under,
    packed_words,
    percent_decoded,
    script_json,
    strip_avid,
    under,
    unpack_packed,
)

# Dean Edwards' packer output, as sites embed it (radix 36 here; the words are looked up by token).
PACKED = (
    "<script>eval(function(p,a,c,k,e,d){e=function(c){return c.toString(36)};if(!''.replace(/^/,String))"
    "{while(c--){d[c.toString(a)]=k[c]||c.toString(a)}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};"
    "c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}"
    "('3 2=\\'1://0/a.b\\';3 c=\\'d\\';',14,14,'example.com|https|src|var|||||||video|m3u8|tag|it\\'s'"
    ".split('|'),0,{}))</script>"
)


def test_unpack_packed() -> None:
    assert unpack_packed(PACKED) == "var src='https://example.com/video.m3u8';var tag='it\\'s';"


def test_packed_words() -> None:
    words = packed_words(PACKED)
    assert words is not None
    assert words[:4] == ["example.com", "https", "src", "var"]


def test_no_packed_script() -> None:
    assert unpack_packed("<script>var a = 1;</script>") is None
    assert packed_words("") is None


def test_radix_62_tokens() -> None:
    words = [f"w{i}" for i in range(62)]
    packed = "}('Z Y 10',62,62,'" + "|".join(words) + "'.split('|'),0,{}))"
    # Z is 61, Y is 60; "10" in radix 62 is 62, beyond the list: left as it is.
    assert unpack_packed(packed) == "w61 w60 10"


MASTER = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-STREAM-INF:BANDWIDTH=1400000,RESOLUTION=842x480
842x480/video.m3u8
#EXT-X-STREAM-INF:PROGRAM-ID=1,BANDWIDTH=6221000,RESOLUTION=1920x1080,CODECS="avc1.640028,mp4a.40.2"
/hd/1080p.m3u8?token=a
#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720
https://other.example/720p.m3u8
"""


def test_best_variant_resolves_against_the_master() -> None:
    assert best_variant(MASTER, "https://cdn.example/abc/playlist.m3u8") == "https://cdn.example/hd/1080p.m3u8?token=a"


def test_best_variant_of_a_media_playlist_is_none() -> None:
    assert best_variant("#EXTM3U\n#EXTINF:10,\nseg0.ts\n", "https://x/a.m3u8") is None


def test_base64_and_percent_decoding() -> None:
    url = "https://cdn.example/v/中文 1.m3u8?a=1&b=2"
    encoded = base64.b64encode(quote(url, safe="").encode()).decode()
    assert percent_decoded(decode_base64_text(encoded) or "") == url
    assert decode_base64_text(encoded.rstrip("=")) == quote(url, safe="")  # padding dropped by some sites
    assert decode_base64_text("not base64 at all!") is None


def test_script_json_by_id_and_by_variable() -> None:
    page = Page(
        "https://x.example/v",
        '<script id="__NEXT_DATA__" type="application/json">{"props": {"a": [1, 2]}}</script>'
        '<script>var player_aaaa={"url":"abc","from":"dplayer"};var other=1;</script>'
        "<script>var broken = {nope;</script>",
    )
    assert script_json(page, element_id="__NEXT_DATA__") == {"props": {"a": [1, 2]}}
    assert script_json(page, variable="player_aaaa") == {"url": "abc", "from": "dplayer"}
    assert script_json(page, variable="broken") is None
    assert script_json(page, element_id="missing") is None


def test_page_helpers_resolve_links_against_the_page() -> None:
    page = Page(
        "https://site.example/videos/ssis-469/",
        '<html><head><title> SSIS-469 标题 </title><meta property="og:image" content="/covers/a.jpg">'
        '<meta content="desc" name="description"></head><body><a href="../other/">x</a>'
        '<a href="https://elsewhere.example/play/1.html">y</a></body></html>',
    )
    assert page.title() == "SSIS-469 标题"
    assert page.meta_url("og:image") == "https://site.example/covers/a.jpg"
    assert page.meta("description") == "desc"
    assert page.meta_url("og:video") == ""
    assert page.links() == ["https://site.example/videos/other/", "https://elsewhere.example/play/1.html"]
    assert page.links("/play/") == ["https://elsewhere.example/play/1.html"]


def test_garbage_is_an_empty_document() -> None:
    page = Page("https://x/", "\x00\x01\x02" * 10)
    assert page.title() is None
    assert page.texts("//h1") == []


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("SSIS-469 夏日", "夏日"),
        ("ssis-469: 夏日", "夏日"),
        ("[SSIS-469] 夏日", "夏日"),
        ("SSIS-469", "SSIS-469"),
        ("夏日 SSIS-469", "夏日 SSIS-469"),
    ],
)
def test_strip_avid(title: str, expected: str) -> None:
    assert strip_avid(title, "SSIS-469") == expected


def test_avid_in_ignores_case_and_separators() -> None:
    assert avid_in("Watch ssis469 now", "SSIS-469")
    assert avid_in("fc2-ppv-1234567 title", "FC2-PPV-1234567")
    assert not avid_in("SSIS-470", "SSIS-469")
    assert not avid_in("SSIS-4690 another", "SSIS-469")  # a longer code is another video
    assert not avid_in("XSSIS-469", "SSIS-469")
    assert avid_in("/video/ssis-469-uncensored-leak", "SSIS-469")


@pytest.mark.parametrize(
    ("address", "link", "expected"),
    [
        ("https://jable.tv", "/videos/ssis-469/", "https://jable.tv/videos/ssis-469/"),
        ("https://m.example/jable", "/videos/ssis-469/", "https://m.example/jable/videos/ssis-469/"),
        ("https://m.example/jable/", "videos/x", "https://m.example/jable/videos/x"),
        ("https://m.example/jable", "https://cdn.example/a.m3u8", "https://cdn.example/a.m3u8"),
    ],
)
def test_a_configured_address_keeps_its_path(address: str, link: str, expected: str) -> None:
    assert under(address, link) == expected


@pytest.mark.parametrize(
    ("url", "mine"),
    [
        ("https://m.example/jable/videos/x/", True),
        ("https://m.example/jable", True),
        ("https://M.example/jable/x", True),
        ("https://m.example/missav/cn/x", False),  # another site behind the same mirror
        ("https://m.example/jablex/x", False),  # a longer name is not below the path
        ("http://m.example/jable/x", False),
        ("https://other.example/jable/x", False),
    ],
)
def test_own_address_is_host_and_path(url: str, mine: bool) -> None:
    assert is_under(url, "https://m.example/jable") is mine
