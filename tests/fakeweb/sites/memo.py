"""Memo: /video/{AVID} (title in og:title and h1#title); the stream is the CDN's convention.

SSIS-469's player loads ``{memocdn}/stream/{AVID}/master.m3u8`` (which the page does not spell out).
PRED-388's page is served the older way: its player calls ``/hls/get_video_info.php?id={avid}``, which
answers ``for (;;);{"success":true,"url":"<percent-encoded URL>"}``; that URL carries
``site.generation``, so a refresh of PRED-388 sees a new stream. FC2-PPV-1234567's page is the older
kind too, but the endpoint has no URL for it (``"success":false``): the convention applies. Unknown
AVIDs are the site's 404.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from aiohttp import web

from tests.fakeweb import pages
from tests.fakeweb.cases import FC2_METADATA, hit, miss
from tests.fakeweb.catalogue import MISSING_AVID, VIDEOS
from tests.fakeweb.server import Site

HAS = {"SSIS-469", "PRED-388", "FC2-PPV-1234567"}
OLD_WAY = {"PRED-388", "FC2-PPV-1234567"}  # pages whose player still asks get_video_info.php
OLD_WAY_BROKEN = {"FC2-PPV-1234567"}  # ... and the endpoint has no URL for it: the convention applies
HIT = "SSIS-469"
MISS = MISSING_AVID
CASES = (hit("SSIS-469"), hit("PRED-388"), hit("FC2-PPV-1234567", metadata=FC2_METADATA), miss())


def expected_stream(site: Site, avid: str) -> str:
    stream = f"{site.web['memocdn'].base_url}/stream/{avid}/master.m3u8"
    return f"{stream}?gen={site.generation}" if avid in OLD_WAY - OLD_WAY_BROKEN else stream


def routes(site: Site) -> list[web.RouteDef]:
    async def video(request: web.Request) -> web.StreamResponse:
        avid = request.match_info["avid"]
        if avid not in HAS:
            return pages.html(_NOT_FOUND, status=404)
        if site.mode == "changed":
            return site.changed_page(avid)
        return pages.html(_page(site, avid))

    async def video_info(request: web.Request) -> web.StreamResponse:
        avid = request.query.get("id", "")
        if avid in OLD_WAY - OLD_WAY_BROKEN:
            answer = {"success": True, "type": "hls", "url": quote(expected_stream(site, avid), safe="")}
        else:
            answer = {"success": False, "message": "video not found"}
        return web.Response(text="for (;;);" + json.dumps(answer), content_type="application/json")

    async def cover(request: web.Request) -> web.StreamResponse:
        return web.Response(body=pages.COVER_JPEG, content_type="image/jpeg")

    return [
        web.get("/video/{avid}", video),
        web.get("/hls/get_video_info.php", video_info),
        web.get("/image/preview/{name}", cover),
    ]


_NOT_FOUND = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 Not Found - MemoJAV</title></head>
<body><h1>404</h1><p>The video you are looking for does not exist.</p><a href="/">Home</a></body></html>"""

_NEW_PLAYER = """<script src="/static/js/config.js?v=12"></script>
<script>
    var videoId = '{avid}';
    var player = videojs('player', {{ fluid: true }});
    player.src({{ src: STREAM_HOST + '/stream/' + videoId + '/master.m3u8', type: 'application/x-mpegURL' }});
</script>"""

_OLD_PLAYER = """<script>
    var vid = '{avid}';
    var t = Date.now(), b = btoa(String(t)), sig = b.slice(b.length - 12, b.length - 2), sts = 1;
    for (var i = 0; i < 10; i++) sts += sig.charCodeAt(i) * i * 1743;
    fetch('/hls/get_video_info.php?id=' + encodeURIComponent(vid) + '&sig=' + sig + '&sts=' + sts)
        .then(function (r) {{ return r.text(); }})
        .then(function (body) {{
            var data = JSON.parse(body.split('for (;;);')[1] || body);
            if (data.success) videojs('player').src({{ src: decodeURIComponent(data.url) }});
        }});
</script>"""


def _page(site: Site, avid: str) -> str:
    video = VIDEOS[avid]
    title = pages.esc(f"{avid} {video.title}")
    player = (_OLD_PLAYER if avid in OLD_WAY else _NEW_PLAYER).format(avid=avid)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} - MemoJAV</title>
<meta property="og:title" content="{title}">
<meta property="og:description" content="{pages.esc(video.title)}">
<meta property="og:image" content="/image/preview/{avid}.jpg">
<link rel="stylesheet" href="../static/css/video-js.min.css"></head><body>
{pages.noise("MemoJAV")}
<header><a href="/">MemoJAV</a> <a href="/best/">Best</a> <a href="page-2">Next</a></header>
<div class="player-wrap"><video id="player" class="video-js" controls preload="none"
 poster="/image/preview/{avid}.jpg"></video></div>
<h1 id="title">{title}</h1>
<p id="title-description">{pages.esc(video.title)}</p>
<table class="video-details">
<tr><th>Code:</th><td>{avid}</td></tr>
<tr><th>Release:</th><td>{video.release_date}</td></tr>
<tr><th>Actress:</th><td>{", ".join(pages.esc(a) for a in video.actors)}</td></tr>
</table>
<script src="/static/js/video.min.js"></script>
{player}
<div class="related"><a class="video-item" href="/video/ABP-123"><span class="video-title">ABP-123</span></a></div>
</body></html>"""
