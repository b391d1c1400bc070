"""``nassav serve`` as a real process: embedded defaults, clean shutdown, one-line errors."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from tests.conftest import free_port

START_TIMEOUT_S = 30


async def start(cwd: Path, *args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("NASSAV_")}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "nassav", "serve", *args,
        cwd=cwd, env={**clean_env, **(env or {})},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def wait_for_line(proc: asyncio.subprocess.Process, needle: str) -> list[str]:
    """Read stderr until a line contains ``needle``; return what was read."""
    assert proc.stderr is not None
    seen: list[str] = []
    async with asyncio.timeout(START_TIMEOUT_S):
        while True:
            raw = await proc.stderr.readline()
            if not raw:
                pytest.fail(f"process ended before {needle!r}: {seen}")
            seen.append(raw.decode())
            if needle in seen[-1]:
                return seen


async def finish(proc: asyncio.subprocess.Process) -> tuple[int, str]:
    async with asyncio.timeout(START_TIMEOUT_S):
        _, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def test_serve_on_embedded_defaults_and_stop_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    proc = await start(tmp_path, "--port", str(port))
    try:
        await wait_for_line(proc, f"listening on http://127.0.0.1:{port}")
        url = f"http://127.0.0.1:{port}/nassav/api/source/list"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            body = await response.json()
        assert body["data"][0] == "Jable"
    finally:
        proc.send_signal(signal.SIGTERM)
        code, err = await finish(proc)
    assert code == 0, err
    assert (tmp_path / "nassav.db").is_file()
    assert (tmp_path / "resource").is_dir()
    assert "Traceback" not in err


async def test_access_log_arrives_whole_through_the_log_thread_with_the_key_masked(tmp_path: Path) -> None:
    # The server formats and writes its log in a thread of its own; every line of the last requests
    # before SIGTERM must still be written, the key masked however the client spelled it.
    key, port, burst = "s3cret-key", free_port(), 50
    proc = await start(tmp_path, "--port", str(port), env={"NASSAV_SERVER_API_KEY": key})
    try:
        await wait_for_line(proc, "listening on")
        base = f"http://127.0.0.1:{port}/nassav/api/source/list"
        async with aiohttp.ClientSession() as session:
            for query in [f"?%61pikey={key}", f"?x=1&apikey={key}"] * burst:
                async with session.get(URL(base + query, encoded=True)) as response:
                    assert response.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        code, err = await finish(proc)
    assert code == 0, err
    assert key not in err
    assert err.count('"GET /nassav/api/source/list?apikey=***" 200 ') == burst
    assert err.count('"GET /nassav/api/source/list?x=1&apikey=***" 200 ') == burst


async def test_exposed_without_key_gets_one_kept_for_its_user_only(tmp_path: Path) -> None:
    port = free_port()
    proc = await start(tmp_path, "--host", "0.0.0.0", "--port", str(port))
    try:
        lines = await wait_for_line(proc, "listening on http")
        key_file = tmp_path / "nassav.api-key"
        key = key_file.read_text("utf-8").strip()
        assert len(key) >= 24
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert any("WARNING" in line and str(key_file) in line for line in lines)  # the log says where
        assert not any(key in line for line in lines)  # never what
        async with aiohttp.ClientSession() as session:
            base = f"http://127.0.0.1:{port}/nassav"
            async with session.get(f"{base}/api/source/list") as refused:
                assert refused.status == 401
            async with session.get(f"{base}/api/source/list", headers={"X-Api-Key": key}) as allowed:
                assert allowed.status == 200
            async with session.get(f"{base}/") as page:  # the page itself needs no key
                assert page.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        await finish(proc)
    printed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "nassav", "api-key", cwd=tmp_path, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await printed.communicate()
    assert printed.returncode == 0
    assert out.decode().strip() == key
    again = await start(tmp_path, "--host", "0.0.0.0", "--port", str(free_port()))  # a restart keeps it
    try:
        await wait_for_line(again, "listening on http")
    finally:
        again.send_signal(signal.SIGTERM)
        await finish(again)
    assert key_file.read_text("utf-8").strip() == key


async def test_no_key_on_loopback(tmp_path: Path) -> None:
    printed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "nassav", "api-key", cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    _, err = await printed.communicate()
    assert printed.returncode == 1
    assert "no API key" in err.decode()
    assert not (tmp_path / "nassav.api-key").exists()


async def test_bad_config_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[server]\nport = "eighty"\n', "utf-8")
    code, err = await finish(await start(tmp_path))
    assert code == 2
    assert err == "nassav: config key [server] port: expected a number, got 'eighty'\n"


async def test_unreachable_redis_is_one_line_without_password(tmp_path: Path) -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    code, err = await finish(await start(tmp_path, "--port", str(free_port()), env={"NASSAV_REDIS_URL": url}))
    assert code == 1
    assert "cannot reach Redis at redis://:***@127.0.0.1" in err
    assert "hunter2" not in err
    assert "Traceback" not in err


async def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    blocker = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = blocker.sockets[0].getsockname()[1]
    try:
        code, err = await finish(await start(tmp_path, "--port", str(port)))
    finally:
        blocker.close()
        await blocker.wait_closed()
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err
