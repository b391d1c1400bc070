"""ffmpeg, the last resort: fetches segments one after another, so it is slow, but it is everywhere.
Progress is its ``-progress pipe:1`` key=value stream; the percentage is the output time over the
playlist's total ``#EXTINF`` duration."""

from __future__ import annotations

from typing import ClassVar

from nassav.downloads.engines.base import ChunkLines, Job, Progress


class Ffmpeg:
    NAME: ClassVar[str] = "ffmpeg"
    UNWRAPS_DISGUISED_SEGMENTS: ClassVar[bool] = False
    WANTS_MEDIA_PLAYLIST: ClassVar[bool] = True

    def argv(self, job: Job) -> list[str]:
        headers = "".join(f"{name}: {value}\r\n" for name, value in job.headers.items())
        argv = [
            job.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-progress", "pipe:1", "-nostats",
            "-reconnect", "1", "-reconnect_on_network_error", "1", "-reconnect_delay_max", "5",
            "-rw_timeout", "30000000",
        ]  # fmt: skip
        if headers:
            argv += ["-headers", headers]
        if job.proxy.startswith("http://"):  # ffmpeg speaks HTTP proxies only
            argv += ["-http_proxy", job.proxy]
        return [*argv, "-i", job.url, "-map", "0:v?", "-map", "0:a?", "-c", "copy", "-f", "mp4", "-y", str(job.output)]

    def parser(self, job: Job) -> FfmpegParser:
        return FfmpegParser(job.duration_s)


class FfmpegParser:
    def __init__(self, duration_s: float | None) -> None:
        self._lines = ChunkLines()
        self._duration_s = duration_s
        self._block: dict[str, str] = {}

    def feed(self, chunk: bytes) -> list[Progress]:
        records = []
        for line in self._lines.feed(chunk):
            key, sep, value = line.partition("=")
            if not sep:  # not progress: an error message from -loglevel error
                records.append(Progress(message=line))
                continue
            self._block[key.strip()] = value.strip()
            if key.strip() == "progress":  # the last key of each block
                records.append(self._record())
                self._block = {}
        return records

    def _record(self) -> Progress:
        out_us = _number(self._block.get("out_time_us"))
        percent = None
        if out_us is not None and self._duration_s:
            percent = min(100.0, 100.0 * out_us / 1e6 / self._duration_s)
        speed = self._block.get("speed", "").rstrip("x")
        size = _number(self._block.get("total_size"))
        ended = self._block.get("progress") == "end"
        eta = None
        if out_us is not None and self._duration_s and _number(speed):
            eta = max(0.0, (self._duration_s - out_us / 1e6) / float(speed))
        return Progress(
            percent=100.0 if ended else percent,
            downloaded_bytes=int(size) if size is not None else None,
            eta_s=eta,
            outcome="done" if ended else None,
        )


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "", "N/A") else None
    except ValueError:
        return None
