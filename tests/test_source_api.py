"""Source list and cookies: order from config, names case-insensitive, cookies kept and never shown."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from nassav.app import create_app
from nassav.config import Settings
from nassav.handlers import appkeys
from nassav.sources.jable import JableSource
from tests.helpers import read_envelope

API = "/nassav/api"
DEFAULT_ORDER = ["Jable", "MissAV", "Hohoj", "Memo", "Kanav", "Avtoday", "Netflav", "Kissav"]
SECRET = "cf_clearance=Zk9-very-secret-token; PHPSESSID=abc123"


async def test_default_source_list(api: Any) -> None:
    body = await read_envelope(await api.get(f"{API}/source/list"), 200)
    assert body["data"] == DEFAULT_ORDER


async def test_source_list_follows_configured_order_and_enabled(serve_app: Any, make_settings: Any) -> None:
    settings = make_settings(sources={"order": ["kissav", "MissAV"], "jable": {"enabled": False}})
    client = await serve_app(create_app(settings))
    body = await read_envelope(await client.get(f"{API}/source/list"), 200)
    assert body["data"] == ["Kissav", "MissAV", "Hohoj", "Memo", "Kanav", "Avtoday", "Netflav"]


@pytest.mark.parametrize("name", ["jable", "JABLE", " Jable "])
async def test_set_cookie_answers_canonical_name_never_the_cookie(api: Any, name: str) -> None:
    response = await api.post(f"{API}/source/cookie", json={"source": name, "cookie": SECRET})
    body = await read_envelope(response, 200)
    assert body["data"] == {"source": "Jable", "cookie_set": True}
    assert "secret" not in await response.text()


async def test_cookie_for_unknown_source_is_404(api: Any) -> None:
    body = await read_envelope(await api.post(f"{API}/source/cookie", json={"source": "nope", "cookie": "a=b"}), 404)
    assert body["message"] == "源 nope 不存在"
    assert body["data"] == {"available_sources": DEFAULT_ORDER}


@pytest.mark.parametrize(
    "payload",
    [
        {"source": "jable"},
        {"cookie": "a=b"},
        {"source": "jable", "cookie": ""},
        {"source": "jable", "cookie": 42},
        {"source": "jable", "cookie": "a=b\r\nX-Evil: 1"},
        {"source": "", "cookie": "a=b"},
    ],
)
async def test_cookie_validation(api: Any, payload: dict[str, Any]) -> None:
    body = await read_envelope(await api.post(f"{API}/source/cookie", json=payload), 400)
    assert body["data"]


async def test_cookie_errors_never_echo_the_cookie(api: Any) -> None:
    response = await api.post(f"{API}/source/cookie", json={"source": "jable", "cookie": SECRET + "\n"})
    await read_envelope(response, 400)
    assert "secret" not in await response.text()


async def test_cookies_survive_a_restart_and_stay_out_of_logs(
    serve_app: Any, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        first = await serve_app(create_app(settings))
        await read_envelope(await first.post(f"{API}/source/cookie", json={"source": "missav", "cookie": SECRET}), 200)
        await first.close()  # a full shutdown: cleanup contexts close the database

        second_app = create_app(settings)
        second = await serve_app(second_app)
        assert await second_app[appkeys.SERVICES].cookies.get("MISSAV") == SECRET
        assert await second_app[appkeys.SERVICES].cookies.get("jable") is None
        await second.close()
    assert "secret" not in caplog.text
    assert "cookie for MissAV updated" in caplog.text


async def test_cookie_list_is_masked_and_delete_forgets(api: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        empty = await read_envelope(await api.get(f"{API}/source/cookie"), 200)
        assert empty["data"] == []
        before = datetime.now(UTC).replace(microsecond=0)
        for name in ("missav", "JABLE"):
            await read_envelope(await api.post(f"{API}/source/cookie", json={"source": name, "cookie": SECRET}), 200)
        response = await api.get(f"{API}/source/cookie")
        listed = await read_envelope(response, 200)
        assert "secret" not in await response.text()
        assert [item["source"] for item in listed["data"]] == ["Jable", "MissAV"]
        for item in listed["data"]:
            assert set(item) == {"source", "cookie", "mtime"}
            assert item["cookie"] == f"已设置（{len(SECRET)} 个字符）"
            assert before <= datetime.fromisoformat(item["mtime"]) <= datetime.now(UTC)

        deleted = await read_envelope(await api.delete(f"{API}/source/cookie", params={"source": "jable"}), 200)
        assert deleted["data"] == {"source": "Jable", "cookie_set": False}
        left = await read_envelope(await api.get(f"{API}/source/cookie"), 200)
        assert [item["source"] for item in left["data"]] == ["MissAV"]
        again = await read_envelope(await api.delete(f"{API}/source/cookie", params={"source": "Jable"}), 404)
        assert again == {"code": 404, "message": "源 Jable 没有设置 Cookie", "data": None}
    assert "secret" not in caplog.text
    assert "cookie for Jable deleted" in caplog.text


@pytest.mark.parametrize(("query", "field"), [({}, "source"), ({"source": ""}, "source")])
async def test_cookie_delete_needs_a_source(api: Any, query: dict[str, str], field: str) -> None:
    body = await read_envelope(await api.delete(f"{API}/source/cookie", params=query), 400)
    assert field in body["data"]


async def test_cookie_delete_of_an_unknown_source_is_404_as_setting_one_is(api: Any) -> None:
    body = await read_envelope(await api.delete(f"{API}/source/cookie", params={"source": "nope"}), 404)
    assert body == {"code": 404, "message": "源 nope 不存在", "data": {"available_sources": DEFAULT_ORDER}}


async def test_a_deleted_cookie_is_no_longer_sent(web_api: Any, fakeweb: Any) -> None:
    await read_envelope(await web_api.post(f"{API}/source/cookie", json={"source": "jable", "cookie": SECRET}), 200)
    source = JableSource(web_api.app[appkeys.HTTP], web_api.app[appkeys.SETTINGS].source("jable"))
    await source.fetch("/videos/ssis-469/")
    assert fakeweb["jable"].headers_seen("Cookie") == [SECRET]
    await read_envelope(await web_api.delete(f"{API}/source/cookie", params={"source": "jable"}), 200)
    await source.fetch("/videos/ssis-469/")
    assert len(fakeweb["jable"].requests) == 2
    assert fakeweb["jable"].headers_seen("Cookie") == [SECRET]  # the second request went without it


async def test_asking_for_a_cookie_to_be_fetched_says_what_to_do(api: Any) -> None:
    body = await read_envelope(await api.post(f"{API}/source/cookie", json={"source": "MissAV", "auto": True}), 400)
    assert any("复制" in message for message in body["data"]["cookie"]), body
