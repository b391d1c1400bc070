"""What a service that only serves its library keeps in memory: the site client (curl), the HTML
parser, the Redis client and Pillow are loaded when first needed, not at start. Checked in a fresh
interpreter, which serves the listing, a page of the grid, a search and the actors on a real port."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers import make_resource

LOADED_WHEN_NEEDED = ("curl_cffi", "lxml", "redis", "PIL")

SERVE_AND_REPORT = textwrap.dedent(
    """
    import asyncio, sys, urllib.request
    from pathlib import Path
    from aiohttp import web
    from nassav.app import create_app
    from nassav.config import load_settings

    async def main():
        runner = web.AppRunner(create_app(load_settings(Path(sys.argv[1]))))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        base = f"http://127.0.0.1:{port}/nassav/api"
        for path in ("/resource/list", "/resources/?page=1&page_size=48", "/resources/?search=a", "/actors/"):
            body = await asyncio.to_thread(lambda: urllib.request.urlopen(base + path, timeout=10).read())
            assert body.startswith(b'{"code": 200') or b'"code":200' in body[:20], body[:80]
        await runner.cleanup()
        print(" ".join(name for name in sys.argv[2:] if name in sys.modules))

    asyncio.run(main())
    """
)


def test_serving_the_library_loads_no_site_client_parser_redis_or_pillow(tmp_path: Path) -> None:
    make_resource(tmp_path / "resource", "SSIS-469")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[paths]\nresource_dir = "{tmp_path / "resource"}"\ndatabase = "{tmp_path / "nassav.db"}"\n', "utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-c", SERVE_AND_REPORT, str(config), *LOADED_WHEN_NEEDED],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == []
