"""A JavBus-style metadata mirror: /{AVID}, Traditional Chinese labels, genres, stars, big cover."""

from __future__ import annotations

from aiohttp import web

from tests.fakeweb import pages
from tests.fakeweb.catalogue import VIDEOS, Video
from tests.fakeweb.server import Site


def routes(site: Site) -> list[web.RouteDef]:
    async def movie(request: web.Request) -> web.StreamResponse:
        avid = request.match_info["avid"]
        video = VIDEOS.get(avid)
        if video is None:
            return pages.html("<html><head><title>404 Page Not Found! - JavBus</title></head></html>", status=404)
        if request.cookies.get("age") != "verified":
            return pages.html("<html><body><div class='modal'>你是否已經成年?</div></body></html>")
        return pages.html(_page(video))

    async def cover(request: web.Request) -> web.StreamResponse:
        return web.Response(body=pages.COVER_JPEG, content_type="image/jpeg")

    return [web.get("/pics/cover/{name}", cover), web.get("/{avid}", movie)]


def _row(label: str, value: str, kind: str) -> str:
    if not value:
        return ""
    return f'<p><span class="header">{label}:</span> <a href="/{kind}/x1">{pages.esc(value)}</a></p>'


def _page(video: Video) -> str:
    genres = "".join(
        f'<span class="genre"><label><input type="checkbox" name="gr_sel" value="{i}">'
        f'<a href="/genre/{i}">{pages.esc(g)}</a></label></span>'
        for i, g in enumerate(video.genres)
    )
    stars_inline = "".join(
        f'<span class="genre" onmouseover="hoverdiv(event,\'s{i}\')"><a href="/star/s{i}">{pages.esc(a[:3])}</a></span>'
        for i, a in enumerate(video.actors)
    )
    avatars = "".join(
        f'<a class="avatar-box" href="/star/s{i}"><div class="photo-frame"><img src="/pics/actress/s{i}_a.jpg"'
        f' title="{pages.esc(a)}"></div><span>{pages.esc(a[:3])}</span></a>'
        for i, a in enumerate(video.actors)
    )
    description = f"【發行日期】{video.release_date}，【長度】{video.minutes}分鐘，({video.avid})「{video.title}」"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{video.avid} {pages.esc(video.title)} - JavBus</title>
<meta name="description" content="{pages.esc(description)}"></head><body>
<div class="container"><h3>{video.avid} {pages.esc(video.title)}</h3><div class="row movie">
<div class="col-md-9 screencap"><a class="bigImage" href="/pics/cover/{video.avid.lower()}_b.jpg">
<img src="/pics/cover/{video.avid.lower()}_b.jpg" title="{pages.esc(video.title)}"></a></div>
<div class="col-md-3 info">
<p><span class="header">識別碼:</span> <span style="color:#CC0000;">{video.avid}</span></p>
<p><span class="header">發行日期:</span> {video.release_date}</p>
<p><span class="header">長度:</span> {video.minutes}分鐘</p>
{_row("導演", video.director, "director")}{_row("製作商", video.studio, "studio")}
{_row("發行商", video.label, "label")}{_row("系列", video.series, "series")}
<p class="header">類別:</p><p>{genres}</p>
<p class="star-show"><span class="header">演員</span>:</p><p>{stars_inline}</p>
</div></div><div id="avatar-waterfall">{avatars}</div></div>
{pages.noise("JavBus")}</body></html>"""
