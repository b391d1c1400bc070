"""Shared fixtures: settings for a throw-away library, the real app on a real port, a real Redis."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from nassav.app import create_app
from nassav.config import Settings, build_settings
from nassav.handlers.access_log import AccessLogger
from tests.redis_process import RedisProcess

MakeSettings = Callable[..., Settings]


@pytest.fixture
def make_settings(tmp_path: Path) -> MakeSettings:
    """Settings as a config.toml would give them, rooted in this test's temp dir."""

    def make(**sections: dict[str, Any]) -> Settings:
        return build_settings(sections, env={}, base_dir=tmp_path)

    return make


@pytest.fixture
def settings(make_settings: MakeSettings) -> Settings:
    return make_settings()


@pytest.fixture
def library_root(settings: Settings) -> Path:
    return settings.paths.resource_dir


ServeApp = Callable[[web.Application], Awaitable[TestClient]]


@pytest.fixture
def serve_app(aiohttp_client: Any) -> ServeApp:
    """Serve an app on a real port of 127.0.0.1 as ``nassav serve`` does (our access log included)."""

    async def serve(app: web.Application) -> TestClient:
        server = TestServer(app)
        await server.start_server(access_log_class=AccessLogger)
        return await aiohttp_client(server)

    return serve


@pytest.fixture
async def api(serve_app: ServeApp, settings: Settings) -> TestClient:
    """The real application, served on a real port, with a real HTTP client."""
    return await serve_app(create_app(settings))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis URL: the one on 127.0.0.1:6379 if it answers, else a throw-away redis-server."""
    if _redis_answers("127.0.0.1", 6379):
        yield "redis://127.0.0.1:6379/0"
        return
    exe = shutil.which("redis-server")
    if exe is None:
        reason = "no Redis answers on 127.0.0.1:6379 and redis-server is not installed"
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI must not pass by skipping what it cannot run
        pytest.skip(reason)
    server = RedisProcess(exe, free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A redis-server of this test's own (started), which the test may kill and start again."""
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    (tmp_path / "redis").mkdir()
    server = RedisProcess(exe, free_port(), tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def redis_settings(redis_server: str, make_settings: MakeSettings) -> AsyncIterator[Settings]:
    """Settings that use the test Redis under a key prefix of their own, removed afterwards."""
    import redis.asyncio as aioredis

    prefix = f"nassav-test-{uuid.uuid4().hex}:"
    yield make_settings(redis={"url": redis_server, "key_prefix": prefix})
    client = aioredis.from_url(redis_server)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def hls_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real HLS streams, made once per test session by ffmpeg."""
    from tests.fakeweb.hls import make_hls

    return make_hls(tmp_path_factory.mktemp("hls"))


@pytest.fixture
async def fakeweb(hls_root: Path) -> AsyncIterator[Any]:
    """The local stand-in for the outside web (tests/fakeweb), one real server per site."""
    from tests.fakeweb import FakeWeb

    web_ = FakeWeb(hls_root)
    await web_.start()
    yield web_
    await web_.close()


@pytest.fixture
async def mirrored_fakeweb(hls_root: Path) -> AsyncIterator[Any]:
    """The fake web behind a path-based reverse proxy: every site at ``http://127.0.0.1:PORT/mirror/<key>``."""
    from tests.fakeweb import FakeWeb

    web_ = FakeWeb(hls_root, mirrored=True)
    await web_.start()
    yield web_
    await web_.close()


@pytest.fixture
async def web_api(serve_app: ServeApp, make_settings: MakeSettings, fakeweb: Any) -> TestClient:
    """The real application pointed at the fake web."""
    return await serve_app(create_app(make_settings(**fakeweb.config())))
