"""Page parts every fake site uses: the response helper, the noise real pages carry, the failure pages."""

from __future__ import annotations

import html as html_lib
from collections.abc import Mapping

from aiohttp import web

# A real (1x1) baseline JPEG: covers are checked by their magic bytes.
COVER_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912"
    "130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001"
    "000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b51000020103"
    "03020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f024336272"
    "82090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475"
    "767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9"
    "cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)

CLOUDFLARE_CHALLENGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">
<style>*{box-sizing:border-box;margin:0;padding:0}</style></head><body><div class="main-wrapper" role="main">
<div class="main-content"><noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies
to continue</span></div></noscript></div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: "site",
cType: 'managed',cRay: '8f1e2d3c4b5a6978'};var cpo=document.createElement('script');
cpo.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8f1e2d3c4b5a6978';
document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>"""


def html(text: str, *, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers=headers)


def esc(text: str) -> str:
    return html_lib.escape(text, quote=True)


def noise(site_name: str) -> str:
    """What real pages carry besides the video: analytics, ads, previews with their own playlists."""
    return f"""
<script async src="https://www.googletagmanager.com/gtag/js?id=G-XXXXXXX"></script>
<script>window.dataLayer=window.dataLayer||[];
function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());</script>
<script type="text/javascript" src="/assets/js/jquery.min.js?v=3.6.0"></script>
<script>var adConfig = {{"zone": 4412, "preview": "https://ads.trafficjunky.example/preview/480p.m3u8",
 "fallback": "//static.exoclick.example/ads/loop.m3u8"}};</script>
<div class="ad-banner"><a href="https://ads.example/click?z=9" rel="nofollow"><img src="/ads/banner.gif"></a></div>
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "WebSite", "name": "{site_name}"}}</script>
<script>var related = ["/videos/abc-123/", "/videos/xyz-001/"]; var thumbHls = "/preview/sprite.m3u8";</script>
"""


def redesigned(avid: str) -> str:
    """A page the site shows after a redesign: the same video, none of the markers we know."""
    return f"""<!DOCTYPE html><html><head><title>{avid} | watch now</title>
<meta property="og:title" content="{avid}"></head><body><div id="__app" data-v="2"></div>
<script src="/static/app.9f8e7d.js"></script>{noise("redesign")}</body></html>"""
