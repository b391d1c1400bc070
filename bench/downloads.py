"""Download throughput on the throttled origin: NASSAV end to end, the yt-dlp CLI, the ffmpeg CLI and
the link ceiling, interleaved round by round so that they share the machine's moods."""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import Figure, cpu_seconds, delete, get_json, post_json, python
from bench.library import add_stream_resource
from bench.server import Nassav

AVID = "BENCH-DL-1"


@dataclass(frozen=True)
class DownloadResults:
    stream_mb: float
    threads: int
    rate_mb_s: float
    latency_ms: float
    mb_s: dict[str, Figure]  # contender -> throughput
    nassav_cpu_s_per_gb: Figure


def run(url: str, size: int, *, runs: int, threads: int, rate: float, latency_ms: float) -> DownloadResults:
    seconds: dict[str, list[float]] = {"ceiling": [], "nassav": [], "yt-dlp CLI": [], "ffmpeg CLI": []}
    cpu_per_gb: list[float] = []
    with tempfile.TemporaryDirectory(prefix="nassav-bench-") as scratch:
        nassav = Nassav(Path(scratch) / "nassav", threads=threads)
        add_stream_resource(nassav.workdir / "resource", AVID, url)
        nassav.start()
        try:
            for round_no in range(runs):
                seconds["ceiling"].append(_ceiling(url, threads))
                elapsed, cpu = _nassav(nassav)
                seconds["nassav"].append(elapsed)
                cpu_per_gb.append(cpu / (size / 1e9))
                seconds["yt-dlp CLI"].append(_ytdlp(url, threads, Path(scratch)))
                seconds["ffmpeg CLI"].append(_ffmpeg(url, Path(scratch)))
                done = ", ".join(f"{name} {values[-1]:.1f}s" for name, values in seconds.items())
                print(f"  downloads round {round_no + 1}/{runs}: {done}", flush=True)
        finally:
            nassav.stop()
    return DownloadResults(
        stream_mb=size / 1e6,
        threads=threads,
        rate_mb_s=rate / 1e6,
        latency_ms=latency_ms,
        mb_s={name: Figure(tuple(size / 1e6 / s for s in values)) for name, values in seconds.items()},
        nassav_cpu_s_per_gb=Figure(tuple(cpu_per_gb)),
    )


def _timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600)
    return time.perf_counter() - started


def _ceiling(url: str, threads: int) -> float:
    argv = [python(), "-m", "bench.fetcher", url, "--connections", str(threads)]
    out = subprocess.run(argv, check=True, capture_output=True, text=True)
    return float(out.stdout.split()[0])


def _nassav(nassav: Nassav) -> tuple[float, float]:
    """POST /downloads to the mp4 in place, by the task's own clock; and the server's CPU seconds."""
    cpu_before = cpu_seconds(nassav.pid)
    status, body = post_json(f"{nassav.base}/downloads", {"avid": AVID})
    assert status == 202, body
    task_id = body["data"]["task_id"]  # type: ignore[index]
    task_url = f"{nassav.base}/downloads/tasks/{task_id}"
    while (task := get_json(task_url)["data"])["status"] in ("pending", "running"):  # type: ignore[index]
        time.sleep(0.2)  # the figure is the task's own clock; this poll only notices the end
    cpu = cpu_seconds(nassav.pid) - cpu_before
    assert task["status"] == "completed", task  # type: ignore[index]
    elapsed = float(task["finished_at"]) - float(task["created_at"])  # type: ignore[index]
    assert delete(f"{nassav.base}/downloads/{AVID}") == 200
    return elapsed, cpu


def _ytdlp(url: str, threads: int, scratch: Path) -> float:
    out = scratch / "ytdlp.mp4"
    out.unlink(missing_ok=True)
    elapsed = _timed(
        [python(), "-m", "yt_dlp", "--ignore-config", "--no-cache-dir", "--quiet", "--no-part",
         "--concurrent-fragments", str(threads), "--add-header", "Referer:http://127.0.0.1/",
         "--remux-video", "mp4", "-o", str(out), url]
    )  # fmt: skip
    out.unlink(missing_ok=True)
    return elapsed


def _ffmpeg(url: str, scratch: Path) -> float:
    out = scratch / "ffmpeg.mp4"
    elapsed = _timed(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", url, "-c", "copy", str(out)])
    out.unlink(missing_ok=True)
    return elapsed
