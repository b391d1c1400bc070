"""Start-up time (process start to first answered request) and memory, by library size.

The first start of each size finds no index kept from an earlier run (a fresh install, or a library
filled while NASSAV was away) and reads every {AVID}.json; the starts after it are the usual case,
a restart. Memory is measured after the listing, a page of the grid, a search and the actors have
been asked for: with every index browsing builds in place.
"""

from __future__ import annotations

import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.browse import ENDPOINTS as BROWSING
from bench.common import Figure, rss_mb
from bench.library import make_library
from bench.server import Nassav


@dataclass(frozen=True)
class Footprint:
    resources: int
    first_start_s: float  # no index kept from an earlier run
    start_s: Figure
    rss_mb: Figure


def run(sizes: tuple[int, ...], runs: int) -> list[Footprint]:
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="nassav-bench-fp-") as scratch:
            workdir = Path(scratch) / "nassav"
            make_library(workdir / "resource", size, cover_bytes=100)
            starts, memory = [], []
            for _ in range(runs + 1):
                nassav = Nassav(workdir)
                nassav.start()
                try:
                    for path in ("/resource/list", *BROWSING.values()):
                        urllib.request.urlopen(nassav.base + path, timeout=120).read()
                    starts.append(nassav.start_to_first_answer_s)
                    memory.append(rss_mb(nassav.pid))
                finally:
                    nassav.stop()
        results.append(Footprint(size, starts[0], Figure(tuple(starts[1:])), Figure(tuple(memory[1:]))))
        print(f"  footprint {size}: first start {starts[0]:.2f}s, start {starts[-1]:.2f}s, rss {memory[-1]:.0f} MB",
              flush=True)  # fmt: skip
    return results
