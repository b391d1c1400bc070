"""Every answer under /nassav is the envelope, errors included, with HTTP status == code."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp import web

from nassav.app import create_app
from nassav.config import Settings
from nassav.handlers import appkeys
from tests.helpers import read_envelope

API = "/nassav/api"


async def test_success_envelope(api: Any) -> None:
    body = await read_envelope(await api.get(f"{API}/source/list"), 200)
    assert body["message"] == "success"


async def test_unknown_route_is_404(api: Any) -> None:
    body = await read_envelope(await api.get(f"{API}/no/such/thing"), 404)
    assert body["data"] is None
    assert body["message"] == "接口不存在"


async def test_wrong_method_is_405_with_allow(api: Any) -> None:
    response = await api.put(f"{API}/source/list")
    body = await read_envelope(response, 405)
    assert body["data"] is None
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("payload", [b"{bad", b"\xff\xfe{", b'{"source": "jable",'])
async def test_malformed_json_is_400(api: Any, payload: bytes) -> None:
    response = await api.post(f"{API}/source/cookie", data=payload, headers={"Content-Type": "application/json"})
    body = await read_envelope(response, 400)
    assert body["message"] == "请求体不是有效的 JSON"


async def test_validation_400_carries_field_errors(api: Any) -> None:
    body = await read_envelope(await api.post(f"{API}/source/cookie", json={"source": "jable"}), 400)
    assert list(body["data"]) == ["cookie"]
    assert "cookie" in body["message"]


async def test_json_that_is_not_an_object_is_400(api: Any) -> None:
    body = await read_envelope(await api.post(f"{API}/source/cookie", json=["jable", "a=b"]), 400)
    assert body["data"]


async def test_json_without_content_type_is_accepted(api: Any) -> None:
    # curl -d sends form content-type; scripts often send none. The body is JSON all the same.
    response = await api.post(
        f"{API}/source/cookie",
        data=b'{"source": "jable", "cookie": "a=b"}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    await read_envelope(response, 200)


async def test_declared_oversize_body_is_413(serve_app: Any, make_settings: Any) -> None:
    client = await serve_app(create_app(make_settings(server={"max_body_bytes": 2048})))
    payload = {"source": "jable", "cookie": "x" * 4000}
    body = await read_envelope(await client.post(f"{API}/source/cookie", json=payload), 413)
    assert "2048" in body["message"]


async def test_chunked_oversize_body_is_413(serve_app: Any, make_settings: Any) -> None:
    client = await serve_app(create_app(make_settings(server={"max_body_bytes": 2048})))

    async def chunks() -> Any:
        yield b'{"source": "jable", "cookie": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    response = await client.post(f"{API}/source/cookie", data=chunks(), headers={"Content-Type": "application/json"})
    assert "Content-Length" not in response.request_info.headers
    await read_envelope(response, 413)


async def test_unexpected_exception_is_generic_500(
    serve_app: Any, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings)

    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("secret detail /var/lib/internal")

    # A route of the test's own, in the same guard as every route, to reach its last resort.
    app.router.add_get(f"{API}/test/broken", app[appkeys.GUARD](broken))
    client = await serve_app(app)
    with caplog.at_level(logging.ERROR, logger="nassav"):
        response = await client.get(f"{API}/test/broken")
        text = await response.text()
    body = await read_envelope(response, 500)
    assert body == {"code": 500, "message": "服务器内部错误", "data": None}
    assert "secret detail" not in text
    assert "Traceback" not in text
    assert "secret detail /var/lib/internal" in caplog.text  # the details go to the log, with the trace
    assert "Traceback" in caplog.text


async def test_head_of_unknown_route_is_404(api: Any) -> None:
    response = await api.head(f"{API}/nope")
    assert response.status == 404


@pytest.mark.parametrize("count", [0, 1, 999, 1000, 1001, 2500])
def test_a_list_made_in_chunks_is_the_same_envelope(count: int) -> None:
    from nassav.handlers.envelope import envelope_body, list_envelope_body

    items = [{"avid": f"ABC-{index:03d}", "title": '标题 "引号" \\ </script>', "n": index} for index in range(count)]
    assert list_envelope_body(items, dict) == envelope_body(200, "success", items)
