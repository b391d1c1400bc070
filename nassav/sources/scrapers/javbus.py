"""JavBus-style metadata pages at ``{mirror}/{AVID}``, the configured mirrors tried in order.

The labels are Traditional Chinese on every mirror (導演:, 製作商:, ...); the description meta holds
the release date and length. Values are stored in the contract's simplified form (``N分钟``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nassav.errors import NotOnSource, UpstreamError
from nassav.http import HttpClient
from nassav.library.model import Metadata
from nassav.sources.base import Page, under

if TYPE_CHECKING:  # config takes its default mirrors from here: no import back at run time
    from nassav.config import ScraperSettings

log = logging.getLogger(__name__)

# The known mirrors, in the order they are tried by default (config.py's [scraper] defaults).
MIRRORS: dict[str, str] = {
    "javbus": "https://www.javbus.com",
    "busdmm": "https://www.busdmm.ink",
    "dmmsee": "https://www.dmmsee.bond",
}
COOKIES = "age=verified; existmag=mag"
_LABELS = {"director": "導演", "studio": "製作商", "label": "發行商", "series": "系列"}


@dataclass(frozen=True, kw_only=True)
class Scraped:
    """A mirror's page of an AVID: its metadata, and where its large cover is."""

    metadata: Metadata
    page_url: str
    cover_url: str = ""


async def scrape(http: HttpClient, mirrors: Sequence[ScraperSettings], avid: str) -> Scraped:
    """Metadata from the first mirror that has the AVID; UpstreamError naming each mirror's failure."""
    failures = []
    for mirror in mirrors:
        url = under(mirror.base_url, avid)
        try:
            response = await http.get(url, headers={"Cookie": COOKIES})
            metadata = parse(Page(response.url, response.text), avid)
        except UpstreamError as exc:
            failures.append(f"{mirror.name}: {exc.message}")
            continue
        return metadata
    raise UpstreamError("metadata not found: " + "; ".join(failures or ["no mirror configured"]))


def parse(page: Page, avid: str) -> Scraped:
    """Read a JavBus-style page; NotOnSource when it is not the page of ``avid``."""
    code = page.texts('//span[@class="header"][starts-with(normalize-space(.), "識別碼")]/following-sibling::span')
    if not code or code[0].upper() != avid:
        raise NotOnSource(f"{page.url} is not the page of {avid}")
    description = page.meta("description") or ""
    release = re.search(r"【發行日期】\s*(\d{4}-\d{2}-\d{2})", description)
    minutes = re.search(r"【長度】\s*(\d+)\s*分鐘", description)
    big_cover = page.doc.xpath('//a[contains(concat(" ", @class, " "), " bigImage ")]/@href')
    headings = page.texts("//h3")
    metadata = Metadata(
        title=headings[0] if headings else "",
        release_date=release.group(1) if release else "",
        duration=f"{minutes.group(1)}分钟" if minutes else "",
        genres=tuple(dict.fromkeys(page.texts('//span[@class="genre"]//a[contains(@href, "/genre/")]'))),
        actors=_actors(page),
        **{field: _labelled(page, label) for field, label in _LABELS.items()},
    )
    return Scraped(metadata=metadata, page_url=page.url, cover_url=page.absolute(big_cover[0]) if big_cover else "")


def _labelled(page: Page, label: str) -> str:
    """The text of the link after a ``<span class="header">導演:</span>`` row label."""
    path = f'//p[span[@class="header"][starts-with(normalize-space(.), "{label}")]]/a'
    values = page.texts(path)
    return values[0] if values else ""


def _actors(page: Page) -> tuple[str, ...]:
    """Full names from the avatar images' title (the visible text may be cut short)."""
    names = page.texts('//a[contains(@class, "avatar-box")]//img/@title')
    if not names:
        names = page.texts('//div[contains(@class, "star-name")]//a') or page.texts(
            '//span[@class="genre"]//a[contains(@href, "/star/")]'
        )
    return tuple(dict.fromkeys(names))
