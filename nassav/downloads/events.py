"""Task changes fanned out to listeners (the Server-Sent Events stream, the WebSockets): every status
change, and progress at the pace each listener asked for, so a chatty engine cannot flood a slow
client. Publishing never waits: a listener that does not keep up loses its oldest events, never
slows a download, and never holds more than ``QUEUE_SIZE`` of them."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

from nassav.downloads.tasks import Status, Task

QUEUE_SIZE = 512

Change = Literal["status", "progress"]


@dataclass(frozen=True)
class TaskEvent:
    """A task as it was when it changed, and what changed: its status, or only its progress."""

    task: Task
    change: Change


class _Listener:
    def __init__(self, progress_every_s: float) -> None:
        self.queue: asyncio.Queue[TaskEvent | None] = asyncio.Queue(QUEUE_SIZE)
        self._progress_every_s = progress_every_s
        self._progress_sent: dict[str, float] = {}  # task id -> when its last progress went in

    def wants(self, task: Task, change: Change, now: float) -> bool:
        if change == "status":
            if not task.live:
                self._progress_sent.pop(task.id, None)
            return True
        if now - self._progress_sent.get(task.id, -self._progress_every_s) < self._progress_every_s:
            return False  # a progress update too soon after the previous one
        self._progress_sent[task.id] = now
        return True

    def put(self, event: TaskEvent | None) -> None:
        if self.queue.full():  # a listener that does not keep up loses old updates, not new ones
            self.queue.get_nowait()
        self.queue.put_nowait(event)


class TaskEvents:
    def __init__(self) -> None:
        self._listeners: set[_Listener] = set()
        self._status: dict[str, Status] = {}  # live task id -> the status last published
        self._closed = False

    def publish(self, task: Task) -> None:
        change: Change = "progress" if self._status.get(task.id) == task.status else "status"
        if task.live:
            self._status[task.id] = task.status
        else:
            self._status.pop(task.id, None)
        now = time.monotonic()
        event: TaskEvent | None = None
        for listener in list(self._listeners):
            if listener.wants(task, change, now):
                event = event or TaskEvent(task.snapshot(), change)  # one copy, and only when wanted
                listener.put(event)

    def listen(self, *, idle_s: float | None, progress_every_s: float) -> Subscription:
        """Every event from this call on (the listener is registered before this returns, so that a
        snapshot taken next misses nothing), a task's progress at most once per ``progress_every_s``,
        until ``close()``; None after each ``idle_s`` without one (never, when ``idle_s`` is None)."""
        listener = _Listener(progress_every_s)
        self._listeners.add(listener)
        if self._closed:  # a listener that comes during the shutdown ends at once
            listener.put(None)
        return Subscription(self._listeners, listener, idle_s)

    def close(self) -> None:
        """End every listener's stream (at shutdown)."""
        self._closed = True
        for listener in list(self._listeners):
            listener.put(None)


class Subscription:
    """One listener's events, as an async iterator that ends when the events are closed. Close it
    when done (or use it as a context manager): that unregisters it, iterated or not."""

    def __init__(self, listeners: set[_Listener], listener: _Listener, idle_s: float | None) -> None:
        self._listeners = listeners
        self._listener = listener
        self._idle_s = idle_s
        self._ended = False

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> TaskEvent | None:
        if self._ended:
            raise StopAsyncIteration
        try:
            async with asyncio.timeout(self._idle_s):
                event = await self._listener.queue.get()
        except TimeoutError:
            return None
        if event is None:
            self._ended = True
            self.close()
            raise StopAsyncIteration
        return event

    def close(self) -> None:
        self._listeners.discard(self._listener)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
