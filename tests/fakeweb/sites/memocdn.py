"""The memocdn CDN: its playlists are served from the download tests on."""

from __future__ import annotations

from aiohttp import web

from tests.fakeweb.server import Site


def routes(site: Site) -> list[web.RouteDef]:
    return []
