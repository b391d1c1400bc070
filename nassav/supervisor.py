"""The download supervisor: a FIFO queue, one engine at a time, progress, cancel, and recovery
after a restart. The face of ``nassav.downloads``: the web layer and the library talk to this.

One consumer loop takes task ids in order; each task takes the global download lock, then runs
attempts until one succeeds, it is cancelled, or another try cannot help. The task table (and its
copy in SQLite) is ``downloads.tasks``; one attempt is ``downloads.runner``. Shutdown stops the
running engine and leaves its task pending, so the next start re-queues it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nassav.config import Settings
from nassav.downloads.claims import DownloadLock, TaskClaims
from nassav.downloads.engines.base import Progress
from nassav.downloads.events import TaskEvents
from nassav.downloads.queue import QueueStatus
from nassav.downloads.runner import Attempt, clean_work_dir
from nassav.downloads.tasks import Submission, Task, TaskTable
from nassav.errors import Cancelled, Conflict, DownloadFailed, FinalFailure, LockTimeout, NotFound
from nassav.http import HttpClient
from nassav.library.files import Library
from nassav.library.locks import KeyedLocks
from nassav.store import Store

if TYPE_CHECKING:
    import redis.asyncio as aioredis

log = logging.getLogger(__name__)

MAX_ATTEMPTS_CAP = 5


@dataclass
class Running:
    """The download under way: its task, the attempt, and the asyncio task that runs the attempt."""

    task: Task
    attempt: Attempt
    runner: asyncio.Task[Path]

    def stop(self) -> None:
        """Kill the engine's process group (SIGINT, then SIGKILL) and end the attempt."""
        self.attempt.cancel()
        self.runner.cancel()

    async def stopped(self) -> None:
        """Once this returns, the attempt has ended and its engine's process group is gone."""
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.shield(self.runner)


