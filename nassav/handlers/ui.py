"""The web page at /nassav/: its files, served as they are shipped (nassav/ui/, no build step).

The page's own files need no API key (they hold no data; the page asks for the key and sends it with
every call), and they are served with a Content-Security-Policy that lets the page run only its own
scripts and styles, so nothing a site sent can ever run in it.
"""

from __future__ import annotations

import functools
from pathlib import Path

from aiohttp import web

from nassav.errors import NotFound

PAGE = "/nassav/"
FILES = "/nassav/ui/"
UI_DIR = Path(__file__).resolve().parent.parent / "ui"
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; script-src 'self'; style-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a cover's URL may carry the key: no other site sees it
    # The files change with an upgrade, under the same names: the browser asks again each time.
    "Cache-Control": "no-cache",
}


@functools.cache
def _shipped(name: str) -> tuple[bytes, str] | None:
    path = UI_DIR / name
    content_type = CONTENT_TYPES.get(path.suffix)
    if content_type is None or path.parent != UI_DIR or not path.is_file():
        return None
    return path.read_bytes(), content_type


def _answer(name: str) -> web.Response:
    shipped = _shipped(name)
    if shipped is None:
        raise NotFound("页面文件不存在")
    body, content_type = shipped
    return web.Response(body=body, content_type=content_type, charset="utf-8", headers=SECURITY_HEADERS)


async def page(request: web.Request) -> web.Response:
    return _answer("index.html")


async def page_file(request: web.Request) -> web.Response:
    return _answer(request.match_info["name"])


async def to_page(request: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect(PAGE)
