"""Netflav: a Next.js site. /video?id={id} carries the video record in ``__NEXT_DATA__``; an unknown id is
the app's "video not found" state (200, ``video.data`` null). /search?keyword= lists results as links.

PRED-388 has no /video?id=PRED-388 (data null there): its page is /video?id=iYgATu12rL, found by search.
"""

from __future__ import annotations

import json
import re
from typing import Any

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
IDS = {"SSIS-469": "SSIS-469", "PRED-388": "iYgATu12rL"}  # the id= of each video's page
BUILD_ID = "Yq3b0x_k2dQe8Hn1mWv7Z"


def expected_stream(site: Site, avid: str) -> str:
    return f"{site.web['cdn'].base_url}/netflav/{avid.lower()}/playlist.m3u8?gen={site.generation}"


def routes(site: Site) -> list[web.RouteDef]:
    by_id = {video_id: avid for avid, video_id in IDS.items()}

    async def video(request: web.Request) -> web.StreamResponse:
        video_id = request.query.get("id", "")
        if not video_id:
            return pages.html(_not_found_page(), status=404)
        avid = by_id.get(video_id)
        if avid is not None and site.mode == "changed":
            return site.changed_page(avid)
        record = _record(site, avid) if avid is not None else None
        return pages.html(_video_page(site, video_id, avid, record))

    async def search(request: web.Request) -> web.StreamResponse:
        keyword = request.query.get("keyword", "")
        found = [avid for avid in sorted(HAS) if keyword and _squash(keyword) in _squash(avid)]
        return pages.html(_search_page(keyword, found))

    async def preview(request: web.Request) -> web.StreamResponse:
        return site.cover()

    return [web.get("/video", video), web.get("/search", search), web.get("/static/preview/{name}", preview)]


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _record(site: Site, avid: str) -> dict[str, Any]:
    video = VIDEOS[avid]
    return {
        "_id": f"64f0c1{avid.lower().replace('-', '')}",
        "videoId": IDS[avid],
        "code": avid,
        "title": f"{avid} {video.title}",
        "title_en": f"{avid} (English title)",
        "description": "",
        "preview": f"{site.base_url}/static/preview/{IDS[avid]}.jpg",
        "previewImagesUrl": [f"{site.base_url}/static/preview/{IDS[avid]}_1.jpg"],
        "srcs": [
            f"https://streamtape.example/e/{IDS[avid]}x",  # embed players of file hosts first
            {"type": "embed", "url": f"https://fembed.example/v/{IDS[avid]}"},
            {"type": "hls", "label": "HD", "url": expected_stream(site, avid)},
        ],
        "isMissav": False,
        "actors": [f"zh:{name}" for name in video.actors] + [f"jp:{name}" for name in video.actors],
        "tags": [tag for genre in video.genres for tag in (f"zh:{genre}", f"jp:{genre}")] + ["en:Drama"],
        "sourceDate": f"{video.release_date}T00:00:00.000Z",
        "videoDate": f"{video.release_date}T00:00:00.000Z",
        "createdAt": "2023-09-01T08:12:45.000Z",
        "views": 123456,
    }


def _next_data(page: str, query: dict[str, str], initial_state: dict[str, Any]) -> str:
    data = {
        "props": {
            "isServer": True,
            "initialState": initial_state,
            "initialProps": {"pageProps": {}, "locale": "zh", "messages": {"search": "搜索"}},
        },
        "page": page,
        "query": query,
        "buildId": BUILD_ID,
        "runtimeConfig": {"API_HOST": "/api98"},
        "isFallback": False,
        "customServer": True,
        "gip": True,
        "appGip": True,
        "scriptLoader": [],
    }
    # Next.js escapes "<" in its JSON so that the script cannot be closed early.
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return f'<script id="__NEXT_DATA__" type="application/json">{text}</script>'


def _state(video: dict[str, Any] | None) -> dict[str, Any]:
    # Other slices of the store come first; their records carry playlists of their own (previews, ads).
    related = {"videoId": "Zk81LmQp0a", "title": "MIDV-001 推荐", "srcs": ["https://ads.example/preview/midv001.m3u8"]}
    return {
        "user": {"isLogin": False, "locale": "zh"},
        "all": {"page": 1, "pages": 1, "docs": [related]},
        "video": {"isLoading": False, "data": video, "error": None if video else "Video not found"},
    }


def _shell(title: str, head: str, body: str, next_data: str) -> str:
    return f"""<!DOCTYPE html><html lang="zh"><head><meta charSet="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/><title>{title}</title>{head}
<link rel="preload" href="/_next/static/css/4b1c2a.css" as="style"/></head>
<body><div id="__next"><header><a href="/">Netflav</a><a href="/all?genre=%E5%B7%A8%E4%B9%B3">巨乳</a>
<a href="./video?id=Zk81LmQp0a">MIDV-001 推荐</a></header>{body}</div>
{next_data}
<script nomodule="" src="/_next/static/chunks/polyfills-5cd94c89d3acac5f.js"></script>
<script src="/_next/static/{BUILD_ID}/pages/video.js" async=""></script>
{pages.noise("Netflav")}</body></html>"""


def _video_page(site: Site, video_id: str, avid: str | None, record: dict[str, Any] | None) -> str:
    next_data = _next_data("/video", {"id": video_id}, _state(record))
    if avid is None or record is None:
        return _shell("Netflav - 免费高清AV在线看", "", '<div class="video_notfound">找不到视频</div>', next_data)
    title = pages.esc(record["title"])
    head = f'<meta property="og:title" content="{title}"/><meta property="og:image" content="{record["preview"]}"/>'
    body = f'<div class="videocontainer"><h1>{title}</h1><div id="player"></div></div>'
    return _shell(f"{title} - Netflav", head, body, next_data)


def _not_found_page() -> str:
    body = '<div class="next-error-h1"><h1>404</h1><h2>This page could not be found.</h2></div>'
    return _shell("404: This page could not be found", "", body, _next_data("/_error", {}, {"video": {"data": None}}))


def _search_page(keyword: str, found: list[str]) -> str:
    items = "".join(
        f'<div class="grid_cell"><a href="video?id={IDS[avid]}"><img src="/static/preview/{IDS[avid]}.jpg"/>'
        f'<div class="grid_title">{avid} {pages.esc(VIDEOS[avid].title)}</div></a></div>'
        for avid in found
    )
    body = (
        f'<a href="/search?keyword={pages.esc(keyword)}&amp;lang=en">English</a>'
        f'<div class="search_results">{items or "<div>沒有結果</div>"}</div>'
    )
    docs = [{"videoId": IDS[avid], "title": f"{avid} {VIDEOS[avid].title}"} for avid in found]
    state = {"search": {"keyword": keyword, "page": 1, "pages": 1, "docs": docs}, "video": {"data": None}}
    return _shell(f"{pages.esc(keyword)} - Netflav", "", body, _next_data("/search", {"keyword": keyword}, state))
