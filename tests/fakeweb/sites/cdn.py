"""A video CDN: any ``*.m3u8`` path is a master playlist over the renditions of tests/fakeweb/hls.py.

``site.variant`` picks the stream: ``plain``, ``aes`` (AES-128), ``png`` (segments behind a fake
PNG header), ``missing`` (segment 7 answers 404) or ``broken`` (a media playlist that is not valid).
``site.segment_delay_s`` slows every segment down.
Streams need the Referer of a site page, as real CDNs do (403 without one).
"""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from tests.fakeweb.hls import master_playlist
from tests.fakeweb.server import Site

_MEDIA = re.compile(r"/(?P<rendition>v\d)/index\.m3u8$")
_SEGMENT = re.compile(r"/(?P<rendition>v\d)/seg(?P<index>\d+)\.ts$")
MISSING_SEGMENT = 7


def routes(site: Site) -> list[web.RouteDef]:
    async def serve(request: web.Request) -> web.StreamResponse:
        if not request.headers.get("Referer"):
            return web.Response(status=403, text="hotlinking denied")
        root = site.web.hls_root
        folder = "plain" if site.variant in ("missing", "broken") else site.variant
        path = request.path
        if path.endswith("/key.bin"):
            return web.Response(body=(root / "aes" / "key.bin").read_bytes())
        media = _MEDIA.search(path)
        if media and site.variant == "broken":
            return web.Response(text="#EXTM3U\n#EXTINF:abc,\nseg0.ts\n", content_type="application/vnd.apple.mpegurl")
        if media:
            return web.FileResponse(root / folder / media["rendition"] / "index.m3u8")
        segment = _SEGMENT.search(path)
        if segment:
            if site.variant == "missing" and int(segment["index"]) == MISSING_SEGMENT:
                return web.Response(status=404, text="segment gone")
            await asyncio.sleep(site.segment_delay_s)
            return web.FileResponse(root / folder / segment["rendition"] / f"seg{segment['index']}.ts")
        if path.endswith(".m3u8"):
            return web.Response(text=master_playlist(), content_type="application/vnd.apple.mpegurl")
        return web.Response(status=404, text="not on this CDN")

    return [web.get("/{path:.*}", serve)]
