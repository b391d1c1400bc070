"""Locks and claims.

- ``DownloadLock``: one download at a time. An asyncio.Lock in this process and, with Redis, a lease
  shared by every instance: a random token, a TTL renewed while held, released by compare-and-delete
  (a holder that stalled past its TTL cannot delete a successor's lease).
- ``TaskClaims``: one live task per AVID across instances, as a ``SET NX`` key whose TTL is refreshed
  while the task lives, so a crashed instance's claims expire by themselves.

Redis is a helper here, never a dependency: any failure of it (refused, closed, timed out, BUSY,
READONLY, ...) leaves this instance's own guarantees (the asyncio lock, the in-process table) in
charge, is logged as Redis being unreachable, and is repaired by the renewal and the keeper once
Redis answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from nassav.errors import LockTimeout

if TYPE_CHECKING:
    import redis.asyncio as aioredis

log = logging.getLogger(__name__)

# Redis key names, after the configured prefix.
LOCK_KEY = "download-lock"
CLAIM_KEY = "task:{avid}"
LEASE_POLL_S = 0.2

_COMPARE_AND_DELETE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_COMPARE_AND_EXPIRE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


def redis_failures(redis: aioredis.Redis | None) -> tuple[type[Exception], ...]:
    """What a call to ``redis`` can raise when Redis is away or unwell: redis-py wraps most socket
    errors, not all (TimeoutError, the budget below running out, is an OSError). Without Redis there
    are no calls to fail, and the client library is never loaded (megabytes a NAS keeps)."""
    if redis is None:
        return ()
    from redis.exceptions import RedisError

    return (RedisError, OSError)


# A claim or release answers a client: a Redis that drops packets must not hold it for the client
# library's retries and timeouts added up.
CALL_BUDGET_S = 2.0


def _unreachable(doing: str, exc: Exception) -> None:
    log.warning("Redis is unreachable (%s: %s); this instance goes on alone until it is back", doing, exc)


class DownloadLock:
    def __init__(self, redis: aioredis.Redis | None, *, prefix: str, ttl_s: int, wait_s: float) -> None:
        self._local = asyncio.Lock()
        self._redis = redis
        self._failures = redis_failures(redis)
        self._key = prefix + LOCK_KEY
        self._ttl_ms = ttl_s * 1000
        self._wait_s = wait_s

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        deadline = time.monotonic() + self._wait_s
        try:
            async with asyncio.timeout(self._wait_s):
                await self._local.acquire()
        except TimeoutError:
            raise LockTimeout(f"the download lock was busy for {self._wait_s:.0f}s") from None
        try:
            if self._redis is None:
                yield
                return
            token = await self._take_lease(self._redis, deadline)
            renewal = asyncio.create_task(self._renew(self._redis, token), name="nassav-lock-renewal")
            try:
                yield
            finally:
                renewal.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewal
                try:
                    await asyncio.shield(self._redis.eval(_COMPARE_AND_DELETE, 1, self._key, token))
                except self._failures as exc:  # the lease expires by itself
                    _unreachable("releasing the download lock", exc)
        finally:
            self._local.release()

    async def _take_lease(self, redis: aioredis.Redis, deadline: float) -> str:
        token = secrets.token_hex(16)
        while True:
            try:
                if await redis.set(self._key, token, nx=True, px=self._ttl_ms):
                    return token
            except self._failures as exc:
                # Waiting for Redis would stop every download; the renewal takes the lease once it is back.
                _unreachable("taking the download lock", exc)
                return token
            if time.monotonic() >= deadline:
                raise LockTimeout(f"another NASSAV instance held the download lock for {self._wait_s:.0f}s")
            await asyncio.sleep(LEASE_POLL_S)  # Redis offers no wait on a key; a short poll is the norm

    async def _renew(self, redis: aioredis.Redis, token: str) -> None:
        """Keep the lease; if it was lost (Redis restarted, or it expired), take it back when free."""
        while True:
            await asyncio.sleep(self._ttl_ms / 3000)
            try:
                renewed = await redis.eval(_COMPARE_AND_EXPIRE, 1, self._key, token, self._ttl_ms)
                if not renewed and not await redis.set(self._key, token, nx=True, px=self._ttl_ms):
                    log.error("the download lock's lease was lost to another instance; two engines may run now")
            except self._failures as exc:
                _unreachable("renewing the download lock", exc)


class TaskClaims:
    """Cross-instance de-duplication; a no-op (always granted) without Redis."""

    def __init__(self, redis: aioredis.Redis | None, *, prefix: str, ttl_s: int) -> None:
        self._redis = redis
        self._failures = redis_failures(redis)
        self._prefix = prefix
        self._ttl_ms = ttl_s * 1000

    def _key(self, avid: str) -> str:
        return self._prefix + CLAIM_KEY.format(avid=avid)

    async def claim(self, avid: str, task_id: str) -> bool:
        """True when this task now owns the AVID (or already did), or when Redis cannot say: then only
        the in-process table de-duplicates, and the keeper claims the AVID once Redis is back."""
        try:
            async with asyncio.timeout(CALL_BUDGET_S):
                return await self._claim(avid, task_id)
        except self._failures as exc:
            _unreachable(f"claiming {avid}", exc)
            return True

    async def _claim(self, avid: str, task_id: str) -> bool:
        """Like claim(), but a Redis failure is raised."""
        if self._redis is None:
            return True
        if await self._redis.set(self._key(avid), task_id, nx=True, px=self._ttl_ms):
            return True
        return bool(await self._redis.eval(_COMPARE_AND_EXPIRE, 1, self._key(avid), task_id, self._ttl_ms))

    async def release(self, avid: str, task_id: str) -> None:
        if self._redis is None:
            return
        try:
            async with asyncio.timeout(CALL_BUDGET_S):
                await self._redis.eval(_COMPARE_AND_DELETE, 1, self._key(avid), task_id)
        except self._failures as exc:  # it expires by itself
            _unreachable(f"releasing the claim on {avid}", exc)

    async def keep(self, live: Callable[[], Iterable[tuple[str, str]]]) -> None:
        """Forever: refresh the claims of the live ``(avid, task_id)`` pairs, so that they outlive their
        TTL, and take them again after Redis lost them (a restart, an outage)."""
        while True:
            await asyncio.sleep(self.refresh_interval_s)
            try:
                for avid, task_id in list(live()):
                    if not await self._claim(avid, task_id):
                        log.error("%s: another instance claimed this AVID while Redis was away", avid)
            except self._failures as exc:  # one warning a round, not one per task
                _unreachable("refreshing the download claims", exc)

    @property
    def refresh_interval_s(self) -> float:
        return self._ttl_ms / 3000
