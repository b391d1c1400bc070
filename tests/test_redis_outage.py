"""Redis going away in the middle of a download: the service keeps its single-instance guarantees,
answers as usual, and takes its cross-instance claims and lease back when Redis returns."""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis

from nassav.app import create_app
from nassav.downloads.claims import CLAIM_KEY, LOCK_KEY, DownloadLock, TaskClaims
from tests.conftest import free_port
from tests.downloads_helpers import follow, submit, task_events
from tests.helpers import read_envelope
from tests.redis_process import RedisProcess

API = "/nassav/api"
FIRST, SECOND = "SSIS-469", "PRED-388"
PREFIX = "nassav-outage:"


async def wait_downloading(client: Any, task_id: str) -> None:
    async for event in task_events(client):
        if event["id"] == task_id and event["status"] == "running" and event["percent"] > 0:
            return
    raise AssertionError("the event stream ended")


async def wait_for_keys(url: str, expected: dict[str, str | None], timeout_s: float = 15) -> None:
    """Until each key holds its value (None: any value). Redis has no wait on a key's value: poll it."""
    client = aioredis.from_url(url)
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                got = {key: await client.get(PREFIX + key) for key in expected}
                if all(got[key] is not None and want in (None, got[key].decode()) for key, want in expected.items()):
                    return
                await asyncio.sleep(0.1)
    finally:
        await client.aclose()


async def test_submits_during_a_redis_outage_answer_normally_and_claims_come_back(
    serve_app: Any, make_settings: Any, fakeweb: Any, own_redis: RedisProcess
) -> None:
    settings = make_settings(
        **fakeweb.config(),
        redis={"url": own_redis.url, "key_prefix": PREFIX, "lock_ttl_seconds": 5},
        download={"threads": 1},  # one segment at a time: the download outlasts the outage
    )
    client = await serve_app(create_app(settings))
    for avid in (FIRST, SECOND):
        await read_envelope(await client.post(f"{API}/resource", json={"avid": avid, "source": "jable"}), 201)
    fakeweb["cdn"].segment_delay_s = 0.3
    first = await submit(client, FIRST)
    await wait_downloading(client, first)

    await asyncio.to_thread(own_redis.kill)
    second = await submit(client, SECOND)  # the pooled connection is dead: this was a 500
    for avid in (FIRST, SECOND):
        again = await read_envelope(await client.post(f"{API}/downloads", json={"avid": avid}), 409)
        assert again["message"] == "下载任务已存在"

    await asyncio.to_thread(own_redis.start)  # empty: no claim and no lease survived
    claims = {CLAIM_KEY.format(avid=FIRST): first, CLAIM_KEY.format(avid=SECOND): second, LOCK_KEY: None}
    await wait_for_keys(own_redis.url, claims)

    fakeweb["cdn"].segment_delay_s = 0.0
    for task_id in (first, second):
        events = await follow(client, task_id)
        assert events[-1]["status"] == "completed", events[-1]


async def test_a_read_only_redis_is_an_outage_too(own_redis: RedisProcess) -> None:
    """READONLY (a replica after a failover) raises from every write: claims and the lock go on without it."""
    client = aioredis.from_url(own_redis.url)
    try:
        await client.execute_command("REPLICAOF", "127.0.0.1", str(free_port()))  # a master that never answers
        claims = TaskClaims(client, prefix=PREFIX, ttl_s=5)
        assert await claims.claim(FIRST, "task-a")
        await claims.release(FIRST, "task-a")
        async with DownloadLock(client, prefix=PREFIX, ttl_s=5, wait_s=1).hold():
            assert await client.get(PREFIX + LOCK_KEY) is None
        await client.execute_command("REPLICAOF", "NO", "ONE")
        assert await claims.claim(FIRST, "task-a")
        assert await client.get(PREFIX + CLAIM_KEY.format(avid=FIRST)) == b"task-a"
    finally:
        await client.aclose()
