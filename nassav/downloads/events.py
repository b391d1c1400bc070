"""Task changes fanned out to listeners (the Server-Sent Events stream): every status change, and
progress at most ``MAX_UPDATES_PER_S`` per task, so a chatty engine cannot flood a slow client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from nassav.downloads.tasks import Task

MAX_UPDATES_PER_S = 2
QUEUE_SIZE = 512


class TaskEvents:
    def __init__(self) -> None:
        self._listeners: set[asyncio.Queue[Task | None]] = set()
        self._last_sent: dict[str, tuple[float, str]] = {}  # task id -> (when, status)

    def publish(self, task: Task) -> None:
        now = time.monotonic()
        last = self._last_sent.get(task.id)
        if last is not None and last[1] == task.status and now - last[0] < 1 / MAX_UPDATES_PER_S:
            return  # a progress update too soon after the previous one
        self._last_sent[task.id] = (now, task.status)
        if not task.live:
            self._last_sent.pop(task.id, None)
        event = task.snapshot()
        for queue in list(self._listeners):
            if queue.full():  # a listener that does not keep up loses old updates, not new ones
                queue.get_nowait()
            queue.put_nowait(event)

    def listen(self, *, idle_s: float) -> AsyncIterator[Task | None]:
        """Every event from this call on (the listener is registered before this returns, so that a
        snapshot taken next misses nothing) until ``close()``; None after each ``idle_s`` without one."""
        queue: asyncio.Queue[Task | None] = asyncio.Queue(QUEUE_SIZE)
        self._listeners.add(queue)
        return self._drain(queue, idle_s)

    async def _drain(self, queue: asyncio.Queue[Task | None], idle_s: float) -> AsyncIterator[Task | None]:
        try:
            while True:
                try:
                    async with asyncio.timeout(idle_s):
                        event = await queue.get()
                except TimeoutError:
                    yield None
                    continue
                if event is None:
                    return
                yield event
        finally:
            self._listeners.discard(queue)

    def close(self) -> None:
        """End every listener's stream (at shutdown)."""
        for queue in list(self._listeners):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(None)
