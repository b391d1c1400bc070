"""Blocking file work on the event loop: p99 of ``GET /source/list`` while a download's work dir and
a resource folder, each of ``size_bytes``, are deleted through the API, against its p99 when idle.

The resource folder is what the library holds, ``resource/{AVID}/`` with its json, cover, page and a
video of ``size_bytes``, deleted with ``DELETE /resource/{avid}``. The work dir is a running
download's ``tmp_dir/{task_id}/``: the bench submits a download against its own origin, slowed so
that the download is still running when it is cancelled, fills the work dir with 1 MB fragment
files, and cancels the task with ``DELETE /downloads/tasks/{task_id}``, which removes them. Every
byte is written and synced, as a download's would be by the time it is deleted.

The load is paced (every connection waits ``PACE_MS`` between requests), not saturating: wrk keeps
one request per connection in flight, so a stall of the loop delays one request per connection. At
saturation those few would hide among tens of thousands and leave the p99 unmoved; paced, any stall
longer than 1% of the window reaches the p99. Idle and busy windows alternate round by round, with
the same download running in both; they differ only in the deletions.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.api_load import Wrk, wrk
from bench.common import Figure, delete, free_port, get_json, post_json, python, start_ready, stop, wait_until
from bench.library import JPEG_HEAD, add_stream_resource, make_library
from bench.server import Nassav

VICTIM = "BENCH-DEL-1"  # the resource folder that is deleted
DOWNLOAD = "BENCH-DL-1"  # the download whose work dir is deleted
FRAGMENT_BYTES = 1024 * 1024
CONNECTIONS = 64
PACE_MS = 100
WINDOW_S = 6
LEAD_S = 0.5  # the window opens before the deletions start
SPARE_BYTES = 2 * 1024**3  # what the disk keeps free for the rest of the machine
SLOW_ORIGIN_RATE = 32_000  # bytes/s per connection: the download runs for minutes


@dataclass(frozen=True)
class DeletionResults:
    size_bytes: int
    window_s: int
    p99_idle_ms: Figure
    p99_busy_ms: Figure
    delete_s: Figure  # from the first DELETE sent to the last one answered
    covered: bool  # every deletion ended inside its window


def run(*, stream_dir: Path, size_bytes: int, runs: int, window_s: int = WINDOW_S) -> DeletionResults:
    _check_room(size_bytes)
    rounds: list[tuple[float, float, float, bool]] = []
    with tempfile.TemporaryDirectory(prefix="nassav-bench-del-") as scratch, _slow_origin(stream_dir) as url:
        nassav = Nassav(Path(scratch) / "nassav")
        make_library(nassav.workdir / "resource", 1000)
        add_stream_resource(nassav.workdir / "resource", DOWNLOAD, url)
        script = _pacing_script(Path(scratch))
        nassav.start()
        try:
            for round_no in range(runs):
                rounds.append(_round(nassav, size_bytes, window_s, script))
                idle_ms, busy_ms, seconds, inside = rounds[-1]
                late = "" if inside else " (longer than the window)"
                print(f"  deletions round {round_no + 1}/{runs}: p99 idle {idle_ms:.1f} ms, busy {busy_ms:.1f} ms,"
                      f" deleting took {seconds:.2f} s{late}", flush=True)  # fmt: skip
        finally:
            nassav.stop()
    idle, busy, took, inside = zip(*rounds, strict=True)
    return DeletionResults(size_bytes, window_s, Figure(idle), Figure(busy), Figure(took), all(inside))


def _check_room(size_bytes: int) -> None:
    """Both folders exist at once; the scratch folder goes at the end of the run, whatever happens."""
    free = shutil.disk_usage(tempfile.gettempdir()).free
    if free < 2 * size_bytes + SPARE_BYTES:
        raise RuntimeError(f"{tempfile.gettempdir()} has {free / 1024**3:.1f} GiB free; the deletions need"
                           f" {(2 * size_bytes + SPARE_BYTES) / 1024**3:.1f} GiB (--delete-gb)")  # fmt: skip


def _round(nassav: Nassav, size_bytes: int, window_s: int, script: Path) -> tuple[float, float, float, bool]:
    """One idle window and one busy window, the same download running in both."""
    task_id = _prepare(nassav, size_bytes)
    idle = wrk(f"{nassav.base}/source/list", window_s, CONNECTIONS, script)
    busy, seconds, inside = _busy_window(nassav, task_id, window_s, script)
    return idle.p99_ms, busy.p99_ms, seconds, inside


class _slow_origin:  # noqa: N801 (used as a context manager, named like one)
    """bench/origin.py at a crawl, so that the download is still running when the bench cancels it."""

    def __init__(self, stream_dir: Path) -> None:
        self.port = free_port()
        self.argv = ["nice", "-n", "15", python(), "-m", "bench.origin", "--root", str(stream_dir),
                     "--port", str(self.port), "--rate", str(SLOW_ORIGIN_RATE)]  # fmt: skip

    def __enter__(self) -> str:
        self.proc = start_ready(self.argv)
        return f"http://127.0.0.1:{self.port}/stream/index.m3u8"

    def __exit__(self, *exc: object) -> None:
        stop(self.proc)


def _pacing_script(scratch: Path) -> Path:
    script = scratch / "pace.lua"
    script.write_text(f"function delay()\n  return {PACE_MS}\nend\n", "utf-8")
    return script


def _prepare(nassav: Nassav, size_bytes: int) -> str:
    """A running download with ``size_bytes`` of fragments in its work dir, and a resource folder
    with a video of ``size_bytes``; everything on disk. Returns the task's id."""
    status, body = post_json(f"{nassav.base}/downloads", {"avid": DOWNLOAD})
    assert status == 202, body
    task_id = str(body["data"]["task_id"])  # type: ignore[index]
    work_dir = nassav.workdir / "resource" / ".tmp" / task_id  # the shipped tmp_dir
    wait_until(lambda: _status(nassav, task_id) == "running" and work_dir.is_dir(), timeout_s=60)
    block = _random_block()
    fragments = work_dir / "bench-fragments"
    fragments.mkdir()
    for index in range(max(1, size_bytes // FRAGMENT_BYTES)):
        _write(fragments / f"{DOWNLOAD}.part-Frag{index}", block, FRAGMENT_BYTES)
    _write_victim(nassav.workdir / "resource" / VICTIM, block, size_bytes)
    os.sync()  # on disk, as a download's files are by the time they are deleted; one sync beats 2,000 fsyncs
    # The library notices new folders when it looks again; the listing makes it look.
    get_json(f"{nassav.base}/resource/list")
    assert get_json(f"{nassav.base}/resource/metadata?avid={VICTIM}")["code"] == 200
    return task_id


def _status(nassav: Nassav, task_id: str) -> str:
    return str(get_json(f"{nassav.base}/downloads/tasks/{task_id}")["data"]["status"])  # type: ignore[index]


def _random_block() -> bytes:
    return os.urandom(FRAGMENT_BYTES)  # real bytes: a file of zeros could be stored sparse or compressed


def _write(path: Path, block: bytes, size_bytes: int) -> None:
    with path.open("wb") as out:
        for written in range(0, size_bytes, len(block)):
            out.write(block[: size_bytes - written])


def _write_victim(folder: Path, block: bytes, size_bytes: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        f"{VICTIM}.json": f'{{"avid": "{VICTIM}", "title": "benchmark deletion", "source": "Jable"}}'.encode(),
        f"{VICTIM}.html": b"<html></html>",
        f"{VICTIM}.jpg": JPEG_HEAD + block[:20_000] + b"\xff\xd9",
    }
    for name, data in files.items():
        _write(folder / name, data, len(data))
    _write(folder / f"{VICTIM}.mp4", block, size_bytes)


def _busy_window(nassav: Nassav, task_id: str, window_s: int, script: Path) -> tuple[Wrk, float, bool]:
    """wrk for ``window_s``; after ``LEAD_S`` both deletions at once. Returns wrk's figures, how long
    the deletions took and whether they ended inside the window."""
    measured: list[Wrk] = []
    load = threading.Thread(target=lambda: measured.append(wrk(f"{nassav.base}/source/list", window_s,
                                                                 CONNECTIONS, script)))  # fmt: skip
    opened = time.perf_counter()
    load.start()
    time.sleep(LEAD_S)  # part of the measurement's design: the window opens before the deletions
    started = time.perf_counter()
    answers = _at_once(
        {
            "DELETE /resource/{avid}": lambda: delete(f"{nassav.base}/resource/{VICTIM}"),
            "DELETE /downloads/tasks/{task_id}": lambda: delete(f"{nassav.base}/downloads/tasks/{task_id}"),
        }
    )
    ended = time.perf_counter()
    load.join()
    if set(answers.values()) != {200}:
        raise RuntimeError(f"the deletions answered {answers} (did the download end before it was cancelled?)")
    work_dir = nassav.workdir / "resource" / ".tmp" / task_id
    if work_dir.exists() or (nassav.workdir / "resource" / VICTIM).exists():
        raise RuntimeError("the deletions answered 200 but left files behind")
    return measured[0], ended - started, ended - opened <= window_s


def _at_once(calls: dict[str, Callable[[], int]]) -> dict[str, int]:
    """Each call in a thread of its own, all started together; their HTTP statuses."""
    answers: dict[str, int] = {}

    def call(name: str) -> None:
        started = time.perf_counter()
        answers[name] = calls[name]()
        print(f"    {name}: {answers[name]} in {time.perf_counter() - started:.2f} s", flush=True)

    threads = [threading.Thread(target=call, args=(name,)) for name in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
