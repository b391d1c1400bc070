"""Browsing a large library under load (wrk, as api_load): a page of the grid, a search, the actors,
each against the aiohttp floor for the same bytes."""

from __future__ import annotations

import tempfile
import urllib.request
from pathlib import Path

from bench.api_load import EndpointResult, endpoint
from bench.library import make_library
from bench.server import Nassav

ENDPOINTS = {
    "resources/ page": "/resources/?page=1&page_size=48&sort_by=added&order=desc",
    "resources/ search": "/resources/?page=1&page_size=48&search=%E6%BC%94%E5%91%98123",  # 演员123
    "actors/": "/actors/?page=1&page_size=48&order_by=count",
}


def run(*, resources: int, runs: int, duration_s: int) -> dict[str, EndpointResult]:
    with tempfile.TemporaryDirectory(prefix="nassav-bench-browse-") as scratch:
        nassav = Nassav(Path(scratch) / "nassav")
        make_library(nassav.workdir / "resource", resources, cover_bytes=100)
        nassav.start()
        nassav.settle()
        try:
            for path in ENDPOINTS.values():
                urllib.request.urlopen(nassav.base + path, timeout=60).read()
            results = {
                name: endpoint(nassav, path, runs, duration_s, Path(scratch)) for name, path in ENDPOINTS.items()
            }
            nassav.check_access_log()
        finally:
            nassav.stop()
    return results
