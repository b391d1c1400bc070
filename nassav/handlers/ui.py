"""The web page at /nassav/: its files, served as they are shipped (nassav/ui/, no build step).

The page's own files need no API key (they hold no data; the page asks for the key and sends it with
every call), and they are served with a Content-Security-Policy that lets the page run only its own
scripts and styles, so nothing a site sent can ever run in it.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from nassav.errors import NotFound
from nassav.handlers import PAGE

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


def _shipped_files() -> dict[str, tuple[bytes, str]]:
    """Every file of the page, read once: any other name is a 404 without a look at the disk."""
    return {
        path.name: (path.read_bytes(), CONTENT_TYPES[path.suffix])
        for path in UI_DIR.iterdir()
        if path.suffix in CONTENT_TYPES and path.is_file()
    }


SHIPPED = _shipped_files()


def _answer(name: str) -> web.Response:
    shipped = SHIPPED.get(name)
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
