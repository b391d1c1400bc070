"""Kissav: a generic tube site. Each video sits at a path of its own and carries its stream its own way:

- SSIS-469 at ``/video/ssis-469``: ``<video><source>`` (protocol-relative), with decoy playlists in scripts;
- PRED-388 at ``/play/pred-388``: only through ``<iframe src="/embed/{id}">`` whose page has a player
  config ``file: "..."``; the embed page is hotlink-protected (403 without the play page as Referer);
- FC2-PPV-1234567 at ``/fc2-ppv-1234567``: only a bare (JSON-escaped) m3u8 string in a script, after an
  ad-host one.

Any other path redirects (302) to the home page, which lists the videos: what such sites really do.
"""

from __future__ import annotations

from aiohttp import web

from tests.fakeweb import pages
from tests.fakeweb.cases import FC2_METADATA, hit, miss
from tests.fakeweb.catalogue import MISSING_AVID, VIDEOS
from tests.fakeweb.server import Site

HAS = {"SSIS-469", "PRED-388", "FC2-PPV-1234567"}
HIT = "SSIS-469"
MISS = MISSING_AVID
CASES = (hit("SSIS-469"), hit("PRED-388"), hit("FC2-PPV-1234567", metadata=FC2_METADATA), miss())

PATHS = {"SSIS-469": "/video/ssis-469", "PRED-388": "/play/pred-388", "FC2-PPV-1234567": "/fc2-ppv-1234567"}
EMBED_IDS = {"48213": "PRED-388"}
SITE_NAME = "KissAV"


def expected_stream(site: Site, avid: str) -> str:
    return f"{site.web['cdn'].base_url}/kissav/hls/{avid.lower()}/index.m3u8?gen={site.generation}"


def embed_url(site: Site, avid: str) -> str:
    embed_id = next(key for key, value in EMBED_IDS.items() if value == avid)
    return f"{site.base_url}/embed/{embed_id}"


def routes(site: Site) -> list[web.RouteDef]:
    by_path = {path: avid for avid, path in PATHS.items()}

    async def home(request: web.Request) -> web.StreamResponse:
        return pages.html(_home())

    async def video(request: web.Request) -> web.StreamResponse:
        avid = by_path.get(request.path)
        if avid is None:
            raise web.HTTPFound("/")  # generic sites send unknown paths home, never a 404
        if site.mode == "changed":
            return site.changed_page(avid)
        return pages.html(_PAGES[avid](site, avid))

    async def embed(request: web.Request) -> web.StreamResponse:
        avid = EMBED_IDS.get(request.match_info["id"])
        if avid is None:
            return pages.html("<html><body>video not found</body></html>", status=404)
        if request.headers.get("Referer") != f"{site.base_url}{PATHS[avid]}":
            return pages.html("<html><body>hotlinking is not allowed</body></html>", status=403)
        return pages.html(_embed(site, avid))

    async def cover(request: web.Request) -> web.StreamResponse:
        return web.Response(body=pages.COVER_JPEG, content_type="image/jpeg")

    return [
        web.get("/", home),
        web.get("/upload/cover/{name}", cover),
        web.get("/embed/{id}", embed),
        web.get("/video/{slug}", video),
        web.get("/play/{slug}", video),
        web.get("/{slug}", video),
    ]


def _head(avid: str, *, og_title: bool = True) -> str:
    title = pages.esc(VIDEOS[avid].title)
    og = f'<meta property="og:title" content="{avid} {title}">' if og_title else ""
    return f"""<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">
<title>{avid} {title} - {SITE_NAME}</title>{og}
<meta property="og:image" content="/upload/cover/{avid.lower()}.jpg">
<link rel="stylesheet" href="../static/css/main.css?v=3"></head>"""


