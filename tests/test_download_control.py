"""Cancel, shutdown and restart, deletes during a download, and the event stream's pace."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from nassav.app import create_app
from nassav.store import Store
from tests.downloads_helpers import follow, submit, task_events
from tests.helpers import read_envelope

API = "/nassav/api"
AVID = "SSIS-469"


def engine_processes(marker: str) -> list[int]:
    """Live processes whose command line names ``marker`` (the task's work dir)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\x00", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


async def slow_download(client: Any, fakeweb: Any) -> str:
    """Add the resource, submit it on a slow CDN, and wait until its engine is downloading."""
    fakeweb["cdn"].segment_delay_s = 0.5
    await read_envelope(await client.post(f"{API}/resource", json={"avid": AVID, "source": "jable"}), 201)
    task_id = await submit(client, AVID)
    async for event in task_events(client):
        if event["id"] == task_id and event["status"] == "running" and event["percent"] > 0:
            return task_id
    raise AssertionError("the event stream ended")


async def test_cancel_stops_the_engine_and_leaves_nothing(
    web_api: Any, fakeweb: Any, settings: Any, library_root: Path
) -> None:
    task_id = await slow_download(web_api, fakeweb)
    work_dir = str(settings.paths.tmp_dir / task_id)
    assert engine_processes(work_dir)
    started = time.monotonic()
    body = await read_envelope(await web_api.delete(f"{API}/downloads/tasks/{task_id}"), 200)
    assert time.monotonic() - started < 5
    assert body["message"] == "任务已取消"
    assert body["data"]["status"] == "cancelled"
    assert engine_processes(work_dir) == []
    assert not (settings.paths.tmp_dir / task_id).exists()
    assert not (library_root / AVID / f"{AVID}.mp4").exists()
    again = await read_envelope(await web_api.get(f"{API}/downloads/tasks/{task_id}"), 200)
    assert again["data"]["status"] == "cancelled"
    # The AVID is free again: a new submission is accepted.
    await read_envelope(await web_api.post(f"{API}/downloads", json={"avid": AVID}), 202)


async def test_cancel_a_pending_task(web_api: Any, fakeweb: Any) -> None:
    await slow_download(web_api, fakeweb)
    await read_envelope(await web_api.post(f"{API}/resource", json={"avid": "PRED-388", "source": "jable"}), 201)
    queued = await submit(web_api, "PRED-388")
    body = await read_envelope(await web_api.delete(f"{API}/downloads/tasks/{queued}"), 200)
    assert body["data"]["status"] == "cancelled"
    assert body["data"]["started_at"] is None


async def test_deleting_the_resource_cancels_its_download(
    web_api: Any, fakeweb: Any, settings: Any, library_root: Path
) -> None:
    task_id = await slow_download(web_api, fakeweb)
    body = await read_envelope(await web_api.delete(f"{API}/resource/{AVID}"), 200)
    assert f"{AVID}.json" in body["data"]["deleted_files"]
    assert engine_processes(str(settings.paths.tmp_dir / task_id)) == []
    task = await read_envelope(await web_api.get(f"{API}/downloads/tasks/{task_id}"), 200)
    assert task["data"]["status"] == "cancelled"
    assert not (library_root / AVID).exists()


async def test_shutdown_requeues_and_the_next_start_completes(
    serve_app: Any, make_settings: Any, fakeweb: Any, library_root: Path
) -> None:
    settings = make_settings(**fakeweb.config())
    first = await serve_app(create_app(settings))
    task_id = await slow_download(first, fakeweb)
    work_dir = str(settings.paths.tmp_dir / task_id)
    await first.close()  # SIGTERM does this: the cleanup contexts close in reverse
    assert engine_processes(work_dir) == []
    store = await Store.open(settings.paths.database)
    saved = {task.id: task for task in await store.load_tasks()}
    await store.close()
    assert saved[task_id].status == "pending"

    fakeweb["cdn"].segment_delay_s = 0
    second = await serve_app(create_app(settings))
    events = await follow(second, task_id)
    assert events[-1]["status"] == "completed", events[-1]["error"]
    assert (library_root / AVID / f"{AVID}.mp4").stat().st_size > 0


async def test_event_stream_paces_progress(web_api: Any, fakeweb: Any) -> None:
    fakeweb["cdn"].segment_delay_s = 0.2
    await read_envelope(await web_api.post(f"{API}/resource", json={"avid": AVID, "source": "jable"}), 201)
    started = time.monotonic()
    task_id = await submit(web_api, AVID)
    events = await follow(web_api, task_id)
    elapsed = time.monotonic() - started
    running = [e for e in events if e["status"] == "running"]
    assert events[-1]["status"] == "completed"
    assert len(running) >= 2
    assert len(running) <= 2 * elapsed + 3  # at most ~2 per second, plus the status changes


def test_engine_process_lookup_sees_this_process() -> None:
    assert os.getpid() in engine_processes("pytest") or os.getpid() in engine_processes("python")


async def test_engines_run_at_a_lower_priority(web_api: Any, fakeweb: Any, settings: Any) -> None:
    task_id = await slow_download(web_api, fakeweb)
    pids = engine_processes(str(settings.paths.tmp_dir / task_id))
    assert pids
    assert all(os.getpriority(os.PRIO_PROCESS, pid) >= 10 for pid in pids)
    await read_envelope(await web_api.delete(f"{API}/downloads/tasks/{task_id}"), 200)
