"""SQLite (aiosqlite): schema migrations and the small amount of state that is not a file.

Migrations are numbered by ``PRAGMA user_version``; each runs once, in a transaction, in order.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import aiosqlite

from nassav.downloads.tasks import TASK_COLUMNS, Task

log = logging.getLogger(__name__)

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE cookies (
        source     TEXT PRIMARY KEY,
        cookie     TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
    """
    CREATE TABLE tasks (
        id               TEXT PRIMARY KEY,
        avid             TEXT NOT NULL,
        status           TEXT NOT NULL,
        percent          REAL NOT NULL DEFAULT 0,
        done_segments    INTEGER,
        total_segments   INTEGER,
        downloaded_bytes INTEGER,
        total_bytes      INTEGER,
        speed_bps        REAL,
        eta_s            REAL,
        engine           TEXT NOT NULL DEFAULT '',
        attempts         INTEGER NOT NULL DEFAULT 0,
        error            TEXT NOT NULL DEFAULT '',
        file_size        INTEGER,
        created_at       REAL NOT NULL,
        started_at       REAL,
        finished_at      REAL
    );
    CREATE INDEX tasks_by_status ON tasks (status, created_at);
    """,
    """
    CREATE TABLE marks (
        avid        TEXT PRIMARY KEY,
        watched     INTEGER NOT NULL DEFAULT 0,
        is_favorite INTEGER NOT NULL DEFAULT 0,
        updated_at  REAL NOT NULL
    );
    CREATE TABLE preferences (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
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

    async def load_marks(self) -> dict[str, tuple[bool, bool]]:
        """Every resource's (watched, is_favorite), for the ones that have either."""
        rows = await self._rows("SELECT avid, watched, is_favorite FROM marks")
        return {str(avid): (bool(watched), bool(favorite)) for avid, watched, favorite in rows}

    async def save_mark(self, avid: str, watched: bool, is_favorite: bool) -> None:
        if watched or is_favorite:
            await self._db.execute(
                "INSERT INTO marks (avid, watched, is_favorite, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(avid) DO UPDATE SET watched = excluded.watched, "
                "is_favorite = excluded.is_favorite, updated_at = excluded.updated_at",
                (avid, int(watched), int(is_favorite), time.time()),
            )
        else:  # nothing noted: no row
            await self._db.execute("DELETE FROM marks WHERE avid = ?", (avid,))
        await self._db.commit()

    async def load_preferences(self) -> dict[str, str]:
        """The front ends' display settings: each key's JSON text."""
        return {str(key): str(value) for key, value in await self._rows("SELECT key, value FROM preferences")}

    async def save_preferences(self, values: dict[str, str]) -> None:
        now = time.time()
        await self._db.executemany(
            "INSERT INTO preferences (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [(key, value, now) for key, value in values.items()],
        )
        await self._db.commit()

    async def save_task(self, task: Task) -> None:
        values = [getattr(task, column) for column in TASK_COLUMNS]
        await self._db.execute(_UPSERT_TASK, values)
        await self._db.commit()

    async def load_tasks(self, *, live_only: bool = False, history: int = 200) -> list[Task]:
        """Live tasks in submission order, then (unless live_only) the most recent finished ones."""
        columns = ", ".join(TASK_COLUMNS)
        live = f"SELECT {columns} FROM tasks WHERE status IN ('pending', 'running') ORDER BY created_at"
        rows = await self._rows(live)
        if not live_only:
            done = f"SELECT {columns} FROM tasks WHERE status NOT IN ('pending', 'running') ORDER BY created_at DESC"
            rows += await self._rows(f"{done} LIMIT ?", history)
        return [Task.from_row(dict(zip(TASK_COLUMNS, row, strict=True))) for row in rows]

    async def _rows(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        async with self._db.execute(sql, params) as cursor:
            return [tuple(row) for row in await cursor.fetchall()]

    async def list_cookies(self) -> list[tuple[str, int, float]]:
        """Each stored cookie's source, length and time of setting: never the cookie, which does not
        even leave the database here."""
        async with self._db.execute("SELECT source, length(cookie), updated_at FROM cookies ORDER BY source") as cursor:
            return [(str(source), int(length), float(when)) for source, length, when in await cursor.fetchall()]

    async def delete_cookie(self, source: str) -> bool:
        """Remove the cookie of ``source``; False when it had none."""
        async with self._db.execute("DELETE FROM cookies WHERE source = ?", (source,)) as cursor:
            deleted = cursor.rowcount > 0
        await self._db.commit()
        return deleted


_UPSERT_TASK = (
    f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) VALUES ({', '.join('?' for _ in TASK_COLUMNS)}) "
    f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in TASK_COLUMNS if c != 'id')}"
)


async def _migrate(db: aiosqlite.Connection) -> None:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    if current > len(MIGRATIONS):
        raise RuntimeError(f"database schema version {current} is newer than this NASSAV ({len(MIGRATIONS)})")
    for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
        log.info("migrating database to schema version %d", version)
        await db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
