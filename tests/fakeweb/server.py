"""FakeWeb: every fake site is its own aiohttp application on its own loopback port, so that absolute,
root-relative and relative links behave exactly as on the real origins.

Each site records the requests it receives (to check cookies and Referers) and can be switched into a
failure mode for a test: ``site.mode = "cloudflare"``. Modes every site supports, applied before the
site's own handlers: ``cloudflare`` (a 403 challenge page), ``forbidden`` (403), ``missing`` (404),
``error`` (500), ``flaky`` (the first request 500, then normal), ``slow`` (answers after 5 s),
``garbage`` (200 with bytes that are no HTML). ``changed`` (a redesigned page without the data the
source looks for) is implemented by each site's video page via ``site.changed_page()``.

``FakeWeb(hls_root, mirrored=True)`` puts every site behind one path-based reverse proxy
(tests/fakeweb/mirror.py): ``site.base_url`` is then ``http://127.0.0.1:PORT/mirror/<key>``, which the
sites also use for the absolute links they write, and ``site.origin_url`` is the site's own server.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from nassav.sources.registry import SOURCE_CLASSES
from tests.fakeweb import mirror, pages

SOURCE_SITES = tuple(cls.NAME.lower() for cls in SOURCE_CLASSES)  # a fake site per registered source
OTHER_SITES = ("surrit", "memocdn", "cdn", "javbus", "busdmm", "dmmsee")
SLOW_S = 5.0


@dataclass(frozen=True)
class Recorded:
    method: str
    path_qs: str
    headers: dict[str, str]


@dataclass
class Site:
    key: str
    web: FakeWeb
    mode: str = "ok"
    generation: int = 1  # bumped by a test to make a site publish a new stream URL
    cover_override: bytes | None = None  # what the site serves as its cover instead of a JPEG
    variant: str = "plain"  # CDNs: which stream they serve (see sites/cdn.py)
    segment_delay_s: float = 0.0  # CDNs: how long each segment takes
    requests: list[Recorded] = field(default_factory=list)
    base_url: str = ""  # where NASSAV is told the site is
    origin_url: str = ""  # the site's own server (the same as base_url unless mirrored)
    # A test closes the gate to hold every request in flight; ``arrived`` tells it one is held.
    gate: asyncio.Event | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def headers_seen(self, name: str) -> list[str]:
        return [r.headers[name] for r in self.requests if name in r.headers]

    def cover(self) -> web.Response:
        if self.cover_override is not None:
            return web.Response(body=self.cover_override, content_type="image/jpeg")
        return web.Response(body=pages.COVER_JPEG, content_type="image/jpeg")

    def changed_page(self, avid: str) -> web.Response:
        return pages.html(pages.redesigned(avid))


class FakeWeb:
    def __init__(self, hls_root: Path, *, mirrored: bool = False) -> None:
        self.hls_root = hls_root  # the streams the CDNs serve (tests/fakeweb/hls.py)
        self.mirrored = mirrored
        self.sites: dict[str, Site] = {key: Site(key, self) for key in (*SOURCE_SITES, *OTHER_SITES)}
        self._runners: list[web.AppRunner] = []

    def __getitem__(self, key: str) -> Site:
        return self.sites[key]

    async def start(self) -> None:
        for site in self.sites.values():
            module = importlib.import_module(f"tests.fakeweb.sites.{site.key}")
            app = web.Application(middlewares=[_mode_middleware(site)])
            app.router.add_routes(module.routes(site))
            site.origin_url = site.base_url = await self._serve(app)
        if self.mirrored:
            front = await self._serve(mirror.app(self))
            for site in self.sites.values():
                site.base_url = front + mirror.prefix(site.key)

    async def _serve(self, app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        self._runners.append(runner)
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    async def close(self) -> None:
        for runner in self._runners:
            await runner.cleanup()

    def config(self) -> dict[str, Any]:
        """The config sections that point NASSAV at these sites instead of the real ones."""
        sources: dict[str, Any] = {key: {"base_url": self.sites[key].base_url} for key in SOURCE_SITES}
        sources["missav"]["cdn_url"] = self.sites["surrit"].base_url
        sources["memo"]["cdn_url"] = self.sites["memocdn"].base_url
        scraper: dict[str, Any] = {"order": ["javbus", "busdmm", "dmmsee"]}
        scraper.update({key: {"base_url": self.sites[key].base_url} for key in ("javbus", "busdmm", "dmmsee")})
        return {"sources": sources, "scraper": scraper, "http": {"timeout_seconds": 2, "retries": 0}}


Handler = Callable[[web.Request], Any]


def _mode_middleware(site: Site) -> Any:
    @web.middleware
    async def apply_mode(request: web.Request, handler: Handler) -> web.StreamResponse:
        site.requests.append(Recorded(request.method, request.path_qs, dict(request.headers)))
        site.arrived.set()
        if site.gate is not None:
            await site.gate.wait()
        mode = site.mode
        if mode == "flaky":
            site.mode = "ok"
            return web.Response(status=500, text="upstream hiccup")
        if mode == "cloudflare":
            return pages.html(pages.CLOUDFLARE_CHALLENGE, status=403, headers={"cf-mitigated": "challenge"})
        if mode in _STATUS_MODES:
            return web.Response(status=_STATUS_MODES[mode], text=f"{_STATUS_MODES[mode]} from {site.key}")
        if mode == "slow":
            await asyncio.sleep(SLOW_S)
        if mode == "garbage":
            return web.Response(body=bytes(range(256)) * 64, content_type="text/html")
        return await handler(request)

    return apply_mode


_STATUS_MODES = {"forbidden": 403, "missing": 404, "error": 500}
