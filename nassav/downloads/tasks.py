"""Download tasks: what progress-polling clients see and the store keeps across restarts, and the
table of every task this instance knows (the live one of each AVID, the history, progress saves)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from nassav.downloads.engines.base import Progress, ProgressCounters

log = logging.getLogger(__name__)

Status = Literal["pending", "running", "completed", "failed", "cancelled"]
LIVE: tuple[Status, ...] = ("pending", "running")
# The only progress fields an engine may set (MeTube's whitelist idea): the rest is the supervisor's.
PROGRESS_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ProgressCounters))
SAVE_PROGRESS_EVERY_S = 2.0


@dataclass(kw_only=True)
class _TaskHead:
    """What a task is and where it stands. A base of its own only so that these fields come before
    the progress counters in a task's JSON, as clients have always read it."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    avid: str
    status: Status = "pending"
    percent: float = 0.0


@dataclass(kw_only=True)
class Task(ProgressCounters, _TaskHead):  # fields in reverse MRO order: the head, then the counters
    engine: str = ""
    attempts: int = 0
    error: str = ""
    file_size: int | None = None
    created_at: float = field(default_factory=time.time, metadata={"description": "Unix 时间戳（秒）"})
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def live(self) -> bool:
        return self.status in LIVE

    def apply(self, progress: Progress) -> None:
        """Take an engine's progress record. The percentage never goes back within a run."""
        for name in PROGRESS_FIELDS:
            value = getattr(progress, name)
            if value is not None:
                setattr(self, name, value)
        if progress.percent is not None:
            self.percent = round(max(self.percent, min(progress.percent, 100.0)), 2)

    def reset_progress(self) -> None:
        self.percent = 0.0
        for name in PROGRESS_FIELDS:
            setattr(self, name, None)

    def snapshot(self) -> Task:
        """A copy as the task is now (a listener reads it later, when the task has moved on)."""
        return dataclasses.replace(self)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Task:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in row.items() if key in names})


TASK_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Task))


@dataclass(frozen=True)
class Submission:
    """What a submit answers: the task queued, or (task_id None) the video already there."""

    avid: str
    task_id: str | None
    status: str
    file_size: int | None


class TaskTable:
    """Every task this instance knows, by id; the live task of each AVID (the in-process half of the
    de-duplication); the order clients list them in; and progress saves, at most one per task every
    SAVE_PROGRESS_EVERY_S."""

    def __init__(self, save: Callable[[Task], Awaitable[None]]) -> None:
        self._save = save
        self._tasks: dict[str, Task] = {}
        self._live_by_avid: dict[str, Task] = {}
        self._saved_at: dict[str, float] = {}
        self._saves: set[asyncio.Future[None]] = set()  # progress writes under way

    def load(self, tasks: Iterable[Task]) -> list[Task]:
        """Take the stored history (not yet live here); return its live tasks, oldest first."""
        for task in tasks:
            self._tasks[task.id] = task
        return sorted((t for t in self._tasks.values() if t.live), key=lambda t: t.created_at)

    def add(self, task: Task) -> None:
        """A live task: the one of its AVID from now on."""
        self._tasks[task.id] = task
        self._live_by_avid[task.avid] = task

    def retire(self, task: Task) -> None:
        """The task has finished: its AVID is free again."""
        if self._live_by_avid.get(task.avid) is task:
            del self._live_by_avid[task.avid]
        self._saved_at.pop(task.id, None)

    def get(self, task_id: str) -> Task | None:
        return self._tasks.get(task_id)

    def live(self, avid: str) -> Task | None:
        return self._live_by_avid.get(avid)

    def live_tasks(self) -> list[Task]:
        return list(self._live_by_avid.values())

    def ordered(self) -> list[Task]:
        """Live tasks first (in queue order), then the finished ones, newest first."""
        live = sorted((t for t in self._tasks.values() if t.live), key=lambda t: t.created_at)
        done = sorted((t for t in self._tasks.values() if not t.live), key=lambda t: -(t.finished_at or 0))
        return live + done

    async def save(self, task: Task) -> None:
        await self._save(task)

    def save_progress(self, task: Task) -> None:
        """Save a progress change when the last save of this task is old enough. Called from a
        synchronous callback: the write goes to the loop, tracked so that drain() can wait for it
        (a failed progress write only costs an out-of-date percentage)."""
        if time.monotonic() - self._saved_at.get(task.id, 0) < SAVE_PROGRESS_EVERY_S:
            return
        self._saved_at[task.id] = time.monotonic()

        def report(done: asyncio.Future[None]) -> None:
            if not done.cancelled() and done.exception() is not None:
                log.warning("could not save progress of %s: %s", task.id, done.exception())

        write = asyncio.ensure_future(self._save(task))
        self._saves.add(write)
        write.add_done_callback(self._saves.discard)
        write.add_done_callback(report)

    async def drain(self) -> None:
        """Wait for the progress writes under way (their failures are reported as they end)."""
        await asyncio.gather(*self._saves, return_exceptions=True)
