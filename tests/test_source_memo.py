"""Memo: the CDN convention, the older get_video_info.php variant when the page asks for it, the title."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import pytest

from nassav.errors import ExtractFailed, NotOnSource
from nassav.http import HttpClient
from nassav.sources.base import Source
from nassav.sources.memo import json_url
from nassav.sources.registry import SourceCatalog
from tests.conftest import MakeSettings
from tests.fakeweb.sites import memo as fake_memo

STREAM = "https://video10.memojav.net/stream/SSIS-469/master.m3u8?token=ab12&e=1700000000"


@pytest.mark.parametrize(
    "answer",
    [
        '{"success":true,"type":"hls","url":"' + quote(STREAM, safe="") + '"}',
        'for (;;);{"success":true,"url":"' + quote(STREAM, safe="") + '"}',
        'for (;;);{"success":true,"url":"' + quote(quote(STREAM, safe=""), safe="") + '"}',  # encoded twice
        '{"url":"' + quote(STREAM, safe="") + '"}\n<!-- served in 0.01s -->',  # trailing noise
    ],
)
def test_the_url_of_a_video_info_answer(answer: str) -> None:
    assert json_url(answer) == STREAM


@pytest.mark.parametrize(
    "answer",
    ['for (;;);{"success":false}', '{"url": ""}', '{"url": 5}', "[1, 2]", "<html>oops</html>", "", "{bad json"],
)
def test_a_video_info_answer_without_a_url(answer: str) -> None:
    assert json_url(answer) is None


@pytest.fixture
async def memo(make_settings: MakeSettings, fakeweb: Any) -> AsyncIterator[Source]:
    async def no_cookie(source: str) -> str | None:
        return None

    settings = make_settings(**fakeweb.config())
    client = HttpClient(settings.http, no_cookie)
    yield SourceCatalog(settings).create("Memo", client)
    await client.close()


async def test_the_stream_follows_the_cdn_convention(memo: Source, fakeweb: Any) -> None:
    hit = await memo.find("SSIS-469")
    assert hit.stream_url == f"{fakeweb['memocdn'].base_url}/stream/SSIS-469/master.m3u8"
    assert [r.path_qs for r in fakeweb["memo"].requests] == ["/video/SSIS-469"]  # no endpoint asked
    assert hit.title == "夏日海边的约定与重逢"
    assert hit.cover_url == f"{fakeweb['memo'].base_url}/image/preview/SSIS-469.jpg"
    assert hit.release_date == "2022-07-19"


async def test_a_page_of_the_older_kind_takes_the_endpoints_url(memo: Source, fakeweb: Any) -> None:
    first = await memo.find("PRED-388")
    assert first.stream_url == fake_memo.expected_stream(fakeweb["memo"], "PRED-388")
    assert "/hls/get_video_info.php?id=PRED-388" in [r.path_qs for r in fakeweb["memo"].requests]
    fakeweb["memo"].generation += 1
    second = await memo.find("PRED-388")
    assert second.stream_url != first.stream_url
    assert second.stream_url == fake_memo.expected_stream(fakeweb["memo"], "PRED-388")


async def test_an_endpoint_without_a_url_falls_back_to_the_convention(memo: Source, fakeweb: Any) -> None:
    hit = await memo.find("FC2-PPV-1234567")
    assert hit.stream_url == f"{fakeweb['memocdn'].base_url}/stream/FC2-PPV-1234567/master.m3u8"
    assert "/hls/get_video_info.php?id=FC2-PPV-1234567" in [r.path_qs for r in fakeweb["memo"].requests]


async def test_a_404_page_is_not_on_source(memo: Source) -> None:
    with pytest.raises(NotOnSource):
        await memo.find("ABP-999")


async def test_a_page_that_names_only_the_avid_has_no_title(memo: Source, fakeweb: Any) -> None:
    fakeweb["memo"].mode = "changed"
    with pytest.raises(ExtractFailed, match=r"^Memo: unable to extract the title"):
        await memo.find("SSIS-469")
