"""[server] api_key: required on every API route but the docs; never written to the access log."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from nassav.app import create_app
from tests.helpers import read_envelope

API = "/nassav/api"
KEY = "k3y-of-the-nas-0wner"


@pytest.fixture
async def locked(serve_app: Any, make_settings: Any) -> Any:
    app = create_app(make_settings(server={"api_key": KEY}))
    return await serve_app(app)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "source/list"),
        ("POST", "source/cookie"),
        ("GET", "resource/list"),
        ("GET", "resource/metadata?avid=SSIS-469"),
        ("GET", "resource/cover?avid=SSIS-469"),
        ("DELETE", "resource/SSIS-469"),
        ("GET", "downloads/list"),
        ("DELETE", "downloads/SSIS-469"),
        ("GET", "no/such/route"),
    ],
)
async def test_missing_key_is_401(locked: Any, method: str, path: str) -> None:
    body = await read_envelope(await locked.request(method, f"{API}/{path}"), 401)
    assert body["data"] is None


async def test_wrong_key_is_401(locked: Any) -> None:
    response = await locked.get(f"{API}/source/list", headers={"X-Api-Key": KEY + "x"})
    body = await read_envelope(response, 401)
    assert body["message"] == "API 密钥无效或缺失"


async def test_key_in_header_or_query(locked: Any) -> None:
    await read_envelope(await locked.get(f"{API}/source/list", headers={"X-Api-Key": KEY}), 200)
    await read_envelope(await locked.get(f"{API}/resource/list", params={"apikey": KEY}), 200)


async def test_query_key_does_not_disturb_validation(locked: Any) -> None:
    response = await locked.get(f"{API}/resource/metadata", params={"apikey": KEY, "avid": "SSIS-469"})
    body = await read_envelope(response, 404)
    assert body["message"] == "资源 SSIS-469 的元数据不存在"


async def test_docs_need_no_key(locked: Any) -> None:
    assert (await locked.get(f"{API}/openapi.json")).status == 200
    assert (await locked.get(f"{API}/docs")).status == 200


async def test_key_never_reaches_the_access_log(locked: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        await read_envelope(await locked.get(f"{API}/source/list", params={"apikey": KEY}), 200)
        await read_envelope(await locked.get(f"{API}/source/list", params={"x": "1", "apikey": KEY}), 200)
    assert "GET /nassav/api/source/list?apikey=***" in caplog.text
    assert "GET /nassav/api/source/list?x=1&apikey=***" in caplog.text
    assert KEY not in caplog.text


async def test_no_key_configured_means_open(api: Any) -> None:
    await read_envelope(await api.get(f"{API}/source/list"), 200)