class Supervisor:
    def __init__(
        self, *, settings: Settings, store: Store, library: Library, http: HttpClient, redis: aioredis.Redis | None
    ) -> None:
        self._settings = settings
        self._store = store
        self._library = library
        self._http = http
        self._lock = DownloadLock(
            redis,
            prefix=settings.redis.key_prefix,
            ttl_s=settings.redis.lock_ttl_seconds,
            wait_s=settings.redis.lock_wait_seconds,
        )
        self._claims = TaskClaims(redis, prefix=settings.redis.key_prefix, ttl_s=settings.redis.lock_ttl_seconds)
        self._submit_locks = KeyedLocks()
        self._table = TaskTable(store.save_task)
        self._queue: deque[str] = deque()
        self._wakeup = asyncio.Event()
        self._running: Running | None = None
        self._closing = False
        self._background: list[asyncio.Task[None]] = []
        self.events = TaskEvents()

    # --- lifetime ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the history; re-queue what was pending or running when the service last stopped."""
        for task in self._table.load(reversed(await self._store.load_tasks())):
            await self._recover(task)
        self._wakeup.set()
        self._background = [
            asyncio.create_task(self._consume(), name="nassav-downloads"),
            asyncio.create_task(self._claims.keep(self._live_claims), name="nassav-claims"),
        ]

    async def _recover(self, task: Task) -> None:
        await clean_work_dir(self._work_dir(task))
        size = self._library.video_size(task.avid)
        if size is not None:  # installed just before a crash, the final write lost
            task.file_size, task.percent = size, 100.0
            await self._finish(task, "completed", "")
            return
        if task.status == "running":
            log.info("%s: download interrupted by a restart; queued again", task.avid)
        task.status, task.started_at, task.attempts = "pending", None, 0
        task.reset_progress()
        if not await self._claims.claim(task.avid, task.id):
            log.warning("%s: another instance took this download while we were down", task.avid)
            await self._finish(task, "cancelled", "另一个实例已接管该任务")
            return
        self._table.add(task)
        self._queue.append(task.id)
        await self._table.save(task)

    async def close(self) -> None:
        """Stop the running engine (its task stays pending, to run again at the next start).

        Called when the server begins to shut down (before it drains requests) and again at cleanup."""
        if self._closing:
            return
        self._closing = True
        running = self._running
        if running is not None:
            running.stop()
        for background in self._background:
            background.cancel()
        for waited in [*self._background, *([running.runner] if running else [])]:
            try:
                await waited
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("while stopping the download supervisor")
        await self._table.drain()
        self.events.close()

    # --- the API -----------------------------------------------------------------------------

    async def submit(self, avid: str) -> Task:
        if self._library.read_info(avid) is None:
            raise NotFound(f"{avid} 的元数据不存在，请先调用 /api/resource/new 添加资源")
        size = self._library.video_size(avid)
        if size is not None:
            raise Conflict("视频已下载", data=Submission(avid, None, "completed", size))
        async with self._submit_locks.hold(avid):
            task = Task(avid=avid)
            if self._table.live(avid) is not None or not await self._claims.claim(avid, task.id):
                raise Conflict("下载任务已存在")
            self._table.add(task)
            await self._table.save(task)
        self._queue.append(task.id)
        self._wakeup.set()
        self.events.publish(task)
        log.info("%s: download queued as task %s", avid, task.id)
        return task

    def tasks(self) -> list[Task]:
        """Live tasks first (in queue order), then the finished ones, newest first."""
        return self._table.ordered()

    def task(self, task_id: str) -> Task:
        task = self._table.get(task_id)
        if task is None:
            raise NotFound(f"任务 {task_id} 不存在")
        return task

    def queue_status(self) -> QueueStatus:
        return QueueStatus.of(self._table.ordered())

    async def retry(self, task_id: str) -> Task:
        """Submit a failed or cancelled task's AVID again, as a new task (the old one stays in the
        history); the answers are those of a submit."""
        task = self.task(task_id)
        if task.status not in ("failed", "cancelled"):
            raise Conflict(f"任务 {task_id} 的状态为 {task.status}，只有失败或已取消的任务可以重试", data=task)
        return await self.submit(task.avid)

    async def cancel(self, task_id: str) -> Task:
        task = self.task(task_id)
        if not task.live:
            raise Conflict(f"任务 {task_id} 已结束（{task.status}），无法取消", data=task)
        await self._cancel(task)
        return task

    async def cancel_avid(self, avid: str) -> None:
        """Cancel the live task of ``avid``, if any (before its files are deleted)."""
        task = self._table.live(avid)
        if task is not None:
            await self._cancel(task)

    async def _cancel(self, task: Task) -> None:
        first = task.status != "cancelled"
        task.status = "cancelled"  # first: the worker then knows the engine's end is no failure
        running = self._running
        if running is not None and running.task is task:
            if first:  # a second cancel waits for the first one's work instead of interrupting it
                running.stop()
            await running.stopped()
            await clean_work_dir(running.attempt.work_dir)
        await self._finish(task, "cancelled", "已取消")

    # --- the worker --------------------------------------------------------------------------

    async def _consume(self) -> None:
        while not self._closing:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue and not self._closing:
                task = self._table.get(self._queue.popleft())
                if task is not None and task.status == "pending":
                    await self._download_guarded(task)

    async def _download_guarded(self, task: Task) -> None:
        """A bug in one download must not stop the queue behind it."""
        try:
            await self._download(task)
        except Exception:
            log.exception("%s: task %s failed unexpectedly", task.avid, task.id)
            if task.live:
                await self._finish(task, "failed", "内部错误（详情见服务日志）")

    async def _download(self, task: Task) -> None:
        try:
            async with self._lock.hold():
                if task.status != "pending":  # cancelled while waiting for the lock
                    return
                await self._attempts(task)
        except LockTimeout as exc:
            if task.status == "pending":  # not cancelled while it waited
                await self._finish(task, "failed", exc.message)

    async def _attempts(self, task: Task) -> None:
        """Attempts until one succeeds, the task is cancelled, or retrying cannot help: the one place
        that decides whether to try again."""
        max_attempts = 1 + min(self._settings.download.retries, MAX_ATTEMPTS_CAP - 1)
        task.status, task.started_at, task.error = "running", time.time(), ""
        await self._table.save(task)
        self.events.publish(task)
        while not self._closing and task.status == "running":
            task.attempts += 1
            task.reset_progress()
            try:
                await self._one_attempt(task)
                return
            except (DownloadFailed, Cancelled) as exc:
                if task.status != "running":  # cancelled: the cancel has finished the task
                    return
                if (isinstance(exc, DownloadFailed) and not exc.retryable) or task.attempts >= max_attempts:
                    await self._finish(task, "failed", exc.message)
                    return
                log.warning("%s: attempt %d failed (%s); trying again", task.avid, task.attempts, exc.message)

    async def _one_attempt(self, task: Task) -> None:
        """Run one attempt and install its video; the task is then finished. Raises DownloadFailed or
        Cancelled; a stop of the service leaves the task pending, for the next start."""
        info = self._library.read_info(task.avid)
        if info is None or not info.m3u8:
            raise FinalFailure(f"{task.avid} 的元数据不存在或没有 m3u8 链接")
        attempt = Attempt(
            avid=task.avid,
            stream_url=info.m3u8,
            stream_headers=dict(info.stream_headers),
            work_dir=self._work_dir(task),
            settings=self._settings.download,
            http=self._http,
            proxy=self._settings.http.proxy,
            on_progress=lambda record: self._progress(task, record),
        )
        self._running = Running(task, attempt, asyncio.create_task(attempt.run(), name=f"nassav-attempt-{task.id}"))
        try:
            size = await self._install(task, await asyncio.shield(self._running.runner))
        except asyncio.CancelledError:
            if await self._left_for_next_start(task):
                raise
            raise Cancelled("已取消") from None
        finally:
            task.engine = attempt.engine_name or task.engine
            self._running = None
            await clean_work_dir(attempt.work_dir)
        task.file_size, task.percent = size, 100.0
        await self._finish(task, "completed", "")

    async def _install(self, task: Task, output: Path) -> int:
        if task.status != "running":  # cancelled as the engine finished: the output is gone already
            raise Cancelled("已取消")
        try:
            size = await self._library.install_video(task.avid, output, wanted=lambda: task.status == "running")
        except OSError as exc:  # the library's disk is full, gone read-only, ...
            raise DownloadFailed(f"could not move the video into the library: {exc.strerror or exc}") from exc
        if size is None and task.status != "running":  # cancelled while it waited for the write lock
            raise Cancelled("已取消")
        if size is None:
            raise FinalFailure(f"资源 {task.avid} 已被删除，视频未保存")
        return size

    async def _left_for_next_start(self, task: Task) -> bool:
        """When the service is stopping (rather than a client cancelling), leave the task pending."""
        current = asyncio.current_task()
        if current is None or not current.cancelling():
            return False
        if task.status == "running":
            task.status = "pending"
            await asyncio.shield(self._table.save(task))
        return True

    def _progress(self, task: Task, record: Progress) -> None:
        if task.status != "running":
            return
        task.apply(record)
        self.events.publish(task)
        self._table.save_progress(task)

    async def _finish(self, task: Task, status: str, error: object) -> None:
        if task.finished_at is not None:
            return  # finished already (two cancels at once)
        task.status = status  # type: ignore[assignment]
        task.error = str(error)
        task.finished_at = time.time()
        task.speed_bps = task.eta_s = None
        self._table.retire(task)
        await asyncio.shield(self._table.save(task))  # the final bookkeeping must land
        await self._claims.release(task.avid, task.id)
        self.events.publish(task)
        log.info("%s: task %s %s%s", task.avid, task.id, status, f": {task.error}" if task.error else "")

    def _live_claims(self) -> list[tuple[str, str]]:
        return [(task.avid, task.id) for task in self._table.live_tasks()]

    def _work_dir(self, task: Task) -> Path:
        return self._settings.paths.tmp_dir / task.id
