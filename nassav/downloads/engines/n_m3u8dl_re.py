"""N_m3u8DL-RE, the downloader NAS users run: fast, and it unwraps disguised segments itself.

Its progress rows look like
``Vid 1920x1080 | 6221 Kbps ━━━━━━━━ 32/64 50.00% 320.00MB/641.93MB 4.97MBps 00:02:09``,
sometimes glued together (``... 505.17MB/846.18MB4.51MBps00:00:58``); the segment count is the
authority for the percentage. The run ends with ``INFO : Done`` or ``ERROR: Failed``.
"""

from __future__ import annotations

import re
from typing import ClassVar

from nassav.downloads.engines.base import Job, LineParser, Progress, clock_to_seconds, size_to_bytes

_ROW = re.compile(
    r"(?P<done>\d+)/(?P<total>\d+)\s+(?P<percent>[\d.]+)%\s*"
    r"(?:(?P<got>[\d.]+)(?P<got_unit>[KMGT]?B)/(?P<size>[\d.]+)(?P<size_unit>[KMGT]?B))?\s*"
    r"(?:(?P<speed>[\d.]+)(?P<speed_unit>[KMGT]?B)ps)?\s*(?P<eta>\d{2}:\d{2}:\d{2})?"
)
_DONE = re.compile(r"\bINFO\s*:\s*Done\b")
_FAILED = re.compile(r"\bERROR\s*:\s*(?P<why>.*)")


class NM3u8DLRE:
    NAME: ClassVar[str] = "n_m3u8dl_re"
    UNWRAPS_DISGUISED_SEGMENTS: ClassVar[bool] = True
    WANTS_MEDIA_PLAYLIST: ClassVar[bool] = False

    def __init__(self, binary: str) -> None:
        self.binary = binary

    def argv(self, job: Job) -> list[str]:
        argv = [
            self.binary, job.url,
            "--save-dir", str(job.work_dir), "--save-name", job.name, "--tmp-dir", str(job.work_dir / "parts"),
            "--thread-count", str(job.threads), "--download-retry-count", str(job.retries),
            "--auto-select", "--no-log", "--disable-update-check", "--no-ansi-color",
            "--ffmpeg-binary-path", job.ffmpeg, "-M", "format=mp4", "--del-after-done",
        ]  # fmt: skip
        for name, value in job.headers.items():
            argv += ["-H", f"{name}: {value}"]
        if job.proxy:
            argv += ["--custom-proxy", job.proxy]
        return argv

    def parser(self, job: Job) -> LineParser:
        return LineParser(parse_line)


def parse_line(line: str) -> Progress | None:
    if _DONE.search(line):
        return Progress(outcome="done", message=line)
    failed = _FAILED.search(line)
    if failed:
        return Progress(outcome="failed", message=failed.group("why").strip() or line)
    row = _ROW.search(line)
    if row is None:
        return None
    done, total = int(row["done"]), int(row["total"])
    return Progress(
        percent=100.0 * done / total if total else float(row["percent"]),
        done_segments=done,
        total_segments=total,
        downloaded_bytes=size_to_bytes(row["got"], row["got_unit"]) if row["got"] else None,
        total_bytes=size_to_bytes(row["size"], row["size_unit"]) if row["size"] else None,
        speed_bps=float(size_to_bytes(row["speed"], row["speed_unit"])) if row["speed"] else None,
        eta_s=clock_to_seconds(row["eta"]) if row["eta"] else None,
    )
