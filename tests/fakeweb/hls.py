"""Real HLS made by ffmpeg at test time: a master playlist over two renditions of 32 one-second
MPEG-TS segments, an AES-128 copy, and a copy whose segments hide behind a fake PNG header."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SEGMENTS = 32
SEGMENT_S = 1
DURATION_S = SEGMENTS * SEGMENT_S
RENDITIONS = {"v1": ("320x180", 900_000), "v0": ("192x108", 300_000)}  # name: (size, BANDWIDTH)
AES_KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
# What a disguised segment starts with: a PNG signature and a small image header, then the real TS.
FAKE_PNG_HEADER = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 37


def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise RuntimeError("ffmpeg is not installed (.ci/run installs it)")
    return found


def make_hls(root: Path) -> Path:
    """Write the streams under ``root`` (plain/, aes/, png/); return ``root``."""
    for name, (size, _) in RENDITIONS.items():
        _encode(root / "plain" / name, size)
        _encode(root / "aes" / name, size, key=root / "aes" / "key.bin")
        shutil.copytree(root / "plain" / name, root / "png" / name)
        for segment in (root / "png" / name).glob("*.ts"):
            segment.write_bytes(FAKE_PNG_HEADER + segment.read_bytes())
    return root


def master_playlist() -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for name, (size, bandwidth) in sorted(RENDITIONS.items(), key=lambda item: item[1][1]):
        lines += [f"#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION={size}", f"{name}/index.m3u8"]
    return "\n".join(lines) + "\n"


def _encode(folder: Path, size: str, key: Path | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    extra: list[str] = []
    if key is not None:
        key.write_bytes(AES_KEY)
        info = folder / "key.info"
        info.write_text(f"key.bin\n{key}\n{'0' * 32}\n", "utf-8")  # URI as the playlist names it, file, IV
        extra = ["-hls_key_info_file", str(info)]
    argv = [
        ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f", "lavfi", "-i", f"testsrc=size={size}:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", str(DURATION_S), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25",
        "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k",
        "-f", "hls", "-hls_time", str(SEGMENT_S), "-hls_list_size", "0", *extra,
        "-hls_segment_filename", str(folder / "seg%d.ts"), str(folder / "index.m3u8"),
    ]  # fmt: skip
    subprocess.run(argv, check=True, timeout=120, env={**os.environ, "AV_LOG_FORCE_NOCOLOR": "1"})
