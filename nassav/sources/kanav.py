"""Kanav: a MacCMS site. Its search links to the play page, whose player JSON (``var player_aaaa``)
holds the stream URL, encoded as its ``encrypt`` field says."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from nassav.errors import NotOnSource
from nassav.sources.base import (
    Hit,
    Page,
    Source,
    decode_base64_text,
    percent_decoded,
    script_json,
    strip_avid,
)

_SITE_SUFFIX = re.compile(r"\s*(?:[-_|｜]\s*)?(?:在线播放|在线观看|免费观看)?\s*[-_|｜]\s*(?:kanav|看AV)\b.*$", re.I)
_JS_UNICODE_ESCAPE = re.compile(r"%u([0-9a-fA-F]{4})")


class KanavSource(Source):
    NAME = "Kanav"
    BASE_URLS = ("https://kanav.info",)

    async def find(self, avid: str) -> Hit:
        query = urlencode({"wd": avid, "by": "time_add"})
        results = await self.fetch(f"/index.php/vod/search.html?{query}")
        found = results.link_naming(avid, "/vod/play/")
        if found is None:
            raise NotOnSource(f"{self.NAME}: no search result names {avid}")
        page = await self.fetch(found.url)
        player = script_json(page, variable="player_aaaa")
        if not isinstance(player, dict):
            return self.missing("the player JSON (var player_aaaa)")
        stream = player_stream(player)
        if not stream or ".m3u8" not in stream.lower():
            return self.missing("the stream URL (player_aaaa.url)")
        return self.hit(
            avid,
            page,
            title=self._title(page, player, avid),
            stream_url=page.absolute(stream),
            cover_url=page.meta_url("og:image") or found.thumbnail,
        )

    def _title(self, page: Page, player: dict[str, Any], avid: str) -> str:
        """The player's ``vod_data.vod_name``, else og:title, an ``<h1>``, the ``<title>``: no site suffix."""
        vod_data = player.get("vod_data")
        vod_name = vod_data.get("vod_name") if isinstance(vod_data, dict) else None
        candidates = [vod_name if isinstance(vod_name, str) else None, page.meta("og:title"), *page.texts("//h1")]
        for candidate in [*candidates, page.title()]:
            title = _SITE_SUFFIX.sub("", candidate or "").strip()
            if title:
                return strip_avid(title, avid)
        return self.missing("the title")


def player_stream(player: dict[str, Any]) -> str | None:
    """The stream URL of a MacCMS player JSON, decoded as its player script does: ``encrypt`` 0 is the
    URL as it is, 1 is JavaScript ``escape()`` of it, 2 is base64 of that. Without the field, a value
    that is base64 is taken for encrypt 2 (a plain URL never is: ':' is not in the alphabet)."""
    url = player.get("url")
    if not isinstance(url, str) or not url.strip():
        return None
    encrypt = str(player.get("encrypt", "")).strip()
    if encrypt == "0":
        return url.strip()
    if encrypt == "1":
        return _unescape(url.strip())
    decoded = decode_base64_text(url)
    if encrypt == "2" and decoded is None:
        return None
    return _unescape(decoded if decoded is not None else url.strip())


def _unescape(value: str) -> str:
    """JavaScript ``unescape()``: ``%uXXXX`` (what ``escape()`` makes of non-Latin-1 text) and ``%XX``."""
    return percent_decoded(_JS_UNICODE_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), value))
