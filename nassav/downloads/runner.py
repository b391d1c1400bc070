"""One download attempt: look at the stream, run the engine in its own process group inside a temp
dir, turn its output into progress and verify the result; the supervisor then has the library install it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

from nassav.config import DownloadSettings
from nassav.downloads.engines import choose_engine, find_ffmpeg, find_ffprobe
from nassav.downloads.engines.base import ChunkLines, Engine, Job, Parser, Progress
from nassav.downloads.hls import inspect_stream
from nassav.downloads.probe import probe
from nassav.errors import Cancelled, DownloadFailed, FinalFailure, UpstreamError
from nassav.http import HttpClient

log = logging.getLogger(__name__)

KILL_GRACE_S = 3.0
ENGINE_NICENESS = 10
DURATION_TOLERANCE_S = 1.0
READ_CHUNK_BYTES = 64 * 1024


class Attempt:
    def __init__(
        self,
        *,
        avid: str,
        stream_url: str,
        stream_headers: Mapping[str, str],
        work_dir: Path,
        settings: DownloadSettings,
        http: HttpClient,
        proxy: str,
        on_progress: Callable[[Progress], None],
    ) -> None:
        self.avid = avid
        self._url = stream_url
        self._headers = dict(stream_headers)
        self._work_dir = work_dir
        self._settings = settings
        self._http = http
        self._proxy = proxy
        self._on_progress = on_progress
        self._proc: asyncio.subprocess.Process | None = None
        self._cancelled = False
        self._kill_timer: asyncio.TimerHandle | None = None
        self.engine_name = ""

    @property
    def work_dir(self) -> Path:
        return self._work_dir

    async def run(self) -> Path:
        """Download into the work dir; return the verified mp4. Raises DownloadFailed or Cancelled."""
        try:
            return await self._run()
        except UpstreamError as exc:  # the playlist could not be read: it may answer next time
            raise DownloadFailed(exc.message) from exc
        except OSError as exc:  # the temp dir's disk is full or read-only, the engine would not start, ...
            raise DownloadFailed(f"could not run the download in {self._work_dir}: {exc.strerror or exc}") from exc

    async def _run(self) -> Path:
        engine = choose_engine(self._settings)
        self.engine_name = engine.NAME
        ffmpeg = find_ffmpeg(self._settings)
        plan = await inspect_stream(self._http, self._url, self._headers)
        if plan.disguise and not engine.UNWRAPS_DISGUISED_SEGMENTS:
            raise FinalFailure(
                f"the segments are disguised behind a fake {plan.disguise} header, which the {engine.NAME} engine "
                "cannot unwrap: install N_m3u8DL-RE (README, 'Engines') or set [download] engine = \"n_m3u8dl_re\""
            )
        self._work_dir.mkdir(parents=True, exist_ok=True)
        job = Job(
            url=plan.media.url if engine.WANTS_MEDIA_PLAYLIST else self._url,
            headers=self._headers,
            work_dir=self._work_dir,
            name=self.avid,
            threads=self._settings.threads,
            retries=self._settings.retries,
            ffmpeg=ffmpeg,
            duration_s=plan.media.duration_s,
            proxy=self._proxy,
        )
        outcome, tail = await self._run_engine(engine, job)
        output = await self._verify(job, outcome, tail, find_ffprobe(ffmpeg))
        return output

    def cancel(self) -> None:
        """Stop now: the engine's whole process group goes (SIGINT, then SIGKILL after a grace period)."""
        self._cancelled = True
        proc = self._proc
        if proc is not None and proc.returncode is None and self._kill_timer is None:
            _signal_group(proc.pid, signal.SIGINT)
            # An engine that ignores SIGINT is killed after the grace period.
            self._kill_timer = asyncio.get_running_loop().call_later(
                KILL_GRACE_S, _signal_group, proc.pid, signal.SIGKILL
            )

    async def _run_engine(self, engine: Engine, job: Job) -> tuple[Progress | None, list[str]]:
        log.info("%s: starting %s", self.avid, engine.NAME)
        self._proc = proc = await asyncio.create_subprocess_exec(
            *engine.argv(job),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=job.work_dir,
            start_new_session=True,  # its own process group: cancel takes the children too
        )
        with contextlib.suppress(OSError):
            # Downloads yield the CPU to the API (and the rest of the NAS): a library page stays
            # quick while a download runs.
            os.setpriority(os.PRIO_PGRP, proc.pid, ENGINE_NICENESS)
        if self._cancelled:  # cancelled while it was starting
            self.cancel()
        try:
            last_outcome, tail, errors = await self._follow(proc, engine.parser(job))
        finally:
            try:
                await _reap(proc)
            finally:
                if self._kill_timer is not None:
                    self._kill_timer.cancel()
        if self._cancelled:
            raise Cancelled("已取消")
        if proc.returncode != 0:
            # The first error is the cause; what follows it is often a consequence ("write to closed file").
            reason = errors[0] if errors else (tail[-1] if tail else "no output")
            raise DownloadFailed(f"{engine.NAME} exited with code {proc.returncode}: {reason[:500]}")
        return last_outcome, tail

    async def _follow(
        self, proc: asyncio.subprocess.Process, parser: Parser
    ) -> tuple[Progress | None, list[str], list[str]]:
        """Pass the engine's progress on until it exits; return its final word and the lines that
        explain a failure (the last ones, and the error lines)."""
        lines = ChunkLines()
        tail, errors = deque[str](maxlen=5), deque[str](maxlen=10)
        last_outcome: Progress | None = None
        assert proc.stdout is not None
        while chunk := await proc.stdout.read(READ_CHUNK_BYTES):
            for line in lines.feed(chunk):
                (errors if "ERROR" in line.upper() else tail).append(line)
            for record in parser.feed(chunk):
                if record.outcome is not None:
                    last_outcome = record
                self._on_progress(record)
        await proc.wait()
        return last_outcome, list(tail), list(errors)

    async def _verify(self, job: Job, outcome: Progress | None, tail: list[str], ffprobe: str | None) -> Path:
        if outcome is not None and outcome.outcome == "failed":
            raise DownloadFailed(f"the engine reported failure: {outcome.message[:500]}")
        output = job.output
        if not output.is_file() or output.stat().st_size == 0:
            raise DownloadFailed(f"the engine finished but wrote no {output.name}: {' | '.join(tail[-3:])[:500]}")
        facts = await probe(output, ffmpeg=job.ffmpeg, ffprobe=ffprobe)
        if not facts.has_video:
            raise DownloadFailed("the output has no video stream")
        expected = job.duration_s or 0.0
        if expected and abs(facts.duration_s - expected) > max(DURATION_TOLERANCE_S, expected * 0.01):
            raise DownloadFailed(f"the output is {facts.duration_s:.1f}s long, the stream {expected:.1f}s")
        return output


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


async def _reap(proc: asyncio.subprocess.Process) -> None:
    """Make sure the engine and everything it started are gone before the attempt ends, even when
    this wait is itself interrupted."""
    try:
        if proc.returncode is None:
            _signal_group(proc.pid, signal.SIGINT)
            try:
                async with asyncio.timeout(KILL_GRACE_S):
                    await proc.wait()
            except TimeoutError:
                pass
    finally:
        _signal_group(proc.pid, signal.SIGKILL)  # what ignored SIGINT, and children that outlived their parent
    if proc.returncode is None:
        await proc.wait()


async def clean_work_dir(path: Path) -> None:
    """Remove an attempt's temp dir: gigabytes of fragments, so off the event loop."""
    await asyncio.to_thread(shutil.rmtree, path, ignore_errors=True)
