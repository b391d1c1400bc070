"""Building library folders the way a user (or an older NASSAV) leaves them on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Smallest real images: what a cover file really holds decides its Content-Type.
JPEG_BYTES = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 16


def info_json(avid: str, **fields: Any) -> dict[str, Any]:
    data = {
        "avid": avid,
        "title": f"{avid} 标题",
        "m3u8": f"https://cdn.example/{avid}/playlist.m3u8",
        "source": "Jable",
        "release_date": "2024-01-01",
        "duration": "120分钟",
        "director": "导演名",
        "studio": "制作商",
        "label": "发行商",
        "series": "系列名",
        "actors": ["演员1", "演员2"],
        "genres": ["类别1", "类别2"],
    }
    data.update(fields)
    return data


def make_resource(
    root: Path,
    avid: str,
    *,
    video: bytes | None = None,
    cover: bytes | None = JPEG_BYTES,
    **fields: Any,
) -> Path:
    folder = root / avid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{avid}.json").write_text(json.dumps(info_json(avid, **fields), ensure_ascii=False), "utf-8")
    (folder / f"{avid}.html").write_text(f"<html><title>{avid}</title></html>", "utf-8")
    if cover is not None:
        (folder / f"{avid}.jpg").write_bytes(cover)
    if video is not None:
        (folder / f"{avid}.mp4").write_bytes(video)
    return folder


async def read_envelope(response: Any, status: int) -> dict[str, Any]:
    """Assert the response is the envelope with HTTP status == code == ``status``; return it."""
    body = await response.json()
    assert response.status == status, body
    assert set(body) == {"code", "message", "data"}, body
    assert body["code"] == status
    assert response.content_type == "application/json"
    return dict(body)
