"""The API key guard, and the warning for a server exposed without a key. (The access log, which
never records a key, is access_log.py.)"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Callable

from aiohttp import web

from nassav.errors import Unauthorized

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-Api-Key"
API_KEY_QUERY = "apikey"
# The documentation and the web page's own files stay readable without a key: they hold no data.
PUBLIC_PREFIXES = ("/nassav/api/docs", "/nassav/api/openapi.json", "/nassav/ui/")
PUBLIC_PATHS = frozenset({"/nassav", "/nassav/"})


def api_key_check(api_key: str) -> Callable[[web.Request], None]:
    """What every request passes when a key is configured: Unauthorized without the right key."""
    expected = api_key.encode()

    def check(request: web.Request) -> None:
        if request.path not in PUBLIC_PATHS and not request.path.startswith(PUBLIC_PREFIXES):
            supplied = request.headers.get(API_KEY_HEADER) or request.query.get(API_KEY_QUERY) or ""
            if not hmac.compare_digest(supplied.encode(), expected):
                raise Unauthorized("API 密钥无效或缺失" if supplied else "缺少 API 密钥")

    return check


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
