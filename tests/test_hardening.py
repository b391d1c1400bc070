"""Inputs and upstreams that are wrong in ways a NAS sees sooner or later: each is a clear answer,
never a 500, a stalled queue or a secret in a log."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path
from typing import Any

import pytest

from nassav.app import create_app, redact_url
from nassav.config import HttpSettings
from nassav.errors import NotOnSource, UpstreamError
from nassav.handlers import appkeys
from nassav.http import HttpClient
from nassav.sources.jable import JableSource
from tests.downloads_helpers import follow, submit
from tests.helpers import make_resource, read_envelope

API = "/nassav/api"


@pytest.mark.parametrize("cookie", ["a=b；c=d", "a=\x01b", "   ", "名字=值"])
async def test_cookies_that_cannot_be_sent_are_400(api: Any, cookie: str) -> None:
    body = await read_envelope(await api.post(f"{API}/source/cookie", json={"source": "jable", "cookie": cookie}), 400)
    assert "cookie" in body["data"]


async def test_a_gzip_body_is_read(api: Any) -> None:
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    good = gzip.compress(b'{"source": "jable", "cookie": "a=b"}')
    await read_envelope(await api.post(f"{API}/source/cookie", data=good, headers=headers), 200)


async def test_deeply_nested_json_is_400(api: Any) -> None:
    response = await api.post(f"{API}/source/cookie", data=b"[" * 100_000, headers={"Content-Type": "application/json"})
    body = await read_envelope(response, 400)
    assert body["message"] == "请求体不是有效的 JSON"


async def test_api_key_is_masked_however_it_is_spelled(
    serve_app: Any, make_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = await serve_app(create_app(make_settings(server={"api_key": "s3cret-key"})))
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        await read_envelope(await client.get(f"{API}/source/list?%61pikey=s3cret-key"), 200)
    assert "s3cret-key" not in caplog.text
    assert "apikey=***" in caplog.text


def test_redis_passwords_are_masked_in_logs() -> None:
    assert redact_url("redis://:pw@h:6379/0") == "redis://:***@h:6379/0"
    assert redact_url("redis://h:6379/0?password=pw&db=1") == "redis://h:6379/0?password=***&db=1"
    assert redact_url("unix:///run/redis.sock?password=pw") == "unix:///run/redis.sock?password=***"


async def test_only_http_urls_are_fetched() -> None:
    async def no_cookie(source: str) -> str | None:
        return None

    http = HttpClient(HttpSettings(), no_cookie)
    try:
        for url in ("file:///etc/hostname", "dict://127.0.0.1:6379/info", "gopher://x/"):
            with pytest.raises(UpstreamError, match="non-HTTP"):
                await http.get(url)
    finally:
        await http.close()


async def test_a_sites_cookie_goes_to_its_own_host_only(web_api: Any, fakeweb: Any) -> None:
    await read_envelope(await web_api.post(f"{API}/source/cookie", json={"source": "jable", "cookie": "k=v"}), 200)
    settings = web_api.app[appkeys.SETTINGS]
    source = JableSource(web_api.app[appkeys.HTTP], settings.source("jable"))
    await source.fetch("/videos/ssis-469/")
    await source.fetch(f"{fakeweb['kissav'].base_url}/video/ssis-469")
    assert fakeweb["jable"].headers_seen("Cookie") == ["k=v"]
    assert fakeweb["kissav"].headers_seen("Cookie") == []


async def test_a_page_about_another_video_is_a_miss(web_api: Any, fakeweb: Any) -> None:
    source = JableSource(web_api.app[appkeys.HTTP], web_api.app[appkeys.SETTINGS].source("jable"))
    page = await source.fetch("/videos/ssis-469/")
    with pytest.raises(NotOnSource, match="about another video"):
        source.hit("ABCD-999", page, title="something", stream_url="http://x/a.m3u8")


async def test_refresh_without_a_known_source_searches_the_enabled_ones(web_api: Any, library_root: Path) -> None:
    make_resource(library_root, "SSIS-469", source="jable.tv")  # hand-made, with a source we do not know
    body = await read_envelope(await web_api.post(f"{API}/resource/refresh/SSIS-469"), 200)
    assert body["data"]["source"] == "Jable"


async def test_failed_refresh_has_no_data(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    await read_envelope(await web_api.post(f"{API}/resource", json={"avid": "SSIS-469", "source": "jable"}), 201)
    fakeweb["jable"].mode = "error"
    body = await read_envelope(await web_api.post(f"{API}/resource/refresh/SSIS-469"), 502)
    assert body == {"code": 502, "message": "从 Jable 刷新 SSIS-469 失败", "data": None}


async def test_a_broken_playlist_fails_its_task_and_the_queue_goes_on(web_api: Any, fakeweb: Any) -> None:
    await read_envelope(await web_api.post(f"{API}/resource", json={"avid": "SSIS-469", "source": "jable"}), 201)
    await read_envelope(await web_api.post(f"{API}/resource", json={"avid": "PRED-388", "source": "jable"}), 201)
    fakeweb["cdn"].variant = "broken"  # #EXTINF values that are not numbers
    first = await submit(web_api, "SSIS-469")
    failed = (await follow(web_api, first))[-1]
    assert failed["status"] == "failed"
    assert "not a valid HLS playlist" in failed["error"]
    fakeweb["cdn"].variant = "plain"
    second = await submit(web_api, "PRED-388")
    assert (await follow(web_api, second))[-1]["status"] == "completed"
