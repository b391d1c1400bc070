"""Following downloads the way a progress-polling client does: through the event stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

API = "/nassav/api"
FINAL = ("completed", "failed", "cancelled")


@asynccontextmanager
async def event_stream(client: Any) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
    """GET /downloads/events; once this yields, the server has registered the listener."""
    async with client.get(f"{API}/downloads/events") as response:
        assert response.status == 200
        assert response.content_type == "text/event-stream"
        yield _events(response)


async def _events(response: Any) -> AsyncIterator[dict[str, Any]]:
    event: list[str] = []
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        if line:
            event.append(line)
            continue
        data = [part[len("data: ") :] for part in event if part.startswith("data: ")]
        event = []
        if data:
            yield json.loads("\n".join(data))


async def task_events(client: Any) -> AsyncIterator[dict[str, Any]]:
    """The task objects of GET /downloads/events, as they arrive."""
    async with event_stream(client) as events:
        async for event in events:
            yield event


async def follow(client: Any, task_id: str, until: tuple[str, ...] = FINAL, timeout_s: float = 90) -> list[dict]:
    """Every event of ``task_id`` until its status is one of ``until``; the events in order."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout_s), event_stream(client) as events:
        current = await client.get(f"{API}/downloads/tasks/{task_id}")  # after subscribing: nothing is missed
        snapshot = (await current.json())["data"]
        if snapshot["status"] in until:
            return [snapshot]
        async for event in events:
            if event["id"] != task_id:
                continue
            seen.append(event)
            if event["status"] in until:
                return seen
    raise AssertionError("the event stream ended")


async def submit(client: Any, avid: str) -> str:
    response = await client.post(f"{API}/downloads", json={"avid": avid})
    body = await response.json()
    assert response.status == 202, body
    return str(body["data"]["task_id"])
