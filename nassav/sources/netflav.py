"""Netflav: a Next.js site. /video?id={avid} (else the first search result naming the AVID) carries the
video record in ``__NEXT_DATA__`` at ``props.initialState.video.data``: title, srcs[], preview, dates."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from nassav.errors import NotOnSource
from nassav.sources.base import Hit, Page, Source, script_json, strip_avid

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2}:")  # "zh:巨乳", "jp:巨乳", "en:Big Tits"
_SITE_SUFFIX = re.compile(r"\s*[-|｜]\s*Netflav\b.*$", re.I)
_NOT_FOUND_PAGES = ("/404", "/_error")
_URL_KEYS = ("url", "src", "file")  # srcs entries may be objects


class NetflavSource(Source):
    NAME = "Netflav"
    BASE_URLS = ("https://netflav.com",)

    async def find(self, avid: str) -> Hit:
        found = await self._video(f"/video?id={quote(avid)}")
        if found is None:
            found = await self._video(await self._search(avid))
        if found is None:
            raise NotOnSource(f"{self.NAME}: the search result for {avid} is a video that does not exist")
        page, video = found
        preview = _text(video.get("preview"))
        return self.hit(
            avid,
            page,
            title=self._title(page, video, avid),
            stream_url=page.absolute(self._stream(video)),
            cover_url=page.absolute(preview) if preview else page.meta_url("og:image"),
            release_date=_date(video),
            actors=_names(video.get("actors")),
            genres=_names(video.get("tags")),
        )

    async def _video(self, link: str) -> tuple[Page, dict[str, Any]] | None:
        """The page and its video record; None in the site's "video not found" states (404, data null)."""
        try:
            page = await self.fetch(link)
        except NotOnSource:
            return None
        record = self._record(page)
        return (page, record) if record is not None else None

    def _record(self, page: Page) -> dict[str, Any] | None:
        """``props.initialState.video.data`` of the page's Next.js data; None when it says "not found"."""
        data = script_json(page, element_id="__NEXT_DATA__")
        if not isinstance(data, dict):
            return self.missing("the Next.js data (script __NEXT_DATA__)")
        if data.get("page") in _NOT_FOUND_PAGES:
            return None
        video = _dig(data, "props", "initialState", "video")
        if not isinstance(video, dict) or "data" not in video:
            return self.missing("the video record (props.initialState.video.data)")
        if video["data"] is None:
            return None
        if not isinstance(video["data"], dict):
            return self.missing("the video record (props.initialState.video.data is no object)")
        return dict(video["data"])

    async def _search(self, avid: str) -> str:
        """The first video link of the search whose href or text names the AVID."""
        results = await self.fetch(f"/search?keyword={quote(avid)}")
        link = results.link_naming(avid, "video?id=")
        if link is not None:
            return link.url
        raise NotOnSource(f"{self.NAME}: {avid} is not at /video?id={avid} and the search finds no video of it")

    def _title(self, page: Page, video: dict[str, Any], avid: str) -> str:
        title = _text(video.get("title")) or page.meta("og:title") or _SITE_SUFFIX.sub("", page.title() or "")
        return strip_avid(title or self.missing("the title"), avid)

    def _stream(self, video: dict[str, Any]) -> str:
        """The m3u8 among ``srcs`` (the others are embed players of file hosts)."""
        srcs = video.get("srcs")
        for entry in srcs if isinstance(srcs, list) else []:
            url = _text(entry) or next(filter(None, (_text(_dig(entry, key)) for key in _URL_KEYS)), "")
            if ".m3u8" in url:
                return url
        return str(self.missing("the stream URL (an m3u8 among video.data.srcs)"))


def _dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...``; None where a level is missing or no object."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(video: dict[str, Any]) -> str:
    """``sourceDate`` / ``videoDate`` ("2022-07-19T00:00:00.000Z") as YYYY-MM-DD; "" when neither is one."""
    for key in ("sourceDate", "videoDate"):
        match = _DATE.match(_text(video.get(key)))
        if match:
            return match.group(0)
    return ""


def _names(value: Any) -> tuple[str, ...]:
    """Names from a list of strings or ``{"name": ...}`` objects; of language-tagged ones the Chinese."""
    items = value if isinstance(value, list) else []
    names = [_text(item.get("name") if isinstance(item, dict) else item) for item in items]
    names = [name for name in names if name]
    chinese = [name[3:].strip() for name in names if name.startswith("zh:")]
    chosen = chinese or [_LANGUAGE_TAG.sub("", name).strip() for name in names]
    return tuple(dict.fromkeys(name for name in chosen if name))
