"""The client commands as a user runs them: ``python -m nassav <command>`` as a real process, against
the real server on a real port, its sources on the fake web and its downloads real."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.filesize import decimal

from nassav.app import create_app
from nassav.client.api import base_url_for
from nassav.client.commands import KEY_HINT
from nassav.config import ServerSettings
from tests.conftest import free_port
from tests.downloads_helpers import follow
from tests.fakeweb.catalogue import MISSING_AVID, VIDEOS
from tests.helpers import make_resource, read_envelope

API = "/nassav/api"
AVID = "SSIS-469"
KEY = "cli-k3y-of-the-nas-owner"
RUN_TIMEOUT_S = 90
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


async def nassav(*args: str, cwd: Path | None = None, stdin: str = "", env: dict[str, str] | None = None) -> Run:
    """Run the command line in a process of its own, without the NASSAV_* variables of this shell."""
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("NASSAV_", "FORCE_COLOR", "TTY_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "nassav", *args,
        cwd=cwd, env={**clean_env, **(env or {})},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(RUN_TIMEOUT_S):
        out, err = await proc.communicate(stdin.encode())
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode(), err.decode())


@dataclass(frozen=True)
class Served:
    api: Any  # an HTTP client of the server, to set up and check what the command line did
    url: str


@pytest.fixture
async def serve(serve_app: Any, make_settings: Any, fakeweb: Any) -> Any:
    """The server on the fake web with extra config, e.g. serve(download={"retries": 0})."""

    async def make(**sections: dict[str, Any]) -> Served:
        config = fakeweb.config()
        for name, values in sections.items():
            config.setdefault(name, {}).update(values)
        api = await serve_app(create_app(make_settings(**config)))
        return Served(api, f"http://127.0.0.1:{api.server.port}")

    return make


async def add_resource(served: Served, avid: str = AVID) -> None:
    await read_envelope(await served.api.post(f"{API}/resource", json={"avid": avid, "source": "jable"}), 201)


# --- add ------------------------------------------------------------------------------------------


async def test_add_says_what_became_of_each_avid(serve: Any, library_root: Path) -> None:
    served = await serve()
    run = await nassav("add", "ssis469", "PRED-388", "--url", served.url)
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        f"SSIS-469: added from Jable ({VIDEOS['SSIS-469'].title})",
        f"PRED-388: added from Jable ({VIDEOS['PRED-388'].title})",
    ]
    assert (library_root / AVID / f"{AVID}.json").is_file()

    run = await nassav("add", AVID, MISSING_AVID, "--url", served.url)
    assert run.code == 1
    assert run.out == f"{AVID}: already in the library (Jable)\n"
    first, *reasons = run.err.splitlines()
    assert first == f"{MISSING_AVID}: 无法从任何源获取 {MISSING_AVID} 的信息"
    assert reasons[0].startswith("  Jable: ")  # each source's reason, in order
    assert "Traceback" not in run.err


async def test_add_from_an_unknown_source_names_the_known_ones(serve: Any) -> None:
    served = await serve()
    run = await nassav("add", AVID, "--source", "nosuch", "--url", served.url)
    assert run.code == 1
    assert run.err.splitlines() == [
        f"{AVID}: 源 nosuch 不存在",
        "  available sources: Jable, MissAV, Hohoj, Memo, Kanav, Avtoday, Netflav, Kissav",
    ]


# --- download -------------------------------------------------------------------------------------


async def test_download_wait_shows_live_progress_and_ends_0(serve: Any, fakeweb: Any, library_root: Path) -> None:
    served = await serve(download={"threads": 1})
    fakeweb["cdn"].segment_delay_s = 0.1  # a few seconds, for the bar to move on the way
    await add_resource(served)
    run = await nassav("download", AVID, "--wait", "--url", served.url, env={"FORCE_COLOR": "1"})
    assert run.code == 0, run.err
    video = library_root / AVID / f"{AVID}.mp4"
    assert run.out == f"{AVID}: downloaded ({decimal(video.stat().st_size)})\n"
    percents = [int(p) for p in re.findall(r"(\d+)%", ANSI.sub("", run.err))]
    assert percents[-1] == 100
    assert any(0 < p < 100 for p in percents)  # drawn live, not only at the end
    assert "/s" in ANSI.sub("", run.err)  # with the speed

    run = await nassav("download", AVID, "--wait", "--url", served.url)
    assert run.code == 0
    assert run.out == f"{AVID}: already downloaded ({decimal(video.stat().st_size)})\n"


async def test_download_that_fails_ends_1_with_the_reason(serve: Any, fakeweb: Any, library_root: Path) -> None:
    served = await serve(download={"retries": 0})
    fakeweb["cdn"].variant = "missing"
    await add_resource(served)
    run = await nassav("download", AVID, "--wait", "--url", served.url)
    assert run.code == 1
    assert run.out == ""
    assert run.err.splitlines()[-1].startswith(f"{AVID}: failed: yt_dlp exited with code")
    assert not (library_root / AVID / f"{AVID}.mp4").exists()


async def test_refused_submit_ends_1_and_the_others_still_go(serve: Any) -> None:
    served = await serve()
    await add_resource(served)
    run = await nassav("download", MISSING_AVID, AVID, "--url", served.url)
    assert run.code == 1
    assert run.err == f"{MISSING_AVID}: {MISSING_AVID} 的元数据不存在，请先调用 /api/resource/new 添加资源\n"
    (line,) = run.out.splitlines()
    assert line.startswith(f"{AVID}: queued as task ")
    task_id = line.rsplit(" ", 1)[1]
    await read_envelope(await served.api.get(f"{API}/downloads/tasks/{task_id}"), 200)
    assert (await follow(served.api, task_id))[-1]["status"] == "completed"


# --- tasks ----------------------------------------------------------------------------------------


async def test_tasks_is_a_table_of_the_tasks(serve: Any, fakeweb: Any) -> None:
    served = await serve(download={"retries": 0})
    run = await nassav("tasks", "--url", served.url)
    assert (run.code, run.out, run.err) == (0, "", "no download tasks\n")

    await add_resource(served)
    await add_resource(served, "PRED-388")
    done = await nassav("download", AVID, "--wait", "--url", served.url)
    assert done.code == 0, done.err
    fakeweb["cdn"].variant = "missing"
    failed = await nassav("download", "PRED-388", "--wait", "--url", served.url)
    assert failed.code == 1

    run = await nassav("tasks", "--url", served.url, env={"COLUMNS": "160"})
    assert run.code == 0, run.err
    tasks = (await read_envelope(await served.api.get(f"{API}/downloads/tasks"), 200))["data"]
    rows = {line.split()[0]: line.split()[1:4] for line in run.out.splitlines() if re.match(r"[0-9a-f]{32} ", line)}
    assert rows == {task["id"]: [task["avid"], task["status"], f"{task['percent']:.1f}%"] for task in tasks}
    assert {status for _, status, _ in rows.values()} == {"completed", "failed"}
    assert "yt_dlp exited with code" in run.out  # why the failed one failed


# --- cookie ---------------------------------------------------------------------------------------


async def test_cookie_is_stored_and_never_printed(serve: Any, fakeweb: Any) -> None:
    served = await serve()
    secret = "cf_clearance=s3cr3t-value"
    run = await nassav("cookie", "jable", secret, "--url", served.url)
    assert (run.code, run.out, run.err) == (0, "cookie stored for Jable\n", "")
    await add_resource(served)
    assert fakeweb["jable"].headers_seen("Cookie")[-1] == secret  # the site gets it

    run = await nassav("cookie", "MissAV", "-", "--url", served.url, stdin="from=stdin\n")
    assert run.code == 0, run.err
    assert "from=stdin" not in run.out + run.err

    run = await nassav("cookie", "nope", secret, "--url", served.url)
    assert run.code == 1
    assert run.err.splitlines()[0] == "nassav: 源 nope 不存在"
    assert secret not in run.out + run.err


# --- list -----------------------------------------------------------------------------------------


async def test_list_follows_the_pages_and_filters(serve: Any, library_root: Path) -> None:
    served = await serve()
    run = await nassav("list", "--url", served.url)
    assert (run.code, run.out, run.err) == (0, "", "the library is empty\n")

    await add_resource(served)
    await add_resource(served, "PRED-388")
    video = library_root / AVID / f"{AVID}.mp4"
    video.write_bytes(b"\0" * 1024)  # a video copied in by hand
    run = await nassav("list", "--url", served.url)
    assert run.code == 0, run.err
    header, *lines = run.out.splitlines()
    assert header.split() == ["AVID", "VIDEO", "SOURCE", "RELEASED", "TITLE"]
    assert sorted(line.split()[:2] for line in lines) == [["PRED-388", "-"], ["SSIS-469", "yes"]]
    assert any(line.endswith(VIDEOS[AVID].title) for line in lines)  # the title whole, last

    run = await nassav("list", "--downloaded", "--url", served.url)
    assert [line.split()[0] for line in run.out.splitlines()[1:]] == [AVID]
    run = await nassav("list", "--search", "PRED", "--url", served.url)
    assert [line.split()[0] for line in run.out.splitlines()[1:]] == ["PRED-388"]


async def test_list_reads_every_page(serve: Any, library_root: Path) -> None:
    for n in range(450):  # three pages of 200
        make_resource(library_root, f"ABC-{n:03d}")
    served = await serve()
    run = await nassav("list", "--url", served.url)
    assert run.code == 0, run.err
    assert sorted(line.split()[0] for line in run.out.splitlines()[1:]) == [f"ABC-{n:03d}" for n in range(450)]


# --- where the server is, and its key -------------------------------------------------------------


async def test_a_keyed_server_wants_the_key(serve: Any, tmp_path: Path) -> None:
    served = await serve(server={"api_key": KEY})
    run = await nassav("tasks", "--url", served.url)
    assert run.code == 2
    assert run.err == f"nassav: 缺少 API 密钥 ({KEY_HINT})\n"
    assert "--api-key" in KEY_HINT

    run = await nassav("tasks", "--url", served.url, "--api-key", KEY + "x")
    assert run.code == 2
    assert run.err.startswith("nassav: API 密钥无效或缺失 (")
    assert KEY not in run.err

    run = await nassav("tasks", "--url", served.url, "--api-key", KEY)
    assert (run.code, run.err) == (0, "no download tasks\n")


async def test_address_and_key_come_from_the_servers_config(serve: Any, tmp_path: Path) -> None:
    served = await serve(server={"api_key": KEY})
    config = tmp_path / "etc" / "config.toml"
    config.parent.mkdir()
    config.write_text(f'[server]\nhost = "0.0.0.0"\nport = {served.api.server.port}\napi_key = "{KEY}"\n', "utf-8")
    (tmp_path / "config.toml").write_bytes(config.read_bytes())

    for args, env, cwd in [
        ((), {}, tmp_path),  # ./config.toml
        (("--config", str(config)), {}, None),
        ((), {"NASSAV_CONFIG": str(config)}, None),
    ]:
        run = await nassav("tasks", *args, cwd=cwd, env=env)
        assert (run.code, run.err) == (0, "no download tasks\n"), (args, env)
        assert KEY not in run.out + run.err


async def test_no_server_is_one_line_and_exit_2(tmp_path: Path) -> None:
    port = free_port()
    run = await nassav("add", AVID, "--url", f"http://127.0.0.1:{port}")
    assert (run.code, run.out) == (2, "")
    assert run.err == f"nassav: no NASSAV server at http://127.0.0.1:{port} (is it running?)\n"

    (tmp_path / "config.toml").write_text(f'[server]\nhost = "0.0.0.0"\nport = {port}\n', "utf-8")
    run = await nassav("tasks", cwd=tmp_path)
    assert (run.code, run.out) == (2, "")
    assert run.err == f"nassav: no NASSAV server at http://127.0.0.1:{port} (is it running?)\n"


async def test_something_else_on_the_port_is_not_taken_for_nassav(fakeweb: Any) -> None:
    run = await nassav("tasks", "--url", fakeweb["javbus"].base_url)
    assert run.code == 2
    assert run.err == f"nassav: {fakeweb['javbus'].base_url} answered HTTP 404, not as a NASSAV server\n"


async def test_a_bad_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[server]\nport = "eighty"\n', "utf-8")
    run = await nassav("list", cwd=tmp_path)
    assert (run.code, run.err) == (2, "nassav: config key [server] port: expected a number, got 'eighty'\n")


async def test_a_bad_command_line_says_so_and_ends_2() -> None:
    run = await nassav("add")
    assert run.code == 2
    assert "Missing argument 'AVID...'" in run.err
    assert "Traceback" not in run.err


@pytest.mark.parametrize(
    ("host", "url"),
    [("0.0.0.0", "http://127.0.0.1:8000"), ("::", "http://[::1]:8000"), ("", "http://127.0.0.1:8000"),
     ("nas.local", "http://nas.local:8000"), ("fd00::5", "http://[fd00::5]:8000")],
)  # fmt: skip
def test_a_server_on_every_interface_is_reached_on_loopback(host: str, url: str) -> None:
    assert base_url_for(ServerSettings(host=host, port=8000)) == url


async def test_a_password_in_the_url_is_never_shown() -> None:
    run = await nassav("list", "--url", f"http://someone:secretpw@127.0.0.1:{free_port()}")
    assert run.code == 2
    assert "secretpw" not in run.out + run.err
    assert "no NASSAV server at http://127.0.0.1:" in run.err


def test_an_error_with_brackets_is_shown_as_it_is() -> None:
    """Engines and sites say things like ``[generic] ... [/seg]``: text, not markup for the table."""
    from rich.console import Console

    from nassav.client.api import TaskState
    from nassav.client.display import tasks_table

    console = Console(record=True, width=200)
    console.print(tasks_table([TaskState("0" * 32, "A-1", "failed", 0, None, None, "[generic] x [/seg] y", None)]))
    assert "[generic] x [/seg] y" in console.export_text()
