"""The API key guard, an access log that never records a key, and the warning for
a server exposed without a key."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler
from yarl import URL

from nassav.errors import Unauthorized

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-Api-Key"
API_KEY_QUERY = "apikey"
# The documentation stays readable without a key: it holds no data.
PUBLIC_PREFIXES = ("/nassav/api/docs", "/nassav/api/openapi.json")

ACCESS_FORMAT = '%s "%s %s" %d %d %.1fms'

Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


def api_key_middleware(api_key: str) -> Middleware:
    expected = api_key.encode()

    @web.middleware
    async def require_api_key(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(PUBLIC_PREFIXES):
            supplied = request.headers.get(API_KEY_HEADER) or request.query.get(API_KEY_QUERY) or ""
            if not hmac.compare_digest(supplied.encode(), expected):
                raise Unauthorized("API 密钥无效或缺失" if supplied else "缺少 API 密钥")
        return await handler(request)

    return require_api_key


class MaskedTarget:
    """A request's path and query as the access log shows them: the API key masked however the client
    spelled it (%61pikey=). It is rendered only when the record is formatted, which under
    ``nassav serve`` happens in the log thread, not on the event loop; repr masks too, so no way of
    rendering a record shows the key."""

    __slots__ = ("_url",)

    def __init__(self, url: URL) -> None:
        self._url = url  # immutable: safe to render later, in another thread

    def __str__(self) -> str:
        # The query is read decoded (%61pikey is apikey) but shown encoded, as it came: a decoded %0A
        # would start a forged line in the log.
        if API_KEY_QUERY not in self._url.query:
            return str(self._url)
        return str(self._url.update_query({API_KEY_QUERY: "***"}))

    __repr__ = __str__


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access log, minus the API key a client may have put in the query string.

    It runs on the event loop after every request, so it does the least it can: one level check, then
    a record of raw values handed to the handlers. ``logger.info`` would look up its caller on the
    stack, and formatting (the %-format, the masking) waits for whoever writes the record."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        logger = self.logger
        if not logger.isEnabledFor(logging.INFO):
            return
        args = (request.remote, request.method, MaskedTarget(request.rel_url), response.status,
                response.body_length, time * 1000)  # fmt: skip
        logger.handle(logger.makeRecord(logger.name, logging.INFO, __file__, 0, ACCESS_FORMAT, args, None))


def warn_if_exposed(host: str, api_key: str) -> None:
    if api_key or _is_loopback(host):
        return
    log.warning(
        "listening on %s without an API key: anyone who can reach this address controls the library; "
        "set [server] api_key (or NASSAV_SERVER_API_KEY)",
        host,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
