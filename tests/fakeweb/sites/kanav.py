"""Kanav: a MacCMS site. /index.php/vod/search.html?wd=&by=time_add lists play-page links (after a hot
list of other videos); the play page's ``var player_aaaa`` JSON holds the stream as base64 of its
``escape()``d URL (``"encrypt":2``)."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from aiohttp import web

from tests.fakeweb import pages
from tests.fakeweb.cases import hit, miss
from tests.fakeweb.catalogue import MISSING_AVID, VIDEOS
from tests.fakeweb.server import Site

HAS = {"SSIS-469", "PRED-388"}
HIT = "SSIS-469"
MISS = MISSING_AVID
CASES = (hit("SSIS-469"), hit("PRED-388"), miss())
VOD_IDS = {"SSIS-469": 61234, "PRED-388": 58811}
_HOT = [(60001, "MIDV-018 便利店的午后"), (59876, "STARS-804 放学后的屋顶"), (61002, "IPZZ-120 雨天的图书馆")]


def expected_stream(site: Site, avid: str) -> str:
    vod = VOD_IDS[avid]
    return f"{site.web['cdn'].base_url}/kanav/20220719/{vod}/index.m3u8?sign=a1b2c3&t=1720000000&gen={site.generation}"


def js_escape(text: str) -> str:
    """What JavaScript ``escape()`` makes of a URL (the characters it leaves alone: ``@*_+-./``)."""
    return "".join(quote(char, safe="@*_+-./") if ord(char) < 256 else f"%u{ord(char):04X}" for char in text)


def routes(site: Site) -> list[web.RouteDef]:
    by_vod = {str(number): avid for avid, number in VOD_IDS.items()}

    async def search(request: web.Request) -> web.StreamResponse:
        return pages.html(_search_page(request.query.get("wd", "").strip().upper()))

    async def play(request: web.Request) -> web.StreamResponse:
        avid = by_vod.get(request.match_info["vod"])
        if avid is None or request.match_info["rest"] != "sid/1/nid/1":
            return pages.html(_NOT_FOUND, status=404)
        if site.mode == "changed":
            return site.changed_page(avid)
        return pages.html(_play_page(site, avid))

    async def cover(request: web.Request) -> web.StreamResponse:
        return site.cover()

    return [
        web.get("/index.php/vod/search.html", search),
        web.get(r"/index.php/vod/play/id/{vod:\d+}/{rest:.+}.html", play),
        web.get("/upload/vod/{day}/{name}", cover),
    ]


_NOT_FOUND = "<html><head><title>系统提示 - KanAV</title></head><body><h1>获取数据失败</h1></body></html>"


def _item(vod: int, name: str) -> str:
    play = f"/index.php/vod/play/id/{vod}/sid/1/nid/1.html"
    return f"""<div class="col-md-3 col-sm-6 col-xs-6">
  <div class="video-item"><div class="featured-content-image">
    <a href="{play}"><img class="lazyload" src="/template/kanav/images/load.gif"
      data-original="/upload/vod/20220719-1/{vod}.jpg"></a></div>
    <span class="model-view-left">中文字幕</span><span class="model-view">02:00:00</span></div>
  <div class="entry-title"><h3><a href="{play}" title="{pages.esc(name)}">{pages.esc(name)}</a></h3></div>
</div>"""


def _search_page(wd: str) -> str:
    hot = "".join(f'<li><a href="play/id/{n}/sid/1/nid/1.html">{pages.esc(t)}</a></li>' for n, t in _HOT)
    if wd in HAS:
        results = (
            f'<div class="post-list"><div class="row">{_item(VOD_IDS[wd], f"{wd} {VIDEOS[wd].title}")}</div></div>'
        )
    else:
        results = '<div class="empty-content"><p>抱歉，没有找到相关视频</p></div>'
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>“{pages.esc(wd)}”搜索结果 - KanAV 看AV</title>
<link rel="stylesheet" href="/template/kanav/css/style.css"></head><body>
<header><a class="logo" href="/"><img src="/template/kanav/images/logo.png"></a>
<form action="/index.php/vod/search.html"><input name="wd" value="{pages.esc(wd)}"></form></header>
<div class="hot-list"><h4>本周热门</h4><ul>{hot}</ul></div>
{pages.noise("KanAV")}
<div class="container"><h2>搜索 “{pages.esc(wd)}” 的结果</h2>{results}</div>
<script src="/static/js/home.js"></script></body></html>"""


def _player_json(site: Site, avid: str) -> str:
    vod, name = VOD_IDS[avid], f"{avid} {VIDEOS[avid].title}"
    player = {
        "flag": "play",
        "encrypt": 2,
        "trysee": 0,
        "points": 0,
        "link": f"/index.php/vod/play/id/{vod}/sid/1/nid/1.html",
        "link_next": "",
        "link_pre": "",
        "vod_data": {
            "vod_name": name,
            "vod_actor": ",".join(VIDEOS[avid].actors),
            "vod_director": "",
            "vod_class": "中文字幕",
        },
        "url": base64.b64encode(js_escape(expected_stream(site, avid)).encode()).decode(),
        "url_next": "",
        "from": "dplayer",
        "server": "no",
        "note": "",
        "id": str(vod),
        "sid": 1,
        "nid": 1,
    }
    return json.dumps(player, separators=(",", ":")).replace("/", "\\/")  # as PHP's json_encode writes it


def _play_page(site: Site, avid: str) -> str:
    name = f"{avid} {VIDEOS[avid].title}"
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{pages.esc(name)} - 在线播放 - KanAV 看AV</title>
<meta name="keywords" content="{pages.esc(name)}在线观看"></head><body>
{pages.noise("KanAV")}
<div class="container"><h1 class="entry-title">{pages.esc(name)}</h1>
<div class="MacPlayer"><script type="text/javascript">var player_aaaa={_player_json(site, avid)}</script>
<script type="text/javascript" src="/static/js/playerconfig.js?t=20240101"></script>
<script type="text/javascript" src="/static/js/player.js?t=20240101"></script></div>
<div class="playlist"><a href="/index.php/vod/play/id/{VOD_IDS[avid]}/sid/1/nid/1.html">HD</a></div>
</div></body></html>"""
