"""Several instances sharing one Redis: one engine at a time across them, each AVID accepted once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis

from nassav.app import create_app
from nassav.config import Settings
from nassav.downloads.claims import LOCK_KEY, DownloadLock, TaskClaims
from nassav.errors import LockTimeout
from tests.downloads_helpers import follow
from tests.helpers import read_envelope

API = "/nassav/api"


@pytest.fixture
async def redis_client(redis_settings: Settings) -> Any:
    client = aioredis.from_url(redis_settings.redis.url)
    yield client
    await client.aclose()


@pytest.fixture
async def two_instances(serve_app: Any, redis_settings: Settings, fakeweb: Any, make_settings: Any) -> Any:
    """Two NASSAV instances on one library and one Redis, each with its own database."""
    redis = {"url": redis_settings.redis.url, "key_prefix": redis_settings.redis.key_prefix}
    shared = {**fakeweb.config(), "redis": redis}
    first = await serve_app(create_app(make_settings(**shared, paths={"database": "a.db"})))
    second = await serve_app(create_app(make_settings(**shared, paths={"database": "b.db"})))
    for avid in ("SSIS-469", "PRED-388"):
        await read_envelope(await first.post(f"{API}/resource", json={"avid": avid, "source": "jable"}), 201)
    return first, second


async def test_200_concurrent_submissions_accept_each_avid_once(two_instances: Any, fakeweb: Any) -> None:
    first, second = two_instances
    fakeweb["cdn"].segment_delay_s = 0.2  # the tasks stay live while the submissions arrive
    requests = [
        (first if i % 2 else second).post(f"{API}/downloads", json={"avid": "SSIS-469" if i % 3 else "PRED-388"})
        for i in range(200)
    ]
    responses = await asyncio.gather(*requests)
    accepted: dict[str, list[str]] = {}
    for response in responses:
        body = await response.json()
        if response.status == 202:
            accepted.setdefault(body["data"]["avid"], []).append(body["data"]["task_id"])
        else:
            assert response.status == 409, body
            assert body["message"] in ("下载任务已存在", "视频已下载")
    assert sorted(accepted) == ["PRED-388", "SSIS-469"]
    assert all(len(ids) == 1 for ids in accepted.values())


async def test_two_instances_never_run_two_engines_at_once(two_instances: Any, fakeweb: Any) -> None:
    first, second = two_instances
    fakeweb["cdn"].segment_delay_s = 0.05
    one = await read_envelope(await first.post(f"{API}/downloads", json={"avid": "SSIS-469"}), 202)
    two = await read_envelope(await second.post(f"{API}/downloads", json={"avid": "PRED-388"}), 202)
    done = await asyncio.gather(follow(first, one["data"]["task_id"]), follow(second, two["data"]["task_id"]))
    spans = sorted((events[-1]["started_at"], events[-1]["finished_at"]) for events in done)
    assert all(events[-1]["status"] == "completed" for events in done), done
    assert spans[0][1] <= spans[1][0]  # the second started after the first finished


async def test_lock_lease_waits_renews_and_never_deletes_a_successor(
    redis_settings: Settings, redis_client: Any
) -> None:
    prefix = redis_settings.redis.key_prefix
    holder = DownloadLock(redis_client, prefix=prefix, ttl_s=1, wait_s=5)
    rival = DownloadLock(redis_client, prefix=prefix, ttl_s=1, wait_s=0.5)
    async with holder.hold():
        with pytest.raises(LockTimeout):
            async with rival.hold():
                pass
        await asyncio.sleep(1.5)  # longer than the TTL: only renewal keeps the lease
        assert await redis_client.pttl(prefix + LOCK_KEY) > 0
        await redis_client.set(prefix + LOCK_KEY, "successor")  # as if the lease had passed to another
    assert await redis_client.get(prefix + LOCK_KEY) == b"successor"


async def test_claims_expire_and_are_released_by_their_owner_only(redis_settings: Settings, redis_client: Any) -> None:
    claims = TaskClaims(redis_client, prefix=redis_settings.redis.key_prefix, ttl_s=60)
    assert await claims.claim("SSIS-469", "task-a")
    assert await claims.claim("SSIS-469", "task-a")  # the owner may claim again (after a restart)
    assert not await claims.claim("SSIS-469", "task-b")
    await claims.release("SSIS-469", "task-b")
    assert not await claims.claim("SSIS-469", "task-b")
    await claims.release("SSIS-469", "task-a")
    assert await claims.claim("SSIS-469", "task-b")
    assert 0 < await redis_client.pttl(redis_settings.redis.key_prefix + "task:SSIS-469") <= 60_000
