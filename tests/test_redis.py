"""With [redis] url set, the service connects at start-up (an unreachable one: see test_cli)."""

from __future__ import annotations

from typing import Any

from nassav.app import create_app
from nassav.config import Settings
from nassav.handlers import appkeys
from tests.helpers import read_envelope


async def test_app_connects_to_redis(serve_app: Any, redis_settings: Settings) -> None:
    app = create_app(redis_settings)
    client = await serve_app(app)
    key = f"{redis_settings.redis.key_prefix}probe"
    redis = app[appkeys.REDIS]
    await redis.set(key, "1")
    assert await redis.get(key) == b"1"
    await read_envelope(await client.get("/nassav/api/source/list"), 200)


async def test_embedded_mode_has_no_redis(api: Any) -> None:
    assert appkeys.REDIS not in api.app
