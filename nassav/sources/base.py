"""The Source interface and the extraction helpers every site module shares.

A site module subclasses ``Source``, sets ``NAME`` and implements ``find(avid) -> Hit``, reading top to
bottom. Lookups have three outcomes, as the caller chooses: a ``default`` (silent), fatal (a typed
``ExtractFailed`` "unable to extract <what>"), or non-fatal (a warning and None). What a hit must have
(title, stream URL) is strict; everything else is tolerant.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urljoin, urlsplit

from nassav.downloads.hls import best_variant as best_variant  # re-exported: site modules import only base
from nassav.errors import ExtractFailed, NotOnSource
from nassav.http import HttpClient
from nassav.library.model import Metadata

if TYPE_CHECKING:  # config derives its defaults from the source classes: no import back at run time
    import lxml.html

    from nassav.config import SourceSettings

log = logging.getLogger(__name__)

_FATAL: Any = object()


@dataclass(frozen=True, kw_only=True)
class Hit(Metadata):
    """What a source found for an AVID: the catalogue facts its page gives (the title at least), and
    the stream. ``stream_headers`` are what fetching the stream needs."""

    source: str
    avid: str
    stream_url: str
    page_url: str
    page_html: str
    cover_url: str = ""
    stream_headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    url: str  # absolute
    label: str  # the link's own text, title and alt values: never the text around it (it may echo the query)
    thumbnail: str = ""  # absolute URL of the first image inside it


class Page:
    """A fetched page: its final URL, its text, and lazily its parsed document."""

    def __init__(self, url: str, text: str) -> None:
        self.url = url
        self.text = text

    @cached_property
    def doc(self) -> lxml.html.HtmlElement:
        # lxml is imported at the first page parsed: a service that only serves its library never
        # loads it (megabytes a small NAS keeps).
        import lxml.html

        try:
            return lxml.html.document_fromstring(self.text or "<html></html>")
        except ValueError:  # lxml refuses text that starts with an XML declaration: give it bytes
            return _parse_bytes(self.text.encode("utf-8"))
        except lxml.etree.ParserError:
            return lxml.html.document_fromstring("<html></html>")

    def absolute(self, link: str) -> str:
        """Resolve a link (absolute, root-relative or relative) against this page's URL."""
        return urljoin(self.url, html.unescape(link.strip()))

    def meta(self, name: str) -> str | None:
        """``<meta property|name=...>`` content (og:title, og:image, description, ...)."""
        for node in self.doc.iter("meta"):
            if name in (node.get("property"), node.get("name")) and node.get("content"):
                return str(node.get("content")).strip()
        return None

    def meta_url(self, name: str) -> str:
        """A ``<meta>`` that holds a link (og:image, ...), made absolute; "" when absent."""
        value = self.meta(name)
        return self.absolute(value) if value else ""

    def title(self) -> str | None:
        node = self.doc.find(".//title")
        text = node.text_content().strip() if node is not None else ""
        return text or None

    def texts(self, xpath: str) -> list[str]:
        """Non-empty stripped text of every node (or attribute value) an XPath selects."""
        found = self.doc.xpath(xpath)
        values = [item if isinstance(item, str) else item.text_content() for item in found]
        return [" ".join(value.split()) for value in values if value and value.strip()]

    def links(self, contains: str = "") -> list[str]:
        """Absolute URLs of every ``<a href>`` whose href contains ``contains``, in page order."""
        return [self.absolute(href) for href in self.doc.xpath("//a/@href") if contains in href]

    def result_links(self, contains: str) -> list[Link]:
        """Every ``<a href>`` whose href contains ``contains``, in page order."""
        found = []
        for anchor in self.doc.xpath("//a[@href]"):
            href = anchor.get("href")
            if contains not in href:
                continue
            label = " ".join([href, anchor.text_content(), *anchor.xpath("descendant-or-self::*/@title | .//img/@alt")])
            # Lazy-loading pages keep the real image in data-* and a placeholder in src.
            thumbs = [img.get("data-original") or img.get("data-src") or img.get("src") for img in anchor.iter("img")]
            thumb = next((t for t in thumbs if t), "")
            found.append(Link(self.absolute(href), " ".join(label.split()), self.absolute(thumb) if thumb else ""))
        return found

    def link_naming(self, avid: str, contains: str) -> Link | None:
        """The first link (href containing ``contains``) that names ``avid`` in its href or own label.

        Search pages also list other videos (hot lists, fuzzy matches sorted by popularity), so the
        first result alone is never trusted. The thumbnail may sit in another link to the same URL.
        """
        links = self.result_links(contains)
        for link in links:
            if avid_in(link.label, avid):
                thumbnail = next((other.thumbnail for other in links if other.url == link.url and other.thumbnail), "")
                return Link(link.url, link.label, thumbnail)
        return None


