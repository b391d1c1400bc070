"""yt-dlp, the default: a Python dependency, so always there; fetches fragments in parallel (``-N``)
and decrypts AES-128 itself. Progress comes as one JSON object per line (``--progress-template``)."""

from __future__ import annotations

import json
import sys
from typing import ClassVar

from nassav.downloads.engines.base import Job, LineParser, Progress

MARK = "NASSAV-PROGRESS "
PROGRESS_EVERY_S = 0.5  # more often is work for both sides that no listener sees (events are paced at 2/s)
_FIELDS = "status,downloaded_bytes,total_bytes,total_bytes_estimate,speed,eta,fragment_index,fragment_count"


class YtDlp:
    NAME: ClassVar[str] = "yt_dlp"
    UNWRAPS_DISGUISED_SEGMENTS: ClassVar[bool] = False
    WANTS_MEDIA_PLAYLIST: ClassVar[bool] = False

    def argv(self, job: Job) -> list[str]:
        argv = [
            sys.executable, "-m", "yt_dlp", "--ignore-config", "--no-cache-dir", "--no-playlist",
            "--newline", "--progress-template", f"download:{MARK}%(progress.{{{_FIELDS}}})j",
            "--progress-delta", str(PROGRESS_EVERY_S),
            "--concurrent-fragments", str(job.threads),
            "--retries", str(job.retries), "--fragment-retries", str(job.retries),
            "--abort-on-unavailable-fragments",
            "--ffmpeg-location", job.ffmpeg, "--remux-video", "mp4", "--no-part",
            "--paths", f"temp:{job.work_dir / 'parts'}",
            "-o", str(job.output),
        ]  # fmt: skip
        for name, value in job.headers.items():
            argv += ["--add-header", f"{name}:{value}"]
        if job.proxy:
            argv += ["--proxy", job.proxy]
        return [*argv, "--", job.url]

    def parser(self, job: Job) -> LineParser:
        return LineParser(parse_line)


def parse_line(line: str) -> Progress | None:
    if line.startswith("ERROR:"):
        return Progress(outcome="failed", message=line.removeprefix("ERROR:").strip())
    if not line.startswith(MARK):
        return None
    try:
        data = json.loads(line[len(MARK) :])
    except ValueError:
        return None
    done, total = data.get("fragment_index"), data.get("fragment_count")
    got = data.get("downloaded_bytes")
    size = data.get("total_bytes") or data.get("total_bytes_estimate")
    if total:
        percent = 100.0 * (done or 0) / total
    elif got and size:
        percent = 100.0 * got / size
    else:
        percent = 100.0 if data.get("status") == "finished" else None
    return Progress(
        percent=min(percent, 100.0) if percent is not None else None,
        done_segments=done,
        total_segments=total,
        downloaded_bytes=int(got) if got is not None else None,
        total_bytes=int(size) if size else None,
        speed_bps=data.get("speed"),
        eta_s=data.get("eta"),
    )
