"""The web page's library in headless Chromium (Debian's, driven by Playwright): from navigation to the
first screen of covers shown, and the bytes transferred for it, by library size.

Each run opens a new browser context (nothing cached) on ``/nassav/``; the first screen is shown when
every cover in the viewport has loaded and decoded; what it cost is every byte the page fetched until
the network went quiet (covers just below the fold included). The first run of each size makes the thumbnails
(Pillow, once per cover version) and is reported apart; the others find them made, as every visit
after the first does.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.common import Figure
from bench.library import make_library, real_cover
from bench.server import Nassav

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}
NEWEST = 100  # the grid shows the newest first: these get real covers, the rest cheap stand-ins

# True once the grid has items and every cover inside the viewport has been loaded and decoded.
FIRST_SCREEN_SHOWN = """() => {
  const covers = [...document.querySelectorAll('[data-testid=library-item] img')]
    .filter((img) => img.getBoundingClientRect().top < window.innerHeight);
  return covers.length > 0 && covers.every((img) => img.complete && img.naturalWidth > 0);
}"""
# What came over the wire for the page so far: the document and every resource, headers included.
TRANSFERRED = """() => performance.getEntries()
  .filter((entry) => 'transferSize' in entry)
  .reduce((sum, entry) => sum + entry.transferSize, 0)"""


@dataclass(frozen=True)
class PageLoad:
    resources: int
    first_visit_s: float  # thumbnails made on the way
    first_screen_s: Figure
    transferred_kb: Figure


def run(sizes: tuple[int, ...], runs: int) -> list[PageLoad]:
    return [_one_size(size, runs) for size in sizes]


def _one_size(size: int, runs: int) -> PageLoad:
    with tempfile.TemporaryDirectory(prefix="nassav-bench-page-") as scratch:
        nassav = Nassav(Path(scratch) / "nassav")
        avids = make_library(nassav.workdir / "resource", size, cover_bytes=100)
        cover = real_cover()
        for avid in avids[-NEWEST:]:
            (nassav.workdir / "resource" / avid / f"{avid}.jpg").write_bytes(cover)
        nassav.start()
        nassav.settle()
        try:
            loads = asyncio.run(_visits(f"http://127.0.0.1:{nassav.port}/nassav/", runs + 1))
        finally:
            nassav.stop()
    (first, _), rest = loads[0], loads[1:]
    result = PageLoad(size, first, Figure(tuple(s for s, _ in rest)), Figure(tuple(kb for _, kb in rest)))
    print(f"  page {size}: first visit {first:.2f}s, first screen {rest[-1][0]:.2f}s, {rest[-1][1]:.0f} KB", flush=True)
    return result


async def _visits(url: str, count: int) -> list[tuple[float, float]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            return [await _visit(browser, url) for _ in range(count)]
        finally:
            await browser.close()


async def _visit(browser: object, url: str) -> tuple[float, float]:
    context = await browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    try:
        page = await context.new_page()
        await page.goto(url)
        await page.wait_for_function(FIRST_SCREEN_SHOWN, timeout=120_000, polling=10)
        shown_ms = await page.evaluate("() => performance.now()")  # from the navigation's start
        await page.wait_for_load_state("networkidle")  # the covers just below the fold come too
        transferred = await page.evaluate(TRANSFERRED)
        return shown_ms / 1000, transferred / 1024
    finally:
        await context.close()
