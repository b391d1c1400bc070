"""The API key: the check every request passes, and the key a server reachable from the network gets
when none is configured. (The access log, which never records a key, is access_log.py.)"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from nassav.errors import StartupError, Unauthorized
from nassav.handlers import DOCS, OPENAPI, PAGE, PAGE_FILES

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-Api-Key"
API_KEY_QUERY = "apikey"
# The documentation and the web page's own files stay readable without a key: they hold no data.
PUBLIC_PREFIXES = (DOCS, OPENAPI, PAGE_FILES)
PUBLIC_PATHS = frozenset({PAGE, PAGE.rstrip("/")})


def api_key_check(api_key: str) -> Callable[[web.Request], None]:
    """What every request passes when a key is configured: Unauthorized without the right key."""
    expected = api_key.encode()

    def check(request: web.Request) -> None:
        if request.path not in PUBLIC_PATHS and not request.path.startswith(PUBLIC_PREFIXES):
            supplied = request.headers.get(API_KEY_HEADER) or request.query.get(API_KEY_QUERY) or ""
            if not hmac.compare_digest(supplied.encode(), expected):
                raise Unauthorized("API 密钥无效或缺失" if supplied else "缺少 API 密钥")

    return check


def key_file_for(database: Path) -> Path:
    """Where a generated key is kept: beside the database, readable by the service's user only."""
    return database.with_name(f"{database.stem}.api-key")


def known_key(api_key: str, database: Path) -> str:
    """The key clients must send: the configured one, else the one generated at an earlier start."""
    return api_key or generated_key(database)


def generated_key(database: Path) -> str:
    """The key generated at an earlier start, or "" when there is none (or it cannot be read)."""
    try:
        return key_file_for(database).read_text("utf-8").strip()
    except OSError:
        return ""


def exposed_key(host: str, api_key: str, database: Path) -> str:
    """The key to serve with. A server reachable from the network with no key configured would hand
    the library to anyone on it: it gets one, generated once and kept in a file only its user can read
    (the log says where, never the key). On loopback alone no key is needed, as before."""
    if api_key or _is_loopback(host):
        return api_key
    key_file = key_file_for(database)
    key = generated_key(database)
    if not key:
        key = secrets.token_urlsafe(24)
        try:
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
                fh.write(key + "\n")
        except OSError as exc:
            raise StartupError(f"cannot keep a generated API key in {key_file}: {exc.strerror or exc}") from None
    log.warning(
        "listening on %s with no [server] api_key: clients need the key kept in %s (`nassav api-key` prints it)",
        host,
        key_file,
    )
    return key


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
