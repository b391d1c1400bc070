"""Races a busy NAS meets: two cancels at once, and a crash between installing a video and saving
its task."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from nassav.app import create_app
from nassav.downloads.tasks import Task
from nassav.store import Store
from tests.downloads_helpers import follow
from tests.helpers import make_resource, read_envelope
from tests.test_download_control import engine_processes, slow_download

API = "/nassav/api"
AVID = "SSIS-469"


async def test_two_cancels_at_once_leave_no_engine(web_api: Any, fakeweb: Any, settings: Any) -> None:
    task_id = await slow_download(web_api, fakeweb)
    work_dir = str(settings.paths.tmp_dir / task_id)
    by_task, by_resource = await asyncio.gather(
        web_api.delete(f"{API}/downloads/tasks/{task_id}"), web_api.delete(f"{API}/resource/{AVID}")
    )
    assert by_task.status in (200, 409)
    assert by_resource.status == 200
    assert engine_processes(work_dir) == []
    task = await read_envelope(await web_api.get(f"{API}/downloads/tasks/{task_id}"), 200)
    assert task["data"]["status"] == "cancelled"


async def test_a_task_whose_video_landed_before_a_crash_is_completed_at_start(
    serve_app: Any, settings: Any, library_root: Path
) -> None:
    make_resource(library_root, AVID, video=b"\x00" * 4096)
    store = await Store.open(settings.paths.database)
    crashed = Task(avid=AVID, status="running", percent=99.0, attempts=1)
    await store.save_task(crashed)
    await store.close()
    client = await serve_app(create_app(settings))
    events = await follow(client, crashed.id)
    assert events[-1]["status"] == "completed"
    assert events[-1]["file_size"] == 4096
