"""bench/RESULTS.md: the machine, the versions, every figure (median, min–max), each target met or missed."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import deletions
from bench.api_load import CONNECTIONS, EndpointResult
from bench.downloads import DownloadResults
from bench.footprint import Footprint
from bench.page import PageLoad

LIST_FLOOR_RATIO = 0.5
SMALL_FLOOR_RATIO = 0.6


def write_report(
    out: Path,
    *,
    download: DownloadResults,
    api: Mapping[str, EndpointResult],
    browsing: Mapping[str, EndpointResult],
    browsing_resources: int,
    deleted: deletions.DeletionResults,
    prints: list[Footprint],
    pages: list[PageLoad],
    args: Mapping[str, Any],
    seconds: float,
) -> None:
    lines = [
        "# NASSAV benchmark results", "", *_machine(args, seconds), "",
        "What these figures led to, with before and after: [HISTORY.md](HISTORY.md).", "",
        *_downloads(download), "", *_api(api), "", *_browsing(browsing, browsing_resources), "",
        *_deletions(deleted), "",
        *_footprint(prints), "",
        *_pages(pages),
    ]  # fmt: skip
    out.write_text("\n".join(lines) + "\n", "utf-8")


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def _machine(args: Mapping[str, Any], seconds: float) -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    versions = {name: metadata.version(name) for name in ("aiohttp", "yt-dlp", "curl_cffi", "nassav")}
    return [
        f"One run of `bench/run` ({seconds / 60:.0f} min); every figure is the median of {args['runs']} runs,"
        " with min–max in brackets. Ratios compare figures measured side by side in the same run.",
        "",
        "NASSAV runs as users run it: the repository's config.toml as shipped (log level `info`, the access"
        " log on, written to a file as a service's stderr goes to the journal); only the port, the folder it"
        " runs in and the origin's URL are the benchmark's own.",
        "",
        f"- Machine: {cpu}, {os.cpu_count()} cores, {memory_gb:.0f} GiB, {platform.platform()}",
        f"- Python {platform.python_version()}; " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"- {_first_line(['ffmpeg', '-version'])}; {_first_line(['wrk', '--version'])}",
        f"- Options: {dict(args)}",
    ]


def _first_line(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except OSError:
        return f"{argv[0]}: not installed"
    return (out.stdout or out.stderr).strip().splitlines()[0]


def _downloads(d: DownloadResults) -> list[str]:
    ours, ceiling = d.mb_s["nassav"], d.mb_s["ceiling"]
    ytdlp, ffmpeg = d.mb_s["yt-dlp CLI"], d.mb_s["ffmpeg CLI"]
    lines = [
        "## Downloads",
        "",
        f"A throttled HLS origin on loopback: {d.stream_mb:.0f} MB in 1-second MPEG-TS segments, each connection"
        f" limited to {d.rate_mb_s:.1f} MB/s with {d.latency_ms:.0f} ms to first byte. Every downloader uses"
        f" {d.threads} connections (ffmpeg: one, it fetches segments in order).",
        "",
        "| contender | MB/s |",
        "|---|---|",
        *(f"| {name} | {figure.show()} |" for name, figure in d.mb_s.items()),
        "",
        f"NASSAV's own CPU (the server process, not the engine): {d.nassav_cpu_s_per_gb.show()} s per GB.",
        "",
        "| target | ratio | verdict |",
        "|---|---|---|",
        _row("NASSAV ≥ 0.9 × link ceiling", ours.median / ceiling.median, 0.9, _why_ceiling(d)),
        _row("NASSAV ≥ 0.95 × yt-dlp CLI", ours.median / ytdlp.median, 0.95, _why_ytdlp(d)),
        _row("NASSAV ≥ 5 × ffmpeg CLI", ours.median / ffmpeg.median, 5.0, _why_ffmpeg(d)),
    ]
    return lines


def _row(target: str, ratio: float, needed: float, why: str) -> str:
    verdict = _verdict(ratio >= needed) + ("" if ratio >= needed else f": {why}")
    return f"| {target} | {ratio:.2f} | {verdict} |"


def _extra_seconds(d: DownloadResults) -> float:
    """How much longer NASSAV took than the yt-dlp CLI it runs."""
    return d.stream_mb / d.mb_s["nassav"].median - d.stream_mb / d.mb_s["yt-dlp CLI"].median


def _why_ceiling(d: DownloadResults) -> str:
    engine = d.mb_s["yt-dlp CLI"].median / d.mb_s["ceiling"].median
    return (f"the engine itself (the yt-dlp CLI) reaches {engine:.2f} × the ceiling; NASSAV's own steps"
            f" (a look at the stream, the ffprobe check, fsync) add {_extra_seconds(d):.1f} s")  # fmt: skip


def _why_ytdlp(d: DownloadResults) -> str:
    return f"NASSAV's own steps (a look at the stream, the ffprobe check, fsync) add {_extra_seconds(d):.1f} s"


def _why_ffmpeg(d: DownloadResults) -> str:
    room = d.mb_s["ceiling"].median / d.mb_s["ffmpeg CLI"].median
    if room >= 5:
        return "see HISTORY.md"
    return (f"ffmpeg reaches {d.mb_s['ffmpeg CLI'].median:.1f} MB/s and the link's ceiling with {d.threads}"
            f" connections is only {room:.1f} × that: no downloader with {d.threads} connections can be"
            " 5 × faster on this link")  # fmt: skip


def _api(api: Mapping[str, EndpointResult]) -> list[str]:
    lines = [
        "## API under load",
        "",
        f"wrk from a separate process, {CONNECTIONS} connections. The floor is a minimal aiohttp app answering"
        " precomputed bytes of the same size: the framework's limit for that payload. The p99 columns come"
        " from one 2-second wrk run per endpoint, all endpoints in turn, once idle and once while a download"
        " runs, in each round.",
        "",
        "| endpoint | payload | NASSAV req/s | floor req/s | ratio | target | p99 idle ms | p99 during a download ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for name, r in api.items():
        ratio = r.nassav_rps.median / r.floor_rps.median
        needed = LIST_FLOOR_RATIO if name == "resource/list" else SMALL_FLOOR_RATIO
        target = f"≥ {needed} {_verdict(ratio >= needed)}" if name != "downloads/tasks" else "(reported)"
        if name != "downloads/tasks" and ratio < needed:
            target += f": {_why_api(r, needed)}"
        lines.append(
            f"| {name} | {r.payload_bytes:,} B | {r.nassav_rps.show('{:.0f}')} | {r.floor_rps.show('{:.0f}')} |"
            f" {ratio:.2f} | {target} | {r.p99_idle_ms.show()} | {r.p99_busy_ms.show()} |"
        )
        busy_ok = r.p99_busy_ms.median <= 2 * r.p99_idle_ms.median
        why = "" if busy_ok else ": the engine, wrk and the server share this machine's two cores"
        verdicts.append(f"- p99 of {name} during a download ≤ 2 × idle: "
                        f"{r.p99_busy_ms.median / r.p99_idle_ms.median:.2f} × {_verdict(busy_ok)}{why}")  # fmt: skip
    return [*lines, "", *verdicts]


BROWSING_FLOOR_RATIO = 0.5


def _browsing(browsing: Mapping[str, EndpointResult], resources: int) -> list[str]:
    lines = [
        f"## Browsing {resources:,} resources",
        "",
        f"The same wrk load and floor as above, on a library of {resources:,} resources with 3,000 actors and 60"
        " genres: a page of 48 of the grid (newest first), a search for an actor's name, the first page of"
        " the actors by number of resources.",
        "",
        "| endpoint | payload | NASSAV req/s | floor req/s | ratio | target |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in browsing.items():
        ratio = r.nassav_rps.median / r.floor_rps.median
        ok = ratio >= BROWSING_FLOOR_RATIO
        why = "" if ok else f": {_why_api(r, BROWSING_FLOOR_RATIO)}"
        lines.append(
            f"| {name} | {r.payload_bytes:,} B | {r.nassav_rps.show('{:.0f}')} | {r.floor_rps.show('{:.0f}')} |"
            f" {ratio:.2f} | ≥ {BROWSING_FLOOR_RATIO} {_verdict(ok)}{why} |"
        )
    return lines


def _why_api(r: EndpointResult, needed: float) -> str:
    floor_spread = max(r.floor_rps.values) / min(r.floor_rps.values) - 1
    ours_spread = max(r.nassav_rps.values) / min(r.nassav_rps.values) - 1
    shortfall = needed / (r.nassav_rps.median / r.floor_rps.median) - 1
    if max(floor_spread, ours_spread) > shortfall:
        return (f"short by {shortfall:.0%}, less than this run's own spread (the floor varied by"
                f" {floor_spread:.0%}, NASSAV by {ours_spread:.0%}); see HISTORY.md")  # fmt: skip
    return "see HISTORY.md"


def _deletions(d: deletions.DeletionResults) -> list[str]:
    ratio = d.p99_busy_ms.median / d.p99_idle_ms.median
    ok = ratio <= 2 and d.covered
    why = "" if ok else (": the deletions outlasted the window" if not d.covered else ": see HISTORY.md")
    return [
        "## Deleting gigabytes while serving",
        "",
        f"A download's work dir ({d.size_bytes / 1024**3:.2f} GiB in 1 MB fragments, removed when the task is"
        f" cancelled) and a resource folder (json, cover, page and a {d.size_bytes / 1024**3:.2f} GiB video,"
        " `DELETE /resource/{avid}`) are deleted at once, every byte on disk. wrk loads source/list meanwhile"
        f" with {deletions.CONNECTIONS} connections paced at one request per {deletions.PACE_MS} ms each, in a"
        f" {d.window_s} s window that opens {deletions.LEAD_S} s before the deletions; the idle window before"
        " it runs the same load with the same download running. Paced, any stall of the event loop longer"
        " than 1% of the window reaches the p99; at saturation it would hide among the other requests.",
        "",
        "| p99 idle ms | p99 while deleting ms | deleting took s |",
        "|---|---|---|",
        f"| {d.p99_idle_ms.show()} | {d.p99_busy_ms.show()} | {d.delete_s.show()} |",
        "",
        f"- p99 of source/list while deleting ≤ 2 × idle: {ratio:.2f} × {_verdict(ok)}{why}",
    ]


# Before browsing's indexes (RESULTS.md of the run before them): the 10,000 figures must not get worse.
BEFORE_AT_10K = {"start_s": 1.30, "rss_mb": 83.0}


def _footprint(prints: list[Footprint]) -> list[str]:
    lines = [
        "## Footprint",
        "",
        "Start: process start to the first answer. The first start of each size finds no index kept from"
        " an earlier run and reads every resource's metadata; the others are restarts. RSS after the"
        " listing, a page of the grid, a search and the actors were asked for.",
        "",
        "| resources | first start s | start s | RSS MB |",
        "|---|---|---|---|",
        *(f"| {p.resources:,} | {p.first_start_s:.2f} | {p.start_s.show()} | {p.rss_mb.show('{:.0f}')} |"
          for p in prints),
        "",
    ]  # fmt: skip
    by_size = {p.resources: p for p in prints}
    if 50_000 in by_size:
        p = by_size[50_000]
        lines += [
            _limit("start ≤ 2 s with 50,000 resources", p.start_s.median, 2.0, "{:.2f} s"),
            _limit("RSS ≤ 120 MB with 50,000 resources", p.rss_mb.median, 120.0, "{:.0f} MB"),
        ]
    if 10_000 in by_size:
        p = by_size[10_000]
        lines += [
            _limit("start with 10,000 no worse than before browsing", p.start_s.median, BEFORE_AT_10K["start_s"],
                   "{:.2f} s (before: {limit:.2f} s)"),
            _limit("RSS with 10,000 no worse than before browsing", p.rss_mb.median, BEFORE_AT_10K["rss_mb"],
                   "{:.0f} MB (before: {limit:.0f} MB)"),
        ]  # fmt: skip
    if len(prints) >= 2:
        first, last = prints[0], prints[-1]
        per_k_s = (last.start_s.median - first.start_s.median) / ((last.resources - first.resources) / 1000)
        per_k_mb = (last.rss_mb.median - first.rss_mb.median) / ((last.resources - first.resources) / 1000)
        lines.append(f"- growth from {first.resources:,} to {last.resources:,}: {per_k_s * 1000:.1f} ms and"
                     f" {per_k_mb:.2f} MB per 1,000 resources")  # fmt: skip
    return lines


def _limit(what: str, value: float, limit: float, shown: str) -> str:
    ok = value <= limit
    return f"- {what}: {shown.format(value, limit=limit)} {_verdict(ok)}{'' if ok else ': see HISTORY.md'}"


PAGE_FIRST_SCREEN_S = 1.0  # at 10,000 resources
PAGE_TRANSFERRED_KB = 1.5 * 1024
PAGE_GROWTH = 1.5  # at 50,000: no worse than this times the 10,000 figures


def _pages(pages: list[PageLoad]) -> list[str]:
    lines = [
        "## The web page",
        "",
        "The library at `/nassav/` in headless Chromium (1280 × 900), a new browser context each time: from"
        " navigation to every cover of the first screen loaded and decoded, and the bytes the page fetched"
        " until the network went quiet. The first visit makes the thumbnails.",
        "",
        "| resources | first visit s | first screen s | transferred KB |",
        "|---|---|---|---|",
    ]
    for p in pages:
        lines.append(
            f"| {p.resources:,} | {p.first_visit_s:.2f} | {p.first_screen_s.show('{:.2f}')} |"
            f" {p.transferred_kb.show('{:.0f}')} |"
        )
    base, *larger = pages
    lines += [
        "",
        _limit(f"first screen ≤ {PAGE_FIRST_SCREEN_S:.0f} s at {base.resources:,}", base.first_screen_s.median,
               PAGE_FIRST_SCREEN_S, f"{base.first_screen_s.median:.2f} s"),
        _limit(f"transferred ≤ 1.5 MB at {base.resources:,}", base.transferred_kb.median, PAGE_TRANSFERRED_KB,
               f"{base.transferred_kb.median:.0f} KB"),
    ]  # fmt: skip
    for p in larger:
        lines += [
            _limit(f"first screen at {p.resources:,} ≤ {PAGE_GROWTH} × at {base.resources:,}", p.first_screen_s.median,
                   PAGE_GROWTH * base.first_screen_s.median, f"{p.first_screen_s.median:.2f} s"),
            _limit(f"transferred at {p.resources:,} ≤ {PAGE_GROWTH} × at {base.resources:,}", p.transferred_kb.median,
                   PAGE_GROWTH * base.transferred_kb.median, f"{p.transferred_kb.median:.0f} KB"),
        ]  # fmt: skip
    return lines
