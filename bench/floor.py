"""The framework's floor for a payload: a minimal aiohttp app that answers precomputed bytes.

python -m bench.floor --port P --body FILE [--content-type T]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from aiohttp import web


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", type=Path, required=True)
    parser.add_argument("--content-type", default="application/json")
    args = parser.parse_args()
    body = args.body.read_bytes()

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=args.content_type)

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=lambda _: print("ready", flush=True))


if __name__ == "__main__":
    main()
