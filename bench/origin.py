"""A throttled HLS origin, run as its own process: what a real CDN does to one connection.

Every response waits ``latency_ms`` before its first byte and is then paced to ``rate`` bytes per
second. Requests on one keep-alive connection are served one after another, so pacing each response
limits the connection.

    python -m bench.origin --root DIR --port P [--rate 2000000] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from aiohttp import web

CHUNK_BYTES = 64 * 1024


def make_app(root: Path, rate: float, latency_s: float) -> web.Application:
    files = {path.name: path.read_bytes() for path in root.iterdir() if path.suffix in (".m3u8", ".ts")}

    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        data = files.get(name)
        if data is None:
            return web.Response(status=404)
        await asyncio.sleep(latency_s)
        kind = "application/vnd.apple.mpegurl" if name.endswith(".m3u8") else "video/mp2t"
        response = web.StreamResponse(headers={"Content-Type": kind, "Content-Length": str(len(data))})
        await response.prepare(request)
        started = time.monotonic()
        try:
            for sent in range(0, len(data), CHUNK_BYTES):
                await response.write(data[sent : sent + CHUNK_BYTES])
                ahead = (sent + CHUNK_BYTES) / rate - (time.monotonic() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
            await response.write_eof()
        except ConnectionResetError:  # the client had seen enough (a peek at a segment's head)
            pass
        return response

    app = web.Application()
    app.router.add_get("/stream/{name}", serve)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=2_000_000, help="bytes per second per connection")
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args()
    app = make_app(args.root, args.rate, args.latency_ms / 1000)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=lambda _: print("ready", flush=True))


if __name__ == "__main__":
    main()
