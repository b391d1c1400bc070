"""kanav (placeholder while it is being written)."""

from __future__ import annotations

from aiohttp import web

from tests.fakeweb.catalogue import MISSING_AVID
from tests.fakeweb.server import Site

HAS = {"SSIS-469"}
HIT = "SSIS-469"
MISS = MISSING_AVID


def expected_stream(site: Site, avid: str) -> str:
    return ""


def routes(site: Site) -> list[web.RouteDef]:
    return []
