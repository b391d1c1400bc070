"""A generated library of N resources, as NASSAV writes them (json, html, cover; a video for some)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

ACTORS = 3000
GENRES = 60
JPEG_HEAD = bytes.fromhex("ffd8ffe000104a46494600010100000100010000")


def real_cover() -> bytes:
    """An 800 × 538 JPEG of about 20 KB, a cover's usual size, that decodes (thumbnails are made of it)."""
    shade = Image.linear_gradient("L").resize((800, 538))
    picture = Image.merge("RGB", (shade, shade.transpose(Image.Transpose.ROTATE_90).resize((800, 538)),
                                  Image.new("L", (800, 538), 90)))  # fmt: skip
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def make_library(root: Path, count: int, *, video_every: int = 10, cover_bytes: int | None = None) -> list[str]:
    """``cover_bytes``: covers of that size that only look like JPEGs (cheap to write by the ten
    thousand); None: a real picture."""
    cover = real_cover() if cover_bytes is None else JPEG_HEAD + b"\x00" * cover_bytes + b"\xff\xd9"
    avids = [f"BENCH-{index:05d}" for index in range(1, count + 1)]
    for index, avid in enumerate(avids):
        folder = root / avid
        folder.mkdir(parents=True, exist_ok=True)
        info = {
            "avid": avid, "title": f"基准测试资源 {avid} 的标题，长度与真实标题相近",
            "m3u8": f"https://cdn.example/{avid}/playlist.m3u8",
            "source": "Jable", "release_date": "2024-01-01", "duration": "120分钟", "director": "导演名",
            "studio": "制作商", "label": "发行商", "series": "系列名",
            # a cast and genres as varied as a real library's: 3,000 actors, 60 genres
            "actors": [f"演员{index % ACTORS}", f"演员{index * 7 % ACTORS}"],
            "genres": [f"类别{index % GENRES}", f"类别{index * 3 % GENRES}", "高清"], "scraped": True,
            "added_at": 1_700_000_000 + index * 60, "updated_at": 1_700_000_000 + index * 60,
        }  # fmt: skip
        (folder / f"{avid}.json").write_text(json.dumps(info, ensure_ascii=False), "utf-8")
        (folder / f"{avid}.html").write_text("<html></html>", "utf-8")
        (folder / f"{avid}.jpg").write_bytes(cover)
        if index % video_every == 0:
            (folder / f"{avid}.mp4").write_bytes(b"\x00" * 1024)
    return avids


def add_stream_resource(root: Path, avid: str, stream_url: str) -> None:
    folder = root / avid
    folder.mkdir(parents=True, exist_ok=True)
    info = {"avid": avid, "title": "benchmark stream", "m3u8": stream_url, "source": "Jable",
            "stream_headers": {"Referer": "http://127.0.0.1/"}}  # fmt: skip
    (folder / f"{avid}.json").write_text(json.dumps(info), "utf-8")
