"""The upstream client against a real local server: browser-like requests, caps, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from nassav.config import HttpSettings
from nassav.errors import Blocked, NotOnSource, UpstreamError
from nassav.http import HttpClient

SEEN: list[dict[str, str]] = []


@pytest.fixture
async def origin() -> AsyncIterator[str]:
    async def echo(request: web.Request) -> web.Response:
        SEEN.append(dict(request.headers))
        return web.Response(text="hello")

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 3_000_000)

    async def gone(request: web.Request) -> web.Response:
        return web.Response(status=404, text="no")

    async def challenge(request: web.Request) -> web.Response:
        return web.Response(status=503, text="<html><title>Just a moment...</title></html>", content_type="text/html")

    async def teapot(request: web.Request) -> web.Response:
        return web.Response(status=418, text="no")

    app = web.Application()
    app.router.add_routes(
        [web.get("/echo", echo), web.get("/big", big), web.get("/gone", gone), web.get("/cf", challenge),
         web.get("/teapot", teapot)]
    )  # fmt: skip
    server = TestServer(app)
    await server.start_server()
    SEEN.clear()
    yield str(server.make_url(""))
    await server.close()


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    cookies = {"Jable": "cf_clearance=abc"}

    async def lookup(source: str) -> str | None:
        return cookies.get(source)

    http = HttpClient(HttpSettings(timeout_seconds=5, retries=0), lookup)
    yield http
    await http.close()


async def test_requests_look_like_a_browser(client: HttpClient, origin: str) -> None:
    response = await client.get(f"{origin}/echo", source="Jable", referer="https://jable.tv/")
    assert response.text == "hello"
    headers = SEEN[-1]
    assert "Chrome" in headers["User-Agent"]
    assert headers["Accept-Language"].startswith("zh-CN")
    assert headers["Cookie"] == "cf_clearance=abc"
    assert headers["Referer"] == "https://jable.tv/"


async def test_no_cookie_without_a_stored_one(client: HttpClient, origin: str) -> None:
    await client.get(f"{origin}/echo", source="MissAV")
    await client.get(f"{origin}/echo")
    assert all("Cookie" not in headers for headers in SEEN)


async def test_response_size_is_capped(client: HttpClient, origin: str) -> None:
    with pytest.raises(UpstreamError, match="sent more than 1000000 bytes"):
        await client.get(f"{origin}/big", max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("path", "error", "text"),
    [("/gone", NotOnSource, "HTTP 404"), ("/cf", Blocked, "set a cf_clearance cookie for Jable"),
     ("/teapot", UpstreamError, "HTTP 418")],
)  # fmt: skip
async def test_errors_are_typed(client: HttpClient, origin: str, path: str, error: type, text: str) -> None:
    with pytest.raises(error, match=text):
        await client.get(f"{origin}{path}", source="Jable")


async def test_unreachable_host_is_upstream_error(client: HttpClient) -> None:
    from tests.conftest import free_port

    with pytest.raises(UpstreamError, match="unreachable") as caught:
        await client.get(f"http://127.0.0.1:{free_port()}/x?token=secret")
    assert "secret" not in caught.value.message


async def test_peek_reads_only_the_head(client: HttpClient, origin: str) -> None:
    response = await client.get(f"{origin}/big", max_bytes=4096, peek=True)
    assert response.content == b"x" * 4096