def _parse_bytes(data: bytes) -> lxml.html.HtmlElement:
    import lxml.html

    try:
        return lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (ValueError, lxml.etree.ParserError):
        return lxml.html.document_fromstring("<html></html>")


class Source:
    NAME: ClassVar[str]
    BASE_URLS: ClassVar[tuple[str, ...]]  # the site's known addresses; the first is the default
    CDN_URL: ClassVar[str | None] = None  # the stream host, for sites whose stream URL is built, not read

    def __init__(self, http: HttpClient, settings: SourceSettings) -> None:
        self.http = http
        self.base_url = settings.base_url
        self.cdn_url = settings.cdn_url

    async def find(self, avid: str) -> Hit:
        raise NotImplementedError

    # --- fetching -----------------------------------------------------------------------------

    def url(self, link: str) -> str:
        """A link of the site made absolute under its configured address, path included."""
        return under(self.base_url, link)

    def cdn(self, link: str) -> str:
        """A link on the source's configured stream host (``cdn_url``), path included."""
        return under(self.cdn_url, link)

    def owns(self, url: str) -> bool:
        """Whether ``url`` is on this site as configured: same origin, under the configured path."""
        return is_under(url, self.base_url)

    async def fetch(self, link: str, *, referer: str | None = None) -> Page:
        """GET a page (a link relative to the base URL, or absolute); the site's cookie goes to the
        site itself only, never to an embed or search result elsewhere."""
        url = self.url(link)
        response = await self.http.get(url, source=self.NAME if self.owns(url) else None, referer=referer)
        return Page(response.url, response.text)

    async def fetch_first(self, links: Iterable[str]) -> Page:
        """The first of several candidate pages that exists; NotOnSource when none does."""
        misses = []
        for link in links:
            try:
                return await self.fetch(link)
            except NotOnSource as exc:
                misses.append(exc.message)
        raise NotOnSource(f"{self.NAME}: no page found ({'; '.join(misses)})")

    # --- lookups ------------------------------------------------------------------------------

    def search(
        self,
        pattern: str | re.Pattern[str],
        text: str,
        what: str,
        *,
        group: int | str = 1,
        default: Any = _FATAL,
        fatal: bool = True,
    ) -> Any:
        """The first match of ``pattern`` (HTML entities decoded, stripped)."""
        match = re.search(pattern, text)
        if match and match.group(group):
            return html.unescape(match.group(group)).strip()
        return self.missing(what, default=default, fatal=fatal)

    def missing(self, what: str, *, default: Any = _FATAL, fatal: bool = True) -> Any:
        if default is not _FATAL:
            return default
        if fatal:
            raise ExtractFailed(f"{self.NAME}: unable to extract {what} (the page layout may have changed)")
        log.warning("%s: unable to extract %s", self.NAME, what)
        return None

    def hit(self, avid: str, page: Page, **found: Any) -> Hit:
        """A Hit from ``page``; the stream is fetched with this site as Referer unless told otherwise.

        A page that never names the AVID is another video's (sites answer unknown codes with a
        related or popular one): that is a miss, not a hit."""
        if not (avid_in(str(found.get("title", "")), avid) or avid_in(page.text, avid)):
            raise NotOnSource(f"{self.NAME}: the page at {page.url} is about another video")
        if not found.get("title"):
            self.missing("the title")
        found.setdefault("stream_headers", {"Referer": self.base_url + "/"})
        return Hit(source=self.NAME, avid=avid, page_url=page.url, page_html=page.text, **found)


