"""A path-based reverse proxy in front of the fake sites: ``/mirror/<key>/...`` is site ``key``.

This is what a NAS owner puts in front of a blocked site (nginx ``location /jable/ { proxy_pass ...;
sub_filter ... }``): only addresses under a site's prefix answer (anything else is a 404), and
root-relative links in what it serves are rewritten under the prefix, as such proxies do so that a
browser stays on them. Headers pass through unchanged.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

if TYPE_CHECKING:
    from tests.fakeweb.server import FakeWeb

# A root-relative link right after a quote or "(" (plain or JSON-escaped), never "//host".
_ROOT_LINK = re.compile(r"""(?<=["'(])(\\?/)(?=[^/\\]|\\?["'])""")
_TEXT_TYPES = ("text/", "application/json", "application/javascript")
_DROPPED = frozenset({"host", "content-length", "accept-encoding"})


def prefix(key: str) -> str:
    return f"/mirror/{key}"


def rewrite(text: str, key: str) -> str:
    """Root-relative links under the prefix, written with the slash they were written with."""
    return _ROOT_LINK.sub(lambda match: prefix(key).replace("/", match.group(1)) + match.group(1), text)


def app(fakeweb: FakeWeb) -> web.Application:
    session: dict[str, aiohttp.ClientSession] = {}

    async def forward(request: web.Request) -> web.StreamResponse:
        key, tail = request.match_info["key"], request.match_info["tail"]
        if key not in fakeweb.sites:
            return web.Response(status=404, text="no such mirror")
        url = f"{fakeweb[key].origin_url}/{tail}"
        headers = {name: value for name, value in request.headers.items() if name.lower() not in _DROPPED}
        async with session["client"].get(url, params=request.query, headers=headers, allow_redirects=False) as answer:
            body = await answer.read()
            kept = {name: answer.headers[name] for name in ("Content-Type", "Location") if name in answer.headers}
        if kept.get("Location", "").startswith("/"):
            kept["Location"] = prefix(key) + kept["Location"]
        if kept.get("Content-Type", "").startswith(_TEXT_TYPES):
            body = rewrite(body.decode("utf-8", "replace"), key).encode("utf-8")
        return web.Response(status=answer.status, body=body, headers=kept)

    async def client(_: web.Application):  # type: ignore[no-untyped-def]
        session["client"] = aiohttp.ClientSession(auto_decompress=True)
        yield
        await session["client"].close()

    mirror = web.Application()
    mirror.cleanup_ctx.append(client)
    mirror.router.add_get("/mirror/{key}/{tail:.*}", forward)
    return mirror
