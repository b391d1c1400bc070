"""API load from a separate process (wrk, concurrency 32) on a generated library, each endpoint
against its floor: a minimal aiohttp app answering precomputed bytes of the same size. Then each
endpoint's p99 latency while a download runs, against its p99 when idle. The server runs with the
shipped defaults, the access log on (bench/server.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.common import Figure, delete, free_port, get_json, post_json, python, start_ready, stop
from bench.library import add_stream_resource, make_library
from bench.server import Nassav

CONNECTIONS = 32
P99_WRK_SECONDS = 2
ENDPOINTS = {
    "resource/list": "/resource/list",
    "source/list": "/source/list",
    "resource/metadata": "/resource/metadata?avid=BENCH-00042",
    "resource/cover": "/resource/cover?avid=BENCH-00042",
    "cover thumbnail": "/resource/cover?avid=BENCH-00042&size=small&v=1",
    "downloads/tasks": "/downloads/tasks",
}


@dataclass(frozen=True)
class EndpointResult:
    payload_bytes: int
    nassav_rps: Figure
    floor_rps: Figure
    p99_idle_ms: Figure
    p99_busy_ms: Figure


@dataclass(frozen=True)
class Wrk:
    rps: float
    p99_ms: float


def wrk(url: str, duration_s: int, connections: int = CONNECTIONS, script: Path | None = None) -> Wrk:
    options = ["-s", str(script)] if script else []
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration_s}s", "--latency", *options, url],
        check=True, capture_output=True, text=True, timeout=duration_s + 60,
    ).stdout  # fmt: skip
    if re.search(r"Non-2xx or 3xx responses", out):
        raise RuntimeError(f"wrk saw errors from {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return Wrk(rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit])


def run(
    *, resources: int, runs: int, duration_s: int, stream_url: str | None = None
) -> tuple[dict[str, EndpointResult], float]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk; bench/run does it)")
    with tempfile.TemporaryDirectory(prefix="nassav-bench-api-") as scratch:
        nassav = Nassav(Path(scratch) / "nassav")
        make_library(nassav.workdir / "resource", resources)
        if stream_url:
            add_stream_resource(nassav.workdir / "resource", "BENCH-DL-1", stream_url)
        nassav.start()
        nassav.settle()
        try:
            _warm(nassav)
            results = {
                name: endpoint(nassav, path, runs, duration_s, Path(scratch)) for name, path in ENDPOINTS.items()
            }
            idle, busy = _p99_idle_and_busy(nassav, runs) if stream_url else ({}, {})
            nassav.check_access_log()
        finally:
            nassav.stop()
    missing = Figure((0.0,))
    merged = {
        name: EndpointResult(
            r.payload_bytes, r.nassav_rps, r.floor_rps, idle.get(name, missing), busy.get(name, missing)
        )
        for name, r in results.items()
    }
    return merged, nassav.start_to_first_answer_s


def _warm(nassav: Nassav) -> None:
    for path in ENDPOINTS.values():
        urllib.request.urlopen(nassav.base + path, timeout=60).read()


def endpoint(nassav: Nassav, path: str, runs: int, duration_s: int, scratch: Path) -> EndpointResult:
    with urllib.request.urlopen(nassav.base + path, timeout=60) as response:
        body, content_type = response.read(), response.headers.get_content_type()
    body_file = scratch / "floor.body"
    body_file.write_bytes(body)
    port = free_port()
    floor = start_ready(
        [python(), "-m", "bench.floor", "--port", str(port), "--body", str(body_file), "--content-type", content_type]
    )
    ours, theirs = [], []
    try:
        for _ in range(runs):
            ours.append(wrk(nassav.base + path, duration_s))
            theirs.append(wrk(f"http://127.0.0.1:{port}/nassav/api{path}", duration_s))
    finally:
        stop(floor)
    print(f"  {path}: nassav {ours[-1].rps:.0f} req/s, floor {theirs[-1].rps:.0f} req/s", flush=True)
    return EndpointResult(
        payload_bytes=len(body),
        nassav_rps=Figure(tuple(w.rps for w in ours)),
        floor_rps=Figure(tuple(w.rps for w in theirs)),
        p99_idle_ms=Figure((0.0,)),  # measured apart, in the same sequence as while busy
        p99_busy_ms=Figure((0.0,)),
    )


def _p99_idle_and_busy(nassav: Nassav, runs: int) -> tuple[dict[str, Figure], dict[str, Figure]]:
    """The same sequence of short wrk runs over every endpoint, once idle and once while a download
    runs, round after round: the two differ only in the download."""
    idle: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    busy: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    for _ in range(runs):
        for name, p99 in _p99_pass(nassav).items():
            idle[name].append(p99)
        status, body = post_json(f"{nassav.base}/downloads", {"avid": "BENCH-DL-1"})
        assert status == 202, body
        task_url = f"{nassav.base}/downloads/tasks/{body['data']['task_id']}"  # type: ignore[index]
        while get_json(task_url)["data"]["status"] != "running":  # type: ignore[index]
            time.sleep(0.05)
        for name, p99 in _p99_pass(nassav).items():
            busy[name].append(p99)
        if get_json(task_url)["data"]["status"] != "running":  # type: ignore[index]
            print("  warning: the download ended before the busy measurements did", flush=True)
        while get_json(task_url)["data"]["status"] in ("pending", "running"):  # type: ignore[index]
            time.sleep(0.2)
        delete(f"{nassav.base}/downloads/BENCH-DL-1")
    as_figures = lambda samples: {name: Figure(tuple(values)) for name, values in samples.items()}  # noqa: E731
    return as_figures(idle), as_figures(busy)


def _p99_pass(nassav: Nassav) -> dict[str, float]:
    return {name: wrk(nassav.base + path, P99_WRK_SECONDS).p99_ms for name, path in ENDPOINTS.items()}
