"""Hohoj: /search?text= (fuzzy, by popularity) -> /video?id=N -> /embed?id=N, which answers 403 without a
Referer from the site and names the stream in ``var videoSrc``."""

from __future__ import annotations

from aiohttp import web

from tests.fakeweb import pages
from tests.fakeweb.cases import hit, miss
from tests.fakeweb.catalogue import MISSING_AVID, VIDEOS
from tests.fakeweb.server import Site

HAS = {"SSIS-469", "PRED-388"}
HIT = "SSIS-469"
MISS = MISSING_AVID
CASES = (hit("SSIS-469"), hit("PRED-388", typed=" pred-388 "), miss())
VIDEO_IDS = {"SSIS-469": 3400, "PRED-388": 2718}
_POPULAR = [(5120, "MIDV-018 便利店的午后"), (4410, "STARS-804 放学后的屋顶")]


def expected_stream(site: Site, avid: str) -> str:
    return f"{site.web['cdn'].base_url}/hohoj/{VIDEO_IDS[avid]}/{avid.lower()}/index.m3u8?gen={site.generation}"


def routes(site: Site) -> list[web.RouteDef]:
    by_id = {str(number): avid for avid, number in VIDEO_IDS.items()}

    async def search(request: web.Request) -> web.StreamResponse:
        return pages.html(_search_page(request.query.get("text", "").strip().upper()))

    async def video(request: web.Request) -> web.StreamResponse:
        avid = by_id.get(request.query.get("id", ""))
        if avid is None:
            return pages.html(_NOT_FOUND, status=404)
        return pages.html(_video_page(avid))

    async def embed(request: web.Request) -> web.StreamResponse:
        avid = by_id.get(request.query.get("id", ""))
        if avid is None:
            return pages.html(_NOT_FOUND, status=404)
        if not request.headers.get("Referer", "").startswith(site.base_url + "/"):
            return pages.html(
                "<html><head><title>403 Forbidden</title></head><body>Forbidden</body></html>", status=403
            )
        if site.mode == "changed":
            return site.changed_page(avid)
        return pages.html(_embed_page(site, avid))

    async def cover(request: web.Request) -> web.StreamResponse:
        return site.cover()

    return [
        web.get("/search", search),
        web.get("/video", video),
        web.get("/embed", embed),
        web.get("/static/cover/{name}", cover),
        web.get("/static/thumb/{name}", cover),
    ]


_NOT_FOUND = "<html><head><title>404 - HOHOJ</title></head><body><h1>找不到该影片</h1></body></html>"


def _card(number: int, name: str, link: str) -> str:
    return f"""<div class="col-6 col-md-4 col-lg-3 video-item">
  <a href="{link}" class="video-item-link"><div class="video-item-img">
    <img src="/static/thumb/{number}.jpg" alt="{pages.esc(name)}" loading="lazy"></div>
    <span class="video-item-duration">02:00:00</span></a>
  <div class="video-item-title"><a href="video?id={number}">{pages.esc(name)}</a></div>
  <div class="video-item-info"><span>12.3K 次观看</span></div>
</div>"""


def _search_page(text: str) -> str:
    number = text.rsplit("-", 1)[-1]
    # The search is fuzzy and sorted by popularity: same-number codes of other labels come too, and
    # a popular one ranks before the video asked for; an unknown code gets only those.
    fuzzy = [(7001, f"IKUNA-{number} 温泉旅馆的一夜"), (7002, f"020624-{number} 素人初摄影")]
    results = [fuzzy[0]]
    if text in HAS:
        results.append((VIDEO_IDS[text], f"{text} {VIDEOS[text].title}"))
    results.append(fuzzy[1])
    # Cards mix root-relative and relative links, as the site's templates do.
    cards = "\n".join(
        _card(n, name, f"/video?id={n}" if i % 2 else f"video?id={n}") for i, (n, name) in enumerate(results)
    )
    return f"""<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>搜索 {pages.esc(text)} - HOHOJ</title>
<link rel="stylesheet" href="/static/css/bootstrap.min.css"></head><body>
<nav class="navbar"><a class="navbar-brand" href="/">HOHOJ</a>
<form action="/search"><input name="text" value="{pages.esc(text)}"></form></nav>
{pages.noise("HOHOJ")}
<div class="container"><h4>搜索结果: {pages.esc(text)}</h4><div class="row">{cards}</div>
<div class="pagination"><a href="/search?text={pages.esc(text)}&amp;p=2">2</a></div></div>
<aside class="popular">{"".join(f'<a href="/video?id={n}">{pages.esc(t)}</a>' for n, t in _POPULAR)}</aside>
</body></html>"""


def _video_page(avid: str) -> str:
    number, title = VIDEO_IDS[avid], VIDEOS[avid].title
    return f"""<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">
<title>{avid} {pages.esc(title)} - HOHOJ</title>
<meta property="og:title" content="{avid} {pages.esc(title)}">
<meta property="og:image" content="/static/cover/{number}.jpg">
<meta property="og:type" content="video.movie"></head><body>
{pages.noise("HOHOJ")}
<div class="container"><div class="ratio ratio-16x9">
<iframe src="embed?id={number}" allowfullscreen frameborder="0" scrolling="no"></iframe></div>
<h5 class="mt-3">{avid} {pages.esc(title)}</h5>
<div class="info"><span>2022-07-19</span> · <span>45.6K 次观看</span></div>
<div class="ctg"><a href="/search?type=chinese">中文字幕</a><a href="/search?type=censored">有码</a></div>
<div class="row">{"".join(_card(n, t, f"/video?id={n}") for n, t in _POPULAR)}</div></div>
</body></html>"""


def _embed_page(site: Site, avid: str) -> str:
    stream = expected_stream(site, avid).split(":", 1)[1]  # published scheme-relative
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{avid}</title>
<link href="/static/css/video-js.min.css" rel="stylesheet"></head><body style="margin:0">
<video id="my-video" class="video-js vjs-big-play-centered" controls preload="auto"
 poster="/static/cover/{VIDEO_IDS[avid]}.jpg"></video>
<script src="/static/js/video.min.js"></script>
<script>var adSrc = "https://ads.example/pre-roll/15s.m3u8";</script>
<script>
    var videoSrc = "{stream}";
    var player = videojs('my-video');
    player.src({{ src: videoSrc, type: 'application/x-mpegURL' }});
</script>
{pages.noise("HOHOJ")}
</body></html>"""
