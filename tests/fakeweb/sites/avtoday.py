"""Avtoday: /video/{AVID} with ``var m3u8_url`` and a site-relative ``var cover``; /search?keyword=.

PRED-388 has no /video/PRED-388 page: it lives at /video/pred388-hd and only the search finds it.
"""

from __future__ import annotations

import re

from aiohttp import web

from tests.fakeweb import pages
from tests.fakeweb.cases import hit, miss
from tests.fakeweb.catalogue import MISSING_AVID, VIDEOS
from tests.fakeweb.server import Site

HAS = {"SSIS-469", "PRED-388"}
HIT = "SSIS-469"
MISS = MISSING_AVID
CASES = (hit("SSIS-469"), hit("PRED-388"), miss())
SEARCH_ONLY = "PRED-388"
SLUGS = {"SSIS-469": "SSIS-469", "PRED-388": "pred388-hd"}  # where each video's page is

_NOT_FOUND = """<!DOCTYPE html><html><head><title>404 Not Found - AVToday</title></head>
<body><div class="error-page"><h1>404</h1><p>视频不存在或已被删除</p><a href="/">返回首页</a></div></body></html>"""


def expected_stream(site: Site, avid: str) -> str:
    return f"{site.web['cdn'].base_url}/avtoday/{avid.lower()}/index.m3u8?gen={site.generation}"


def routes(site: Site) -> list[web.RouteDef]:
    by_slug = {slug: avid for avid, slug in SLUGS.items()}

    async def video(request: web.Request) -> web.StreamResponse:
        avid = by_slug.get(request.match_info["slug"])
        if avid is None:
            return pages.html(_NOT_FOUND, status=404)
        if site.mode == "changed":
            return site.changed_page(avid)
        return pages.html(_page(site, avid))

    async def search(request: web.Request) -> web.StreamResponse:
        keyword = request.query.get("keyword", "")
        found = [avid for avid in sorted(HAS) if keyword and _squash(keyword) in _squash(avid)]
        return pages.html(_search_page(keyword, found))

    async def cover(request: web.Request) -> web.StreamResponse:
        return site.cover()

    return [web.get("/video/{slug}", video), web.get("/search", search), web.get("/pic/{name}", cover)]


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _nav() -> str:
    # Every page's header lists hot videos first: a search's first /video/ link is not its result.
    return """<header class="navbar"><a class="logo" href="/"><img src="/static/logo.png"></a>
<ul class="hot"><li><a href="/video/MIDV-001">MIDV-001 热门推荐</a></li><li><a href="video/IPX-100">IPX-100</a></li>
<li><a href="/tags/chinese-subtitle">中文字幕</a></li></ul>
<form action="/search"><input name="keyword" placeholder="搜索番号"></form></header>"""


def _page(site: Site, avid: str) -> str:
    title = pages.esc(VIDEOS[avid].title)
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{avid} {title} - AVToday 在线观看</title>
<meta name="keywords" content="{avid},{title}"><link rel="stylesheet" href="/static/css/main.css?v=31"></head>
<body>{_nav()}
{pages.noise("AVToday")}
<div class="container"><div id="dplayer"></div>
<div class="video-info"><p><span>番号:</span> {avid}</p>
<p><span>标题:</span> {avid} {title}</p>
<p><span>发行日期:</span> {VIDEOS[avid].release_date}</p>
<p><span>演员:</span> <a href="../actor/1">{pages.esc(VIDEOS[avid].actors[0])}</a></p></div>
<div class="related"><a href="/video/SSIS-001"><img src="/pic/ssis001.jpg"></a></div></div>
<script src="/static/js/DPlayer.min.js"></script><script src="/static/js/hls.min.js"></script>
<script>var ad_m3u8_url = 'https://ads.example/pre-roll/ad.m3u8'; var ad_cover = '/ads/cover.jpg';</script>
<script type="text/javascript">
    var m3u8_url = '{expected_stream(site, avid)}';
    var cover = '/pic/{avid.lower().replace("-", "")}.jpg';
    var dp = new DPlayer({{container: document.getElementById('dplayer'),
        video: {{url: m3u8_url, pic: cover, type: 'hls'}}}});
</script>
</body></html>"""


def _search_page(keyword: str, found: list[str]) -> str:
    items = "".join(
        f'<div class="item"><a href="/video/{SLUGS[avid]}"><img src="/pic/{SLUGS[avid]}.jpg"></a>'
        f'<a class="title" href="/video/{SLUGS[avid]}">{avid} {pages.esc(VIDEOS[avid].title)}</a></div>'
        for avid in found
    )
    body = items or '<div class="empty">没有找到相关视频</div>'
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>搜索: {pages.esc(keyword)} - AVToday</title></head><body>{_nav()}
{pages.noise("AVToday")}
<h2>搜索结果: {pages.esc(keyword)}</h2><div class="video-list">{body}</div>
<div class="pager"><a href="/search?keyword={pages.esc(keyword)}&page=2">下一页</a></div></body></html>"""
