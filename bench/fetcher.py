"""The link ceiling: the playlist's segments fetched by the plainest parallel client, with the same
number of connections as the engines use, bytes discarded. Prints the seconds it took.

    python -m bench.fetcher URL --connections 8
"""

from __future__ import annotations

import argparse
import asyncio
import time
from urllib.parse import urljoin

import aiohttp


async def fetch_all(url: str, connections: int) -> int:
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(url) as response:
            playlist = await response.text()
        segments = [urljoin(url, line) for line in playlist.splitlines() if line and not line.startswith("#")]
        queue: asyncio.Queue[str] = asyncio.Queue()
        for segment in segments:
            queue.put_nowait(segment)
        total = 0

        async def worker() -> None:
            nonlocal total
            while not queue.empty():
                async with session.get(queue.get_nowait()) as response:
                    async for chunk in response.content.iter_chunked(256 * 1024):
                        total += len(chunk)

        await asyncio.gather(*(worker() for _ in range(connections)))
        return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    started = time.perf_counter()
    total = asyncio.run(fetch_all(args.url, args.connections))
    print(f"{time.perf_counter() - started:.3f} {total}")


if __name__ == "__main__":
    main()
