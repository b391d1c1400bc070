"""Start-up time (process start to first answered request) and memory, by library size."""

from __future__ import annotations

import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.common import Figure, rss_mb
from bench.library import make_library
from bench.server import Nassav


@dataclass(frozen=True)
class Footprint:
    resources: int
    start_s: Figure
    rss_mb: Figure


def run(sizes: tuple[int, ...], runs: int) -> list[Footprint]:
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="nassav-bench-fp-") as scratch:
            workdir = Path(scratch) / "nassav"
            make_library(workdir / "resource", size, cover_bytes=100)
            starts, memory = [], []
            for _ in range(runs):
                nassav = Nassav(workdir)
                nassav.start()
                try:
                    urllib.request.urlopen(f"{nassav.base}/resource/list", timeout=120).read()
                    starts.append(nassav.start_to_first_answer_s)
                    memory.append(rss_mb(nassav.pid))
                finally:
                    nassav.stop()
        results.append(Footprint(size, Figure(tuple(starts)), Figure(tuple(memory))))
        print(f"  footprint {size}: start {starts[-1]:.2f}s, rss {memory[-1]:.0f} MB", flush=True)
    return results
