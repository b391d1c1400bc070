"""Run every benchmark and write bench/RESULTS.md.

bench/run                 # everything, 5 runs each (about 25 minutes)
bench/run --runs 1 --quick  # a smoke run
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench import api_load, browse, deletions, downloads, footprint, page
from bench.common import free_port, python, start_ready, stop
from bench.media import SEGMENTS, ensure_stream, stream_bytes
from bench.report import write_report

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8, help="connections of every downloader")
    parser.add_argument("--rate", type=float, default=2_000_000, help="origin bytes/s per connection")
    parser.add_argument("--latency-ms", type=float, default=50, help="origin first-byte latency")
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--wrk-seconds", type=int, default=5)
    parser.add_argument("--delete-gb", type=float, help="size of each deleted folder (default 2, 0.25 with --quick)")
    parser.add_argument("--quick", action="store_true", help="small stream and library, for a smoke run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    started = time.time()
    stream_dir = ensure_stream(20 if args.quick else SEGMENTS)
    port = free_port()
    # The origin stands in for a CDN on another machine: it yields this one's CPU to what is measured.
    origin = start_ready(
        ["nice", "-n", "15", python(), "-m", "bench.origin", "--root", str(stream_dir), "--port", str(port),
         "--rate", str(args.rate), "--latency-ms", str(args.latency_ms)]
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/stream/index.m3u8"
    try:
        print("downloads", flush=True)
        download = downloads.run(
            url, stream_bytes(stream_dir), runs=args.runs, threads=args.threads, rate=args.rate,
            latency_ms=args.latency_ms,
        )  # fmt: skip
        print("api load", flush=True)
        api, _ = api_load.run(
            resources=1000 if args.quick else args.resources, runs=args.runs,
            duration_s=args.wrk_seconds, stream_url=url,
        )  # fmt: skip
    finally:
        stop(origin)
    print("browsing", flush=True)
    browsing_resources = 2000 if args.quick else 50_000
    browsing = browse.run(resources=browsing_resources, runs=args.runs, duration_s=args.wrk_seconds)
    print("deletions", flush=True)
    delete_gb = args.delete_gb or (0.25 if args.quick else 2.0)
    deleted = deletions.run(stream_dir=stream_dir, size_bytes=int(delete_gb * 1024**3), runs=args.runs)
    print("footprint", flush=True)
    sizes = (1000, 2000) if args.quick else (1000, 10_000, 50_000)
    prints = footprint.run(sizes, args.runs)
    print("web page", flush=True)
    pages = page.run((1000, 2000) if args.quick else (10_000, 50_000), args.runs)
    write_report(
        args.out, download=download, api=api, browsing=browsing, browsing_resources=browsing_resources,
        deleted=deleted, prints=prints, pages=pages, args=vars(args),
        seconds=time.time() - started,
    )  # fmt: skip
    print(f"wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
