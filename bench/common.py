"""What every benchmark needs: processes on loopback, their CPU time and memory, and statistics."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_ready(argv: Sequence[str], **kwargs: object) -> subprocess.Popen[str]:
    """Start a helper process that prints ``ready`` once it listens."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "ready":
            return proc
    raise RuntimeError(f"{argv[:3]} exited with {proc.wait()} before it was ready")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout:
        proc.stdout.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def get_json(url: str, timeout_s: float = 30) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        return dict(json.loads(response.read()))


def post_json(url: str, payload: dict[str, object] | None = None) -> tuple[int, dict[str, object]]:
    data = json.dumps(payload).encode() if payload is not None else b""
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return error.code, dict(json.loads(error.read()))


def delete(url: str) -> int:
    request = urllib.request.Request(url, method="DELETE")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@dataclass(frozen=True)
class Figure:
    """A measurement repeated: median with min and max."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def show(self, fmt: str = "{:.2f}") -> str:
        return f"{fmt.format(self.median)} ({fmt.format(min(self.values))}–{fmt.format(max(self.values))})"


def python() -> str:
    return sys.executable


def wait_until(predicate: object, timeout_s: float, interval_s: float = 0.05) -> float:
    """Poll ``predicate`` until it is true; return the seconds waited. (Benchmarks measure time; a short
    poll is the measuring instrument here, not a way to give something time.)"""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        try:
            if predicate():  # type: ignore[operator]
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(interval_s)
    raise TimeoutError(f"not true within {timeout_s}s")
