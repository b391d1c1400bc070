"""The one upstream HTTP client: browser impersonation (the sites sit behind Cloudflare, which
fingerprints plain Python TLS), the configured proxy and timeout, each source's stored cookie read
at every request, bounded retries with backoff, a cap on response size, Cloudflare detection."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from nassav.errors import Blocked, NotOnSource, TransientUpstreamError, UpstreamError

if TYPE_CHECKING:  # config imports the sources, which import this client: no import back at run time
    from curl_cffi.requests import AsyncSession

    from nassav.config import HttpSettings

log = logging.getLogger(__name__)

IMPERSONATE = "chrome"
ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.8"
MAX_PAGE_BYTES = 8 * 1024 * 1024
RETRY_BACKOFF_S = (0.5, 1.5, 3.0)
_CHALLENGE = re.compile(rb"<title>\s*Just a moment\.\.\.|cf-chl|challenge-platform|cf_chl_opt", re.I)

CookieLookup = Callable[[str], Awaitable[str | None]]


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class HttpClient:
    def __init__(self, settings: HttpSettings, cookie_lookup: CookieLookup) -> None:
        self._settings = settings
        self._cookie_lookup = cookie_lookup
        self._session: AsyncSession[Any] | None = None

    def _opened(self) -> AsyncSession[Any]:
        """The curl session, made at the first request. curl is imported only then (here and in the
        methods that catch its errors): a service that only serves its library never loads it, and
        keeps the megabytes on a small NAS."""
        if self._session is None:
            from curl_cffi.requests import AsyncSession

            self._session = AsyncSession(
                impersonate=IMPERSONATE,
                proxy=self._settings.proxy or None,
                timeout=self._settings.timeout_seconds,
                max_clients=16,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(
        self,
        url: str,
        *,
        source: str | None = None,
        referer: str | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = MAX_PAGE_BYTES,
        peek: bool = False,
    ) -> Response:
        """GET ``url``; 404 is NotOnSource, a challenge is Blocked, other failures UpstreamError.

        ``source`` names whose cookie to send (looked up now, so a new cookie applies at once). A body
        over ``max_bytes`` is an error, unless ``peek``: then only its first ``max_bytes`` are read.
        """
        if urlsplit(url).scheme not in ("http", "https"):  # pages must not point us at file:// and the like
            raise UpstreamError(f"refusing to fetch a non-HTTP URL: {url[:80]}")
        request_headers = {"Accept-Language": ACCEPT_LANGUAGE, **(headers or {})}
        if referer:
            request_headers["Referer"] = referer
        cookie = await self._cookie_lookup(source) if source else None
        if cookie:
            request_headers["Cookie"] = cookie
        for attempt, backoff_s in enumerate((*RETRY_BACKOFF_S[: self._settings.retries], None)):
            try:
                fetch = self._peek if peek else self._fetch
                return _judge(await fetch(url, request_headers, max_bytes), source)
            except TransientUpstreamError as exc:
                if backoff_s is None:
                    raise UpstreamError(exc.message) from None
                log.info("GET %s failed (%s); retry %d in %.1fs", _host(url), exc.message, attempt + 1, backoff_s)
                await asyncio.sleep(backoff_s)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    async def _peek(self, url: str, headers: Mapping[str, str], max_bytes: int) -> Response:
        """The first ``max_bytes`` of a body: the transfer is aborted there (an origin that ignores
        Range would otherwise send a whole segment first)."""
        from curl_cffi.curl import CURL_WRITEFUNC_ERROR
        from curl_cffi.requests.exceptions import RequestException

        session = self._opened()
        received = bytearray()

        def collect(chunk: bytes) -> int | None:
            received.extend(chunk)
            return CURL_WRITEFUNC_ERROR if len(received) >= max_bytes else None

        try:
            response = await session.get(url, headers=dict(headers), content_callback=collect, discard_cookies=True)
        except RequestException as exc:
            response = getattr(exc, "response", None)
            if response is None or len(received) < max_bytes:  # a real failure, not our abort
                raise TransientUpstreamError(f"{_host(url)} unreachable: {_curl_reason(exc)}") from None
        except (ValueError, UnicodeError) as exc:
            raise UpstreamError(f"cannot request {_host(url)}: {type(exc).__name__}") from None
        head = bytes(received[:max_bytes])
        return Response(str(response.url), response.status_code, dict(response.headers), head)

    async def _fetch(self, url: str, headers: Mapping[str, str], max_bytes: int) -> Response:
        from curl_cffi.requests.exceptions import RequestException

        session = self._opened()
        try:
            response = await session.get(url, headers=dict(headers), stream=True, discard_cookies=True)
        except RequestException as exc:
            raise TransientUpstreamError(f"{_host(url)} unreachable: {_curl_reason(exc)}") from None
        except (ValueError, UnicodeError) as exc:  # a header or URL curl cannot send as it is
            raise UpstreamError(f"cannot request {_host(url)}: {type(exc).__name__}") from None
        try:
            chunks: list[bytes] = []
            received = 0
            async for chunk in response.aiter_content():
                received += len(chunk)
                chunks.append(chunk)
                if received > max_bytes:
                    raise UpstreamError(f"{_host(url)} sent more than {max_bytes} bytes")
        except RequestException as exc:
            raise TransientUpstreamError(f"{_host(url)} broke off: {_curl_reason(exc)}") from None
        finally:
            await response.aclose()
        return Response(str(response.url), response.status_code, dict(response.headers), b"".join(chunks))


def _judge(response: Response, source: str | None) -> Response:
    if response.status in (403, 429, 503) and (
        _CHALLENGE.search(response.content[:65536]) or response.headers.get("cf-mitigated") == "challenge"
    ):
        raise Blocked(
            f"blocked by Cloudflare at {response.url}: set a cf_clearance cookie for {source or 'this site'}"
            " (POST /nassav/api/source/cookie) or configure [http] proxy"
        )
    if response.status in (404, 410):
        raise NotOnSource(f"{response.url} answered HTTP {response.status}")
    if response.status >= 500:
        raise TransientUpstreamError(f"{_host(response.url)} answered HTTP {response.status}")
    if response.status >= 400:
        raise UpstreamError(f"{response.url} answered HTTP {response.status}")
    return response


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _curl_reason(exc: Exception) -> str:
    """curl's message without the URL's query string, which may carry tokens."""
    text = str(exc).split(" See https://curl.se/", 1)[0]
    return re.sub(r"\?\S*", "?…", text)[:200]
