"""MissAV: the first of several candidate pages that exists; the stream's uuid hides in a packed script.

The page carries ``eval(function(p,a,c,k,e,d){...}('...',N,N,'...'.split('|'),0,{}))``; unpacked it
names ``https://surrit.com/{uuid}/playlist.m3u8``. Only the uuid matters: the stream is
``{cdn_url}/{uuid}/playlist.m3u8`` with the CDN from configuration. When the unpacked text does not
name it, the uuid is read from the packed word list: the run of hex words right after ``m3u8``
(before ``com|surrit|https|video``), reversed and joined with ``-``.
"""

from __future__ import annotations

import re

from nassav.sources.base import Hit, Page, Source, packed_words, strip_avid, unpack_packed

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_PLAYLIST = re.compile(rf"https?://[^\s'\"/]+/(?P<uuid>{_UUID})/playlist\.m3u8", re.I)
_HEX_WORD = re.compile(r"[0-9a-f]+", re.I)
_SITE_SUFFIX = re.compile(r"\s+-\s+MissAV\b.*$", re.I)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class MissAVSource(Source):
    NAME = "MissAV"
    BASE_URLS = ("https://missav.ai",)
    CDN_URL = "https://surrit.com"

    async def find(self, avid: str) -> Hit:
        slug = avid.lower()
        page = await self.fetch_first(
            (
                f"/cn/{slug}-chinese-subtitle",
                f"/{slug}-chinese-subtitle",
                f"/cn/{slug}",
                f"/cn/{slug}-uncensored-leak",
                f"/{slug}",
            )
        )
        uuid = (
            uuid_from_unpacked(unpack_packed(page.text) or "")
            or uuid_from_words(packed_words(page.text) or [])
            or self.missing("the stream uuid (packed player script)")
        )
        return self.hit(
            avid,
            page,
            title=self._title(page, avid),
            stream_url=self.cdn(f"{uuid}/playlist.m3u8"),
            cover_url=page.meta_url("og:image"),
            release_date=_release_date(page),
            duration=_duration(page),
        )

    def _title(self, page: Page, avid: str) -> str:
        title = page.meta("og:title") or _SITE_SUFFIX.sub("", page.title() or "")
        return strip_avid(title or self.missing("the title (og:title)"), avid)


def uuid_from_unpacked(script: str) -> str | None:
    """The uuid of the first ``https://<host>/{uuid}/playlist.m3u8`` in an unpacked script."""
    match = _PLAYLIST.search(script)
    return match.group("uuid").lower() if match else None


def uuid_from_words(words: list[str]) -> str | None:
    """The uuid from a packed word list: the hex words after ``m3u8``, reversed, joined with ``-``."""
    if "m3u8" not in words:
        return None
    run: list[str] = []
    for word in words[words.index("m3u8") + 1 :]:
        if not _HEX_WORD.fullmatch(word):
            break
        run.append(word)
    candidate = "-".join(reversed(run)).lower()
    return candidate if re.fullmatch(_UUID, candidate) else None


def _release_date(page: Page) -> str:
    match = _DATE.search(page.meta("og:video:release_date") or "")
    return match.group(0) if match else ""


def _duration(page: Page) -> str:
    """``og:video:duration`` is in seconds; stored as whole minutes, ``N分钟``."""
    seconds = page.meta("og:video:duration") or ""
    return f"{round(int(seconds) / 60)}分钟" if seconds.isascii() and seconds.isdigit() else ""
