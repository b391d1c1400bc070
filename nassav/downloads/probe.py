"""What a downloaded file really is: its duration and whether it has a video stream, from ffprobe,
or from ffmpeg alone where ffprobe is absent (imageio-ffmpeg bundles ffmpeg only)."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from pathlib import Path

from nassav.errors import DownloadFailed

PROBE_TIMEOUT_S = 60
_DURATION = re.compile(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO_STREAM = re.compile(r"Stream #\d+:\d+.*?: Video:")


@dataclass(frozen=True)
class MediaFacts:
    duration_s: float
    has_video: bool


async def probe(path: Path, *, ffmpeg: str, ffprobe: str | None) -> MediaFacts:
    if ffprobe:
        argv = [ffprobe, "-v", "error", "-show_entries", "format=duration:stream=codec_type", "-of", "json", str(path)]
        out, err, code = await _run(argv)
        if code != 0:
            raise DownloadFailed(f"ffprobe rejects the output: {err.strip()[-300:] or f'exit {code}'}")
        data = json.loads(out or "{}")
        duration = float(data.get("format", {}).get("duration") or 0)
        has_video = any(s.get("codec_type") == "video" for s in data.get("streams", []))
        return MediaFacts(duration, has_video)
    _, err, _ = await _run([ffmpeg, "-hide_banner", "-nostdin", "-i", str(path)])  # exits 1: no output named
    found = _DURATION.search(err)
    if found is None:
        raise DownloadFailed(f"ffmpeg cannot read the output: {err.strip()[-300:]}")
    hours, minutes, seconds = found.groups()
    return MediaFacts(int(hours) * 3600 + int(minutes) * 60 + float(seconds), bool(_VIDEO_STREAM.search(err)))


async def _run(argv: list[str]) -> tuple[str, str, int]:
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_S):
            out, err = await proc.communicate()
    except TimeoutError:
        raise DownloadFailed(f"{Path(argv[0]).name} took longer than {PROBE_TIMEOUT_S}s to read the output") from None
    finally:
        if proc.returncode is None:  # timed out, or the attempt was cancelled
            proc.kill()
            await proc.wait()
    return out.decode(errors="replace"), err.decode(errors="replace"), proc.returncode or 0
