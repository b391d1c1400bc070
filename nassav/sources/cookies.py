"""Per-source cookies (e.g. a cf_clearance), persisted in SQLite. Never logged, never echoed."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from nassav.errors import NotFound, UnknownSource
from nassav.sources.registry import SourceCatalog
from nassav.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredCookie:
    """What may be told about a stored cookie: whose it is, how long, since when (never its value)."""

    source: str
    length: int
    updated_at: float


class Cookies:
    def __init__(self, store: Store, catalog: SourceCatalog) -> None:
        self._store = store
        self._catalog = catalog

    def _resolve(self, source: str) -> str:
        try:
            return self._catalog.resolve(source)
        except UnknownSource as exc:  # the contract answers an unknown source here with 404
            raise NotFound(exc.message, data=exc.data) from None

    async def set(self, source: str, cookie: str) -> str:
        """Store the cookie for ``source``; return the source's canonical name."""
        name = self._resolve(source)
        await self._store.set_cookie(name, cookie.strip())
        log.info("cookie for %s updated (%d characters)", name, len(cookie))
        return name

    async def get(self, source: str) -> str | None:
        return await self._store.get_cookie(self._catalog.resolve(source))

    async def stored(self) -> list[StoredCookie]:
        return [StoredCookie(*row) for row in await self._store.list_cookies()]

    async def delete(self, source: str) -> str:
        """Forget the cookie of ``source`` (the next request goes without it); return the source's
        canonical name. NotFound for a name we do not know (as ``set`` answers) or when none is set."""
        name = self._resolve(source)
        if not await self._store.delete_cookie(name):
            raise NotFound(f"源 {name} 没有设置 Cookie")
        log.info("cookie for %s deleted", name)
        return name
