"""The download supervisor: the task table (mirrored to SQLite), a FIFO queue, one engine at a time,
progress, cancel, and recovery after a restart.

One consumer loop takes task ids in order; each task takes the global download lock, then runs
attempts until one succeeds or the retries are spent. Shutdown stops the running engine and leaves
its task pending, so the next start re-queues it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from pathlib import Path

import redis.asyncio as aioredis

from nassav.config import Settings
from nassav.downloads.claims import DownloadLock, LockTimeout, TaskClaims
from nassav.downloads.engines import EngineUnavailable
from nassav.downloads.engines.base import Progress
from nassav.downloads.events import TaskEvents
from nassav.downloads.runner import Attempt, FinalFailure, clean_work_dir
from nassav.downloads.tasks import Task
from nassav.errors import Cancelled, Conflict, DownloadFailed, NotFound, UpstreamError
from nassav.http import HttpClient
from nassav.library.files import Library
from nassav.library.locks import KeyedLocks
from nassav.store import Store

log = logging.getLogger(__name__)

SAVE_PROGRESS_EVERY_S = 2.0
MAX_ATTEMPTS_CAP = 5


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
        self._tasks: dict[str, Task] = {}
        self._live_by_avid: dict[str, Task] = {}
        self._queue: deque[str] = deque()
        self._wakeup = asyncio.Event()
        self._current: tuple[Task, Attempt, asyncio.Task[object]] | None = None
        self._closing = False
        self._background: list[asyncio.Task[None]] = []
        self._saved_at: dict[str, float] = {}
        self._saves: set[asyncio.Future[None]] = set()  # progress writes under way
        self.events = TaskEvents()

    # --- lifetime ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the history; re-queue what was pending or running when the service last stopped."""
        for task in reversed(await self._store.load_tasks()):
            self._tasks[task.id] = task
        for task in sorted((t for t in self._tasks.values() if t.live), key=lambda t: t.created_at):
            clean_work_dir(self._work_dir(task))
            size = self._library.video_size(task.avid)
            if size is not None:  # installed just before a crash, the final write lost
                task.file_size, task.percent = size, 100.0
                await self._finish(task, "completed", "")
                continue
            if task.status == "running":
                log.info("%s: download interrupted by a restart; queued again", task.avid)
            task.status, task.started_at, task.attempts = "pending", None, 0
            task.reset_progress()
            if not await self._claims.claim(task.avid, task.id):
                log.warning("%s: another instance took this download while we were down", task.avid)
                await self._finish(task, "cancelled", "另一个实例已接管该任务")
                continue
            self._live_by_avid[task.avid] = task
            self._queue.append(task.id)
            await self._store.save_task(task)
        self._wakeup.set()
        self._background = [
            asyncio.create_task(self._consume(), name="nassav-downloads"),
            asyncio.create_task(self._claims.keep(self._live_claims), name="nassav-claims"),
        ]

    async def close(self) -> None:
        """Stop the running engine (its task stays pending, to run again at the next start).

        Called when the server begins to shut down (before it drains requests) and again at cleanup."""
        if self._closing:
            return
        self._closing = True
        current = self._current
        if current is not None:
            current[1].cancel()
            current[2].cancel()
        for background in self._background:
            background.cancel()
        for waited in [*self._background, *([current[2]] if current else []), *self._saves]:
            try:
                await waited
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("while stopping the download supervisor")
        self.events.close()

    # --- the API -----------------------------------------------------------------------------

    async def submit(self, avid: str) -> Task:
        if self._library.read_info(avid) is None:
            raise NotFound(f"{avid} 的元数据不存在，请先调用 /api/resource/new 添加资源")
        size = self._library.video_size(avid)
        if size is not None:
            raise Conflict("视频已下载", data={"avid": avid, "task_id": None, "status": "completed", "file_size": size})
        async with self._submit_locks.hold(avid):
            task = Task(avid=avid)
            if avid in self._live_by_avid or not await self._claims.claim(avid, task.id):
                raise Conflict("下载任务已存在")
            self._tasks[task.id] = task
            self._live_by_avid[avid] = task
            await self._store.save_task(task)
        self._queue.append(task.id)
        self._wakeup.set()
        self.events.publish(task)
        log.info("%s: download queued as task %s", avid, task.id)
        return task

    def tasks(self) -> list[Task]:
        """Live tasks first (in queue order), then the finished ones, newest first."""
        live = sorted((t for t in self._tasks.values() if t.live), key=lambda t: t.created_at)
        done = sorted((t for t in self._tasks.values() if not t.live), key=lambda t: -(t.finished_at or 0))
        return live + done

    def task(self, task_id: str) -> Task:
        task = self._tasks.get(task_id)
        if task is None:
            raise NotFound(f"任务 {task_id} 不存在")
        return task

    async def cancel(self, task_id: str) -> Task:
        task = self.task(task_id)
        if not task.live:
            raise Conflict(f"任务 {task_id} 已结束（{task.status}），无法取消", data=task.to_dict())
        await self._cancel(task)
        return task

    async def cancel_avid(self, avid: str) -> None:
        """Cancel the live task of ``avid``, if any (before its files are deleted)."""
        task = self._live_by_avid.get(avid)
        if task is not None:
            await self._cancel(task)

    async def _cancel(self, task: Task) -> None:
        first = task.status != "cancelled"
        task.status = "cancelled"  # first: the worker then knows the engine's end is no failure
        current = self._current
        if current is not None and current[0] is task:
            _, attempt, runner = current
            if first:  # a second cancel waits for the first one's work instead of interrupting it
                attempt.cancel()
                runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.shield(runner)  # when this returns, the engine's process group is gone
            clean_work_dir(self._work_dir(task))
        await self._finish(task, "cancelled", "已取消")

    # --- the worker --------------------------------------------------------------------------

    async def _consume(self) -> None:
        while not self._closing:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue and not self._closing:
                task = self._tasks.get(self._queue.popleft())
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
        max_attempts = 1 + min(self._settings.download.retries, MAX_ATTEMPTS_CAP - 1)
        task.status, task.started_at, task.error = "running", time.time(), ""
        await self._store.save_task(task)
        self.events.publish(task)
        while not self._closing and task.status == "running":
            task.attempts += 1
            task.reset_progress()
            error = await self._one_attempt(task)
            if error is None or task.status != "running":
                return
            if isinstance(error, FinalFailure | EngineUnavailable) or task.attempts >= max_attempts:
                await self._finish(task, "failed", error)
                return
            log.warning("%s: attempt %d failed (%s); trying again", task.avid, task.attempts, error)

    async def _one_attempt(self, task: Task) -> str | FinalFailure | EngineUnavailable | None:
        """Run one attempt; None on success (the task is then finished), else what went wrong."""
        info = self._library.read_info(task.avid)
        if info is None or not info.m3u8:
            return FinalFailure(f"{task.avid} 的元数据不存在或没有 m3u8 链接")
        work_dir = self._work_dir(task)
        attempt = Attempt(
            avid=task.avid,
            stream_url=info.m3u8,
            stream_headers=dict(info.extra.get("stream_headers") or {}),
            work_dir=work_dir,
            settings=self._settings.download,
            http=self._http,
            proxy=self._settings.http.proxy,
            on_progress=lambda record: self._progress(task, record),
        )
        runner = asyncio.create_task(attempt.run(), name=f"nassav-attempt-{task.id}")
        self._current = (task, attempt, runner)
        try:
            output = await asyncio.shield(runner)
            if task.status != "running":  # cancelled as the engine finished: the output is gone already
                return "已取消"
            task.engine = attempt.engine_name
            size = await self._library.install_video(task.avid, output, wanted=lambda: task.status == "running")
            if size is None:  # cancelled while it waited for the resource's write lock
                return "已取消"
        except (FinalFailure, EngineUnavailable) as exc:
            return exc
        except (DownloadFailed, UpstreamError) as exc:
            return exc.message
        except OSError as exc:  # the library's disk is full, gone read-only, ...
            return f"could not move the video into the library: {exc.strerror or exc}"
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():  # the service is stopping: run again next time
                if task.status == "running":
                    task.status = "pending"
                    await asyncio.shield(self._store.save_task(task))
                raise
            return "已取消"
        except Cancelled:
            return "已取消"
        finally:
            task.engine = attempt.engine_name or task.engine
            self._current = None
            clean_work_dir(work_dir)
        task.file_size = size
        task.percent = 100.0
        await self._finish(task, "completed", "")
        return None

    def _progress(self, task: Task, record: Progress) -> None:
        if task.status != "running":
            return
        task.apply(record)
        self.events.publish(task)
        if time.monotonic() - self._saved_at.get(task.id, 0) >= SAVE_PROGRESS_EVERY_S:
            self._saved_at[task.id] = time.monotonic()
            self._background_save(task)

    def _background_save(self, task: Task) -> None:
        # Progress is saved from a synchronous callback: hand the write to the loop, tracked so that
        # close() waits for it (a failed progress write only costs an out-of-date percentage).
        def report(done: asyncio.Future[None]) -> None:
            if not done.cancelled() and done.exception() is not None:
                log.warning("could not save progress of %s: %s", task.id, done.exception())

        save = asyncio.ensure_future(self._store.save_task(task))
        self._saves.add(save)
        save.add_done_callback(self._saves.discard)
        save.add_done_callback(report)

    async def _finish(self, task: Task, status: str, error: object) -> None:
        if task.finished_at is not None:
            return  # finished already (two cancels at once)
        task.status = status  # type: ignore[assignment]
        task.error = str(error)
        task.finished_at = time.time()
        task.speed_bps = task.eta_s = None
        if self._live_by_avid.get(task.avid) is task:
            del self._live_by_avid[task.avid]
        await asyncio.shield(self._store.save_task(task))  # the final bookkeeping must land
        await self._claims.release(task.avid, task.id)
        self.events.publish(task)
        log.info("%s: task %s %s%s", task.avid, task.id, status, f": {task.error}" if task.error else "")

    def _live_claims(self) -> list[tuple[str, str]]:
        return [(task.avid, task.id) for task in self._live_by_avid.values()]

    def _work_dir(self, task: Task) -> Path:
        return self._settings.paths.tmp_dir / task.id