def under(address: str, link: str) -> str:
    """``link`` (absolute, or a path of the site) under a configured ``address``.

    A configured address may carry a path (a mirror behind a path-based reverse proxy): a path of the
    site goes below it, where ``urljoin`` would drop it. Links read from pages use ``Page.absolute``.
    """
    if urlsplit(link).scheme:
        return link
    return address.rstrip("/") + "/" + link.lstrip("/")


_SAME_OR_SAFER = {("http", "http"), ("https", "https"), ("https", "http")}


def is_under(url: str, address: str) -> bool:
    """Same host as ``address``, and a path at or below its path (whole segments only); the scheme the
    same, or https where the address says http (a site that moved to https), never the other way."""
    target, base = urlsplit(url), urlsplit(address)
    if target.netloc.lower() != base.netloc.lower() or (target.scheme, base.scheme) not in _SAME_OR_SAFER:
        return False
    prefix = base.path.rstrip("/")
    return not prefix or target.path == prefix or target.path.startswith(prefix + "/")


# --- helpers for what pages hide -------------------------------------------------------------------

_PACKED = re.compile(
    r"}\s*\(\s*'(?P<p>(?:\\.|[^'\\])*)'\s*,\s*(?P<a>\d+)\s*,\s*(?P<c>\d+)\s*,"
    r"\s*'(?P<k>(?:\\.|[^'\\])*)'\s*\.split\(\s*'\|'\s*\)"
)
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def packed_words(text: str) -> list[str] | None:
    """The word list of a ``eval(function(p,a,c,k,e,d){...}(...))`` packed script, if there is one."""
    match = _PACKED.search(text)
    return match.group("k").split("|") if match else None


def unpack_packed(text: str) -> str | None:
    """Unpack the first p,a,c,k,e,d packed script in ``text``; None when there is none."""
    match = _PACKED.search(text)
    if not match:
        return None
    payload = match.group("p").replace("\\'", "'").replace("\\\\", "\\")
    radix = int(match.group("a"))
    words = match.group("k").split("|")

    def replace(token: re.Match[str]) -> str:
        index = _parse_radix(token.group(0), radix)
        if index is None or index >= len(words) or not words[index]:
            return token.group(0)
        return words[index]

    return re.sub(r"\b\w+\b", replace, payload)


def _parse_radix(token: str, radix: int) -> int | None:
    value = 0
    for char in token:
        digit = _DIGITS.find(char)
        if digit < 0 or digit >= radix:
            return None
        value = value * radix + digit
    return value


def script_json(page: Page, *, element_id: str | None = None, variable: str | None = None) -> Any:
    """JSON inside ``<script id=...>`` or assigned as ``var NAME = {...}``; None when absent or invalid."""
    raw: str | None = None
    if element_id is not None:
        nodes = page.doc.xpath(f'//script[@id="{element_id}"]')
        raw = nodes[0].text_content() if nodes else None
    elif variable is not None:
        match = re.search(rf"\b{re.escape(variable)}\s*=\s*(\{{.*?\}})\s*(?:;|</script>)", page.text, re.S)
        raw = match.group(1) if match else None
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def decode_base64_text(value: str) -> str | None:
    """Standard base64 (padding optional) to text; None when it is not base64 of UTF-8."""
    cleaned = value.strip()
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def percent_decoded(value: str) -> str:
    """Undo URL percent-encoding, repeatedly, as some players double-encode."""
    for _ in range(3):
        decoded = unquote(value)
        if decoded == value:
            break
        value = decoded
    return value


def avid_in(text: str, avid: str) -> bool:
    """Whether ``text`` names ``avid``: case and separators ignored (``ssis469``, ``SSIS_469``), but not
    a longer code that contains it (SSIS-4690, XSSIS-469)."""
    parts = (re.escape(part) for part in re.split(r"[-_]", avid))
    pattern = r"(?<![A-Za-z0-9])" + r"[-_\s]*".join(parts) + r"(?![0-9])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def strip_avid(title: str, avid: str) -> str:
    """``SSIS-469 Some title`` -> ``Some title``; a title that is only the AVID stays as it is."""
    stripped = re.sub(rf"^\s*\[?{re.escape(avid)}\]?\s*[-:：]?\s*", "", title, flags=re.I)
    return stripped or title