def _home() -> str:
    cards = "".join(
        f'<div class="card"><a href="{path}"><img src="/upload/cover/{avid.lower()}.jpg">'
        f"<h3>{avid} {pages.esc(VIDEOS[avid].title)}</h3></a></div>"
        for avid, path in PATHS.items()
    )
    return f"""<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{SITE_NAME} - 免费高清在线看</title>
<meta property="og:title" content="{SITE_NAME}"></head><body>{pages.noise(SITE_NAME)}
<video class="hero" autoplay muted playsinline><source src="/hls/featured/index.m3u8"></video>
<section class="latest"><h2>最新更新</h2>{cards}</section>
<script>var player = {{"file": "/hls/featured/index.m3u8"}};</script></body></html>"""


def _ssis_page(site: Site, avid: str) -> str:
    stream = expected_stream(site, avid).removeprefix("http:")  # protocol-relative, as CDNs like
    return f"""{_head(avid)}<body>{pages.noise(SITE_NAME)}
<div class="promo"><video muted loop src="/media/preview/summer-sale.mp4"></video></div>
<h1 class="title">{avid} {pages.esc(VIDEOS[avid].title)}</h1>
<video id="player" class="video-js" controls preload="none" poster="/upload/cover/{avid.lower()}.jpg">
  <source src="/media/preview/{avid.lower()}-trailer.mp4" type="video/mp4" label="trailer">
  <source src="{stream}" type="application/x-mpegURL">
</video>
<script src="/static/js/video.min.js"></script>
<script>var videoSrc = "https://cdn.exoclick.example/preroll/{avid.lower()}.m3u8";
var next = {{"title": "SSIS-470", "hls": "/hls/ssis-470/index.m3u8"}};</script>
<ul class="related"><li><a href="/video/ssis-470">SSIS-470</a></li><li><a href="related/ssis-471">SSIS-471</a></li></ul>
</body></html>"""


def _pred_page(site: Site, avid: str) -> str:
    embed_path = embed_url(site, avid).removeprefix(site.base_url)
    return f"""{_head(avid)}<body>{pages.noise(SITE_NAME)}
<h1>{avid} {pages.esc(VIDEOS[avid].title)}</h1>
<iframe src="https://ads.example/frame?zone=17" width="300" height="250" scrolling="no"></iframe>
<div class="player-wrap"><iframe src="{embed_path}" width="100%" height="560" frameborder="0" allowfullscreen>
</iframe></div>
<script>var related = [{{"code": "PRED-387", "hls": "/hls/pred-387/index.m3u8"}}];</script>
<a href="../video/pred-387">PRED-387</a></body></html>"""


def _embed(site: Site, avid: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>player</title>
<script src="/static/jwplayer/jwplayer.js"></script></head><body><div id="player"></div>
<script>var vastTag = "https://ads.trafficjunky.example/vast/preroll.m3u8";</script>
<script>
  jwplayer("player").setup({{
    file: "{expected_stream(site, avid)}",
    image: "/upload/cover/{avid.lower()}.jpg",
    width: "100%", aspectratio: "16:9", autostart: false
  }});
</script></body></html>"""


def _fc2_page(site: Site, avid: str) -> str:
    stream = expected_stream(site, avid).replace("/", "\\/")
    return f"""{_head(avid, og_title=False)}<body>{pages.noise(SITE_NAME)}
<h1>{avid} {pages.esc(VIDEOS[avid].title)}</h1><div id="dplayer"></div>
<script src="/static/js/DPlayer.min.js"></script>
<script>window.__VIDEO__ = {{"preroll": "https:\\/\\/a.juicyads.example\\/v\\/pre.m3u8",
  "video": {{"quality": [{{"name": "HD", "url": "{stream}"}}]}}}};
new DPlayer({{container: document.getElementById("dplayer"), video: window.__VIDEO__.video}});</script>
</body></html>"""


_PAGES = {"SSIS-469": _ssis_page, "PRED-388": _pred_page, "FC2-PPV-1234567": _fc2_page}
