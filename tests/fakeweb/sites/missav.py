"""MissAV: a video lives at one of several page addresses; the stream's uuid hides in a packed script.

Each AVID answers at one candidate address only (the others are the site's 404), so a source must try
them in order: SSIS-469 only at ``/cn/ssis-469``, PRED-388 only at ``/pred-388-chinese-subtitle``,
FC2-PPV-1234567 only at ``/fc2-ppv-1234567``. The packed player script is real p,a,c,k,e,d output
(``pack`` below) naming the real host ``https://surrit.com``: what a source must take from it is the
uuid, to be put behind the configured CDN (``site.web['surrit']``). The uuid's last group carries
``site.generation``, so a refresh sees a new stream.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from aiohttp import web

from tests.fakeweb import pages
from tests.fakeweb.cases import FC2_METADATA, hit, miss
from tests.fakeweb.catalogue import MISSING_AVID, VIDEOS
from tests.fakeweb.server import Site

PAGE_PATHS = {
    "/cn/ssis-469": "SSIS-469",
    "/pred-388-chinese-subtitle": "PRED-388",
    "/fc2-ppv-1234567": "FC2-PPV-1234567",
}
HAS = set(PAGE_PATHS.values())
HIT = "SSIS-469"
MISS = MISSING_AVID
CASES = (hit("SSIS-469"), hit("PRED-388"), hit("FC2-PPV-1234567", typed="fc2ppv1234567", metadata=FC2_METADATA), miss())
REAL_STREAM_HOST = "https://surrit.com"


def video_uuid(site: Site, avid: str) -> str:
    digest = hashlib.md5(avid.encode(), usedforsecurity=False).hexdigest()
    last = f"{digest[20:28]}{site.generation:04x}"
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{last}"


def expected_stream(site: Site, avid: str) -> str:
    return f"{site.web['surrit'].base_url}/{video_uuid(site, avid)}/playlist.m3u8"


def routes(site: Site) -> list[web.RouteDef]:
    async def video(request: web.Request) -> web.StreamResponse:
        avid = PAGE_PATHS.get(request.path)
        if avid is None:
            return pages.html(_NOT_FOUND, status=404)
        if site.mode == "changed":
            return site.changed_page(avid)
        return pages.html(_page(site, avid))

    async def cover(request: web.Request) -> web.StreamResponse:
        return web.Response(body=pages.COVER_JPEG, content_type="image/jpeg")

    return [
        web.get("/cn/{slug}", video),
        web.get("/{slug}", video),
        web.get("/fourhoi/{slug}/cover-n.jpg", cover),
    ]


# --- Dean Edwards' packer, as the real page's script comes out of it -------------------------------

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_UNPACKER_36 = (
    "function(p,a,c,k,e,d){e=function(c){return c.toString(36)};if(!''.replace(/^/,String)){while(c--)"
    "{d[c.toString(a)]=k[c]||c.toString(a)}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};"
    "while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}"
)
_UNPACKER_62 = (
    "function(p,a,c,k,e,d){e=function(c){return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?"
    "String.fromCharCode(c+29):c.toString(36))};if(!''.replace(/^/,String)){while(c--){d[e(c)]=k[c]||e(c)}"
    "k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};while(c--){if(k[c]){p=p.replace("
    "new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}"
)


def pack(script: str) -> str:
    """``eval(function(p,a,c,k,e,d){...}('<payload>',a,c,'<words>'.split('|'),0,{}))`` for ``script``.

    Words are ordered as the packer orders them (most frequent first, ties latest-first) and each is
    replaced in the payload by its index written in base ``a`` with the digits 0-9a-zA-Z.
    """
    tokens = re.findall(r"\b\w+\b", script, re.ASCII)
    counts = Counter(tokens)
    first_seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        first_seen.setdefault(token, index)
    words = sorted(counts, key=lambda word: (-counts[word], -first_seen[word]))
    radix = min(max(len(words), 2), 62)
    codes = {word: _encode(index, radix) for index, word in enumerate(words)}
    payload = re.sub(r"\b\w+\b", lambda match: codes[match.group(0)], script, flags=re.ASCII)
    payload = payload.replace("\\", "\\\\").replace("'", "\\'")
    unpacker = _UNPACKER_36 if radix <= 36 else _UNPACKER_62
    return f"eval({unpacker}('{payload}',{radix},{len(words)},'{'|'.join(words)}'.split('|'),0,{{}}))"


def _encode(index: int, radix: int) -> str:
    prefix = _encode(index // radix, radix) if index >= radix else ""
    return prefix + _DIGITS[index % radix]


def player_script(uuid: str, host: str = REAL_STREAM_HOST) -> str:
    """What MissAV packs: the master playlist and two variants, all under the video's uuid."""
    return (
        f"source='{host}/{uuid}/playlist.m3u8';"
        f"source842='{host}/{uuid}/842x480/video.m3u8';"
        f"source1280='{host}/{uuid}/1280x720/video.m3u8';"
    )


# --- pages ------------------------------------------------------------------------------------------

_NOT_FOUND = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>404 | MissAV</title>
</head><body><div class="text-center"><h1>404</h1><p>找不到此页面</p><a href="/cn">返回首页</a></div></body></html>"""


def _page(site: Site, avid: str) -> str:
    video = VIDEOS[avid]
    slug = avid.lower()
    title = pages.esc(f"{avid} {video.title}")
    actors = "".join(f'<meta property="og:video:actor" content="{pages.esc(a)}">' for a in video.actors)
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{title} - MissAV | 免费高清AV在线看</title>
<meta property="og:site_name" content="MissAV">
<meta property="og:type" content="video.movie">
<meta property="og:title" content="{title}">
<meta property="og:url" content="{site.base_url}/cn/{slug}">
<meta property="og:image" content="{site.base_url}/fourhoi/{slug}/cover-n.jpg">
<meta property="og:video:release_date" content="{video.release_date}">
<meta property="og:video:duration" content="{video.minutes * 60 + 25}">
{actors}
<link rel="stylesheet" href="/build/assets/app.css"></head>
<body x-data="{{ open: false }}">
{pages.noise("MissAV")}
<nav><a href="/cn">首页</a> <a href="new">最新</a> <a href="../cn/chinese-subtitle">中文字幕</a></nav>
<div class="relative -mx-4 sm:mx-0 aspect-w-16 aspect-h-9">
<video id="player" playsinline data-poster="https://fourhoi.com/{slug}/cover-n.jpg"></video></div>
<h1 class="text-base lg:text-lg text-nord6">{title}</h1>
<div class="text-secondary"><span>发行日期:</span>
<time datetime="{video.release_date}">{video.release_date}</time></div>
<script src="/build/assets/player.js"></script>
<script type="text/javascript">
{pack(player_script(video_uuid(site, avid)))}
</script>
<script>
    const player = new Plyr('#player'); window.hls = new Hls({{ autoStartLoad: true }});
    window.hls.loadSource(source); window.hls.attachMedia(document.querySelector('#player'));
</script>
<script>var previewUrl = 'https://fourhoi.com/{slug}/preview.m3u8';</script>
<div class="related"><a href="/cn/abp-123">ABP-123</a> <a href="ssis-470">SSIS-470</a></div>
</body></html>"""
