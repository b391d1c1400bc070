"""Jable: /videos/{avid lower-case}/ with the stream in an inline ``var hlsUrl``."""

from __future__ import annotations

from aiohttp import web

from tests.fakeweb import pages
from tests.fakeweb.cases import hit, miss
from tests.fakeweb.catalogue import MISSING_AVID, VIDEOS
from tests.fakeweb.server import Site

HAS = {"SSIS-469", "PRED-388"}
HIT = "SSIS-469"
MISS = MISSING_AVID
CASES = (hit("SSIS-469", typed="ssis469"), hit("PRED-388"), miss())


def expected_stream(site: Site, avid: str) -> str:
    return f"{site.web['cdn'].base_url}/jable/{avid.lower()}/{avid.lower()}.m3u8?gen={site.generation}"


def routes(site: Site) -> list[web.RouteDef]:
    async def video(request: web.Request) -> web.StreamResponse:
        slug = request.match_info["slug"]
        avid = slug.upper()
        if avid not in HAS or slug != slug.lower():
            return pages.html("<html><head><title>404 - Jable.TV</title></head><body>找不到</body></html>", status=404)
        if site.mode == "changed":
            return site.changed_page(avid)
        return pages.html(_page(site, avid))

    async def cover(request: web.Request) -> web.StreamResponse:
        return site.cover()

    return [web.get("/videos/{slug}/", video), web.get("/contents/videos_screenshots/{name}", cover)]


def _page(site: Site, avid: str) -> str:
    title = VIDEOS[avid].title
    return f"""<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">
<title>{avid} {pages.esc(title)} - Jable.TV | 免費高清AV在線看 | J片 AV看到飽</title>
<meta property="og:title" content="{avid} {pages.esc(title)}">
<meta property="og:image" content="/contents/videos_screenshots/{avid.lower()}_preview.jpg">
<link rel="stylesheet" href="/assets/css/style.css?v=8"></head><body>
{pages.noise("Jable.TV")}
<section class="video-info pb-3"><div class="info-header"><div class="header-left">
<h4 class="title">{avid} {pages.esc(title)}</h4><h6>2022-07-19 · 123K 次觀看</h6></div></div></section>
<div id="player" class="plyr"></div>
<script src="/assets/js/player/hls.min.js"></script>
<script>
    var hlsUrl = '{expected_stream(site, avid)}';
    var hls = new Hls(); hls.loadSource(hlsUrl);
</script>
<script>var previewUrl = 'https://ads.example/preview/loop.m3u8';</script>
</body></html>"""
