"""SQLite (aiosqlite): schema migrations and the small amount of state that is not a file.

Migrations are numbered by ``PRAGMA user_version``; each runs once, in a transaction, in order.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE cookies (
        source     TEXT PRIMARY KEY,
        cookie     TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
)


class Store:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    @classmethod
    async def open(cls, path: Path) -> Store:
        # aiosqlite logs every statement with its parameters at DEBUG, and parameters carry cookies.
        logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger("aiosqlite").level))
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA busy_timeout=5000")
            await _migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(db)

    async def close(self) -> None:
        await self._db.close()

    async def set_cookie(self, source: str, cookie: str) -> None:
        await self._db.execute(
            "INSERT INTO cookies (source, cookie, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(source) DO UPDATE SET cookie = excluded.cookie, updated_at = excluded.updated_at",
            (source, cookie, time.time()),
        )
        await self._db.commit()

    async def get_cookie(self, source: str) -> str | None:
        async with self._db.execute("SELECT cookie FROM cookies WHERE source = ?", (source,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else str(row[0])


async def _migrate(db: aiosqlite.Connection) -> None:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    if current > len(MIGRATIONS):
        raise RuntimeError(f"database schema version {current} is newer than this NASSAV ({len(MIGRATIONS)})")
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        log.info("migrating database to schema version %d", version)
        await db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
