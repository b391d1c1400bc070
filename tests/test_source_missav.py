"""MissAV: the packed player script, the uuid rule (unpacked, and from the word list), the page order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from nassav.errors import ExtractFailed, NotOnSource
from nassav.http import HttpClient
from nassav.sources.base import Source, packed_words, unpack_packed
from nassav.sources.missav import uuid_from_unpacked, uuid_from_words
from nassav.sources.registry import SourceCatalog
from tests.conftest import MakeSettings
from tests.fakeweb.sites import missav as fake_missav

# As MissAV's pages carry it (radix 16; the uuid's groups sit in the word list in reverse).
PACKED = (
    r"""<script type="text/javascript">eval(function(p,a,c,k,e,d){e=function(c){return c.toString(36)};"""
    r"""if(!''.replace(/^/,String)){while(c--){d[c.toString(a)]=k[c]||c.toString(a)}k=[function(e){return d[e]}];"""
    r"""e=function(){return'\\w+'};c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\b'+e(c)+'\\b','g'),k[c])}}"""
    r"""return p}('f=\'8://7.6/5-4-3-2-1/e.0\';d=\'8://7.6/5-4-3-2-1/c/9.0\';b=\'8://7.6/5-4-3-2-1/a/9.0\';',"""
    r"""16,16,'m3u8|e8f9a0b1c2d3|9a8b|4c5d|1e2f|a1b2c3d4|com|surrit|https|video|1280x720|source1280|842x480|"""
    r"""source842|playlist|source'.split('|'),0,{}))</script>"""
)
UUID = "a1b2c3d4-1e2f-4c5d-9a8b-e8f9a0b1c2d3"
UNPACKED = (
    f"source='https://surrit.com/{UUID}/playlist.m3u8';"
    f"source842='https://surrit.com/{UUID}/842x480/video.m3u8';"
    f"source1280='https://surrit.com/{UUID}/1280x720/video.m3u8';"
)


def test_the_real_shaped_script_unpacks_to_the_three_playlists() -> None:
    assert unpack_packed(PACKED) == UNPACKED


def test_the_uuid_from_the_unpacked_script_and_from_the_word_list_agree() -> None:
    assert uuid_from_unpacked(UNPACKED) == UUID
    assert uuid_from_words(packed_words(PACKED) or []) == UUID


def test_any_host_names_the_uuid() -> None:
    script = f"source='https://cdn.other.example/{UUID.upper()}/playlist.m3u8';"
    assert uuid_from_unpacked(script) == UUID
    assert uuid_from_unpacked(f"source842='https://surrit.com/{UUID}/842x480/video.m3u8';") is None
    assert uuid_from_unpacked("") is None


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["com", "surrit", "https"],  # no m3u8
        ["m3u8", "com", "surrit", "https", "video"],  # no hex run
        ["m3u8", "9a8b", "4c5d", "com", "surrit"],  # a run too short to be a uuid
        ["m3u8", "e8f9a0b1c2d3", "9a8b", "4c5d", "1e2f", "a1b2c3d4", "cafe", "com"],  # one hex word too many
    ],
)
def test_the_word_list_rule_wants_a_whole_uuid(words: list[str]) -> None:
    assert uuid_from_words(words) is None


def test_the_fake_site_packs_as_the_real_packer_does() -> None:
    assert fake_missav.pack(UNPACKED) in PACKED


def test_the_fake_packer_round_trips_with_multi_character_tokens() -> None:
    script = " ".join(f"var w{i}='x{i}';" for i in range(40))  # 81 words: radix 62, two-digit tokens
    packed = fake_missav.pack(script)
    assert ",62,81," in packed
    assert unpack_packed(packed) == script


@pytest.fixture
async def http(make_settings: MakeSettings, fakeweb: Any) -> AsyncIterator[tuple[HttpClient, SourceCatalog]]:
    async def no_cookie(source: str) -> str | None:
        return None

    settings = make_settings(**fakeweb.config())
    client = HttpClient(settings.http, no_cookie)
    yield client, SourceCatalog(settings)
    await client.close()


def missav(http: tuple[HttpClient, SourceCatalog]) -> Source:
    client, catalog = http
    return catalog.create("MissAV", client)


@pytest.mark.parametrize(
    ("avid", "tried"),
    [
        ("SSIS-469", ["/cn/ssis-469-chinese-subtitle", "/ssis-469-chinese-subtitle", "/cn/ssis-469"]),
        ("PRED-388", ["/cn/pred-388-chinese-subtitle", "/pred-388-chinese-subtitle"]),
        (
            "FC2-PPV-1234567",
            [
                "/cn/fc2-ppv-1234567-chinese-subtitle",
                "/fc2-ppv-1234567-chinese-subtitle",
                "/cn/fc2-ppv-1234567",
                "/cn/fc2-ppv-1234567-uncensored-leak",
                "/fc2-ppv-1234567",
            ],
        ),
    ],
)
async def test_candidate_pages_are_tried_in_order(http: Any, fakeweb: Any, avid: str, tried: list[str]) -> None:
    hit = await missav(http).find(avid)
    assert [r.path_qs for r in fakeweb["missav"].requests] == tried
    assert hit.stream_url == fake_missav.expected_stream(fakeweb["missav"], avid)
    assert hit.stream_url.startswith(fakeweb["surrit"].base_url + "/")  # the configured CDN, not surrit.com
    assert hit.page_url == fakeweb["missav"].base_url + tried[-1]


async def test_the_page_gives_title_cover_date_and_minutes(http: Any, fakeweb: Any) -> None:
    hit = await missav(http).find("SSIS-469")
    assert hit.title == "夏日海边的约定与重逢"
    assert hit.cover_url == f"{fakeweb['missav'].base_url}/fourhoi/ssis-469/cover-n.jpg"
    assert hit.release_date == "2022-07-19"
    assert hit.duration == "120分钟"  # 7225 s
    assert hit.stream_headers == {"Referer": fakeweb["missav"].base_url + "/"}


async def test_a_new_generation_is_a_new_stream(http: Any, fakeweb: Any) -> None:
    first = await missav(http).find("PRED-388")
    fakeweb["missav"].generation += 1
    second = await missav(http).find("PRED-388")
    assert first.stream_url != second.stream_url
    assert second.stream_url == fake_missav.expected_stream(fakeweb["missav"], "PRED-388")


async def test_no_candidate_page_is_not_on_source(http: Any, fakeweb: Any) -> None:
    with pytest.raises(NotOnSource, match=r"^MissAV: no page found"):
        await missav(http).find("ABP-999")
    assert len(fakeweb["missav"].requests) == 5


async def test_a_page_without_the_packed_script_says_what_is_missing(http: Any, fakeweb: Any) -> None:
    fakeweb["missav"].mode = "changed"
    with pytest.raises(ExtractFailed, match=r"^MissAV: unable to extract the stream uuid"):
        await missav(http).find("SSIS-469")
