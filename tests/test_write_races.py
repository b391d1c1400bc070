"""One writer at a time per resource folder: a delete is never undone by a refresh or a download that
finishes after it, and never meets a half-written folder."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nassav.handlers import appkeys
from tests.downloads_helpers import follow, submit
from tests.helpers import read_envelope
from tests.test_download_control import engine_processes

API = "/nassav/api"
AVID = "SSIS-469"
# How long a delete that nothing holds back takes at most here (a folder of three small files).
UNHINDERED_DELETE_S = 1.0


async def test_a_delete_during_a_refresh_is_not_undone(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    await read_envelope(await web_api.post(f"{API}/resource", json={"avid": AVID, "source": "jable"}), 201)
    site = fakeweb["jable"]
    site.gate, site.arrived = asyncio.Event(), asyncio.Event()
    refresh = asyncio.ensure_future(web_api.post(f"{API}/resource/refresh/{AVID}"))
    await asyncio.wait_for(site.arrived.wait(), 10)  # the refresh is fetching the page now
    delete = asyncio.ensure_future(web_api.delete(f"{API}/resource/{AVID}"))
    # The delete must wait for the refresh rather than run under it.
    done, _ = await asyncio.wait({delete}, timeout=UNHINDERED_DELETE_S)
    assert not done, "the delete ran while a refresh of the same resource was writing"
    site.gate.set()
    refreshed, deleted = await refresh, await delete
    assert refreshed.status == 200
    body = await read_envelope(deleted, 200)
    assert f"{AVID}.json" in body["data"]["deleted_files"]
    assert not (library_root / AVID).exists()
    await read_envelope(await web_api.get(f"{API}/resource/metadata", params={"avid": AVID}), 404)


async def test_a_delete_during_an_install_leaves_no_video(
    web_api: Any, fakeweb: Any, library_root: Path, settings: Any
) -> None:
    await read_envelope(await web_api.post(f"{API}/resource", json={"avid": AVID, "source": "jable"}), 201)
    library = web_api.app[appkeys.LIBRARY]
    async with library.writing(AVID):  # the install will have to wait here, its video verified
        task_id = await submit(web_api, AVID)
        output = settings.paths.tmp_dir / task_id / f"{AVID}.mp4"
        # Downloaded and checked: the output is there and nothing (engine, ffprobe) works on it any more.
        await until(lambda: output.is_file() and not engine_processes(str(output.parent)))
        delete = asyncio.ensure_future(web_api.delete(f"{API}/downloads/{AVID}"))
        cancelled = await follow(web_api, task_id)
        assert cancelled[-1]["status"] == "cancelled"
    deleted = await delete
    assert deleted.status in (200, 404)  # 404: the video never landed
    assert not (library_root / AVID / f"{AVID}.mp4").exists()
    assert (library_root / AVID / f"{AVID}.json").exists()  # the metadata stays
    listing = await read_envelope(await web_api.get(f"{API}/downloads/list"), 200)
    assert AVID not in listing["data"]


async def until(condition: Callable[[], bool], timeout_s: float = 60) -> None:
    """Poll a condition that no event announces (files and processes), within a bound."""
    async with asyncio.timeout(timeout_s):
        while not condition():  # noqa: ASYNC110 - nothing announces a file or a process
            await asyncio.sleep(0.05)
