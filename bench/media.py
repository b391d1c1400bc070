"""The benchmark stream: 200 one-second MPEG-TS segments of 1280x720 at a constant ~8.5 Mb/s
(about 1.2 MB each, 240 MB in all), encoded once by ffmpeg and kept in bench/.cache."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SEGMENTS = 200
CACHE = Path(__file__).resolve().parent / ".cache"


def ensure_stream(segments: int = SEGMENTS) -> Path:
    folder = CACHE / f"stream-{segments}"
    playlist = folder / "index.m3u8"
    if playlist.is_file() and len(list(folder.glob("seg*.ts"))) == segments:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
    argv = [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
        "-t", str(segments), "-c:v", "libx264", "-preset", "ultrafast",
        "-b:v", "8500k", "-minrate", "8500k", "-maxrate", "8500k", "-bufsize", "8500k", "-x264-params", "nal-hrd=cbr",
        "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "96k",
        "-f", "hls", "-hls_time", "1", "-hls_list_size", "0",
        "-hls_segment_filename", str(folder / "seg%d.ts"), str(playlist),
    ]  # fmt: skip
    subprocess.run(argv, check=True, timeout=600)
    return folder


def stream_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.glob("seg*.ts"))
