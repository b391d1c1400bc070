"""Downloads end to end: POST /resource then POST /downloads on the fake web, real engines, real
ffprobe; progress through the event stream; the contract's answers; failures that name their cause."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nassav.app import create_app
from tests.downloads_helpers import follow, submit
from tests.fakeweb.hls import DURATION_S
from tests.helpers import read_envelope

API = "/nassav/api"
AVID = "SSIS-469"


def ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type,width", "-of", "json",
         str(path)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return dict(json.loads(out.stdout))


@pytest.fixture
async def make_client(serve_app: Any, make_settings: Any, fakeweb: Any) -> Any:
    """An app on the fake web with extra config, e.g. make_client(download={"engine": "ffmpeg"})."""

    async def make(**sections: dict[str, Any]) -> Any:
        config = fakeweb.config()
        for name, values in sections.items():
            config.setdefault(name, {}).update(values)
        return await serve_app(create_app(make_settings(**config)))

    return make


async def add_resource(client: Any, avid: str = AVID, source: str = "jable") -> None:
    await read_envelope(await client.post(f"{API}/resource", json={"avid": avid, "source": source}), 201)


def assert_playable(library_root: Path, avid: str = AVID) -> None:
    facts = ffprobe(library_root / avid / f"{avid}.mp4")
    assert [s["codec_type"] for s in facts["streams"]].count("video") == 1
    assert abs(float(facts["format"]["duration"]) - DURATION_S) <= 1.0
    assert next(s["width"] for s in facts["streams"] if s["codec_type"] == "video") == 320  # the best variant


@pytest.mark.parametrize("engine", ["yt_dlp", "ffmpeg"])
async def test_download_yields_a_playable_mp4(
    make_client: Any, fakeweb: Any, library_root: Path, settings: Any, engine: str
) -> None:
    client = await make_client(download={"engine": engine, "threads": 4})
    fakeweb["cdn"].segment_delay_s = 0.25  # long enough for progress to be seen on the way
    await add_resource(client)
    task_id = await submit(client, AVID)
    events = await follow(client, task_id)
    final = events[-1]
    assert final["status"] == "completed", final["error"]
    assert final["engine"] == engine
    assert final["percent"] == 100.0
    percents = [e["percent"] for e in events]
    assert percents == sorted(percents)  # never goes back
    assert any(0 < p < 100 for p in percents)  # and was seen on its way
    assert_playable(library_root)
    assert final["file_size"] == (library_root / AVID / f"{AVID}.mp4").stat().st_size
    assert not any(settings.paths.tmp_dir.iterdir())  # nothing left behind
    listing = await read_envelope(await client.get(f"{API}/downloads/list"), 200)
    assert listing["data"] == [AVID]
    meta = await read_envelope(await client.get(f"{API}/resource/metadata", params={"avid": AVID}), 200)
    assert meta["data"]["file_exists"] is True


async def test_aes128_stream_downloads(make_client: Any, fakeweb: Any, library_root: Path) -> None:
    client = await make_client()
    fakeweb["cdn"].variant = "aes"
    await add_resource(client)
    final = (await follow(client, await submit(client, AVID)))[-1]
    assert final["status"] == "completed", final["error"]
    assert_playable(library_root)


async def test_disguised_segments_fail_naming_the_cause(make_client: Any, fakeweb: Any, library_root: Path) -> None:
    client = await make_client(download={"engine": "yt_dlp"})
    fakeweb["cdn"].variant = "png"
    await add_resource(client)
    final = (await follow(client, await submit(client, AVID)))[-1]
    assert final["status"] == "failed"
    assert "disguised behind a fake PNG header" in final["error"]
    assert final["attempts"] == 1  # another attempt cannot fix it
    assert not (library_root / AVID / f"{AVID}.mp4").exists()


async def test_missing_segment_fails_with_a_clear_error(
    make_client: Any, fakeweb: Any, library_root: Path, settings: Any
) -> None:
    client = await make_client(download={"retries": 1})
    fakeweb["cdn"].variant = "missing"
    await add_resource(client)
    final = (await follow(client, await submit(client, AVID)))[-1]
    assert final["status"] == "failed"
    assert final["attempts"] == 2
    assert "yt_dlp exited with code" in final["error"]
    assert "HTTP Error 404" in final["error"]
    assert not (library_root / AVID / f"{AVID}.mp4").exists()
    assert not any(settings.paths.tmp_dir.iterdir())


async def test_engine_not_installed_is_a_clear_error(make_client: Any, library_root: Path) -> None:
    client = await make_client(download={"engine": "n_m3u8dl_re", "n_m3u8dl_re_path": "/nonexistent/N_m3u8DL-RE"})
    await add_resource(client)
    final = (await follow(client, await submit(client, AVID)))[-1]
    assert final["status"] == "failed"
    assert "N_m3u8DL-RE is not installed" in final["error"]
    assert final["attempts"] == 1


async def test_submit_answers_of_the_contract(web_api: Any, library_root: Path) -> None:
    missing = await read_envelope(await web_api.post(f"{API}/downloads", json={"avid": AVID}), 404)
    assert missing["message"] == f"{AVID} 的元数据不存在，请先调用 /api/resource/new 添加资源"
    assert missing["data"] is None
    await add_resource(web_api)
    accepted = await read_envelope(await web_api.post(f"{API}/downloads/ssis469"), 202)  # the no-body alias
    assert accepted["message"] == "下载任务已提交"
    assert accepted["data"]["avid"] == AVID
    assert accepted["data"]["status"] == "pending"
    assert accepted["data"]["file_size"] is None
    duplicate = await read_envelope(await web_api.post(f"{API}/downloads", json={"avid": "ssis-469"}), 409)
    assert duplicate == {"code": 409, "message": "下载任务已存在", "data": None}
    await follow(web_api, accepted["data"]["task_id"])
    done = await read_envelope(await web_api.post(f"{API}/downloads", json={"avid": AVID}), 409)
    size = (library_root / AVID / f"{AVID}.mp4").stat().st_size
    assert done == {
        "code": 409,
        "message": "视频已下载",
        "data": {"avid": AVID, "task_id": None, "status": "completed", "file_size": size},
    }


async def test_task_views(web_api: Any) -> None:
    await add_resource(web_api)
    task_id = await submit(web_api, AVID)
    await follow(web_api, task_id)
    one = await read_envelope(await web_api.get(f"{API}/downloads/tasks/{task_id}"), 200)
    fields = (
        "status", "percent", "done_segments", "total_segments", "downloaded_bytes", "total_bytes",
        "speed_bps", "eta_s", "engine", "attempts", "error", "created_at", "started_at", "finished_at",
    )  # fmt: skip
    for field in fields:
        assert field in one["data"], field
    assert one["data"]["started_at"] >= one["data"]["created_at"]
    assert one["data"]["finished_at"] >= one["data"]["started_at"]
    listing = await read_envelope(await web_api.get(f"{API}/downloads/tasks"), 200)
    assert [t["id"] for t in listing["data"]] == [task_id]
    unknown = await read_envelope(await web_api.get(f"{API}/downloads/tasks/{'0' * 32}"), 404)
    assert unknown["message"] == f"任务 {'0' * 32} 不存在"
    bad = await read_envelope(await web_api.get(f"{API}/downloads/tasks/..%2F..%2Fetc"), 400)
    assert "task_id" in bad["data"]
    finished = await read_envelope(await web_api.delete(f"{API}/downloads/tasks/{task_id}"), 409)
    assert "已结束" in finished["message"]
