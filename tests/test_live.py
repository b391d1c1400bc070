"""The live queue: GET /tasks/queue/status and the WebSocket /nassav/ws/tasks/, as the NASSAV front
end uses them, with real downloads from the fake HLS origin; slow clients and shutdown."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from nassav.app import create_app
from nassav.downloads.events import QUEUE_SIZE, TaskEvents
from nassav.downloads.tasks import Task
from tests.downloads_helpers import follow, submit
from tests.helpers import make_resource, read_envelope

API = "/nassav/api"
WS = "/nassav/ws/tasks/"
AVID = "SSIS-469"
EMPTY_QUEUE = {"active_tasks": [], "pending_tasks": [], "active_count": 0, "pending_count": 0, "total_count": 0}
KEY = "k3y-of-the-nas-0wner"


@pytest.fixture
async def live(serve_app: Any, make_settings: Any, fakeweb: Any) -> Any:
    """The app on the fake web, downloading two segments at a time (long enough to watch)."""
    config = fakeweb.config()
    config["download"] = {"threads": 2}
    return await serve_app(create_app(make_settings(**config)))


async def add_resource(client: Any, avid: str = AVID) -> None:
    await read_envelope(await client.post(f"{API}/resource", json={"avid": avid, "source": "jable"}), 201)


async def frames(ws: Any, timeout_s: float = 60) -> AsyncIterator[tuple[float, dict[str, Any]]]:
    """(arrival time, message) of every frame, until the socket closes."""
    async with asyncio.timeout(timeout_s):
        async for message in ws:
            assert message.type == aiohttp.WSMsgType.TEXT, message
            yield time.monotonic(), json.loads(message.data)


async def until(ws: Any, kind: str, task_id: str) -> list[tuple[float, dict[str, Any]]]:
    """Frames up to the first ``kind`` about ``task_id`` and the queue_status that follows it."""
    seen: list[tuple[float, dict[str, Any]]] = []
    async for arrived, frame in frames(ws):
        seen.append((arrived, frame))
        if len(seen) >= 2 and seen[-2][1]["type"] == kind and seen[-2][1]["data"]["task_id"] == task_id:
            return seen
    raise AssertionError(f"the socket closed before {kind}")


def queue_ids(frame: dict[str, Any]) -> tuple[list[str], list[str]]:
    data = frame["data"]
    assert data["active_count"] == len(data["active_tasks"])
    assert data["pending_count"] == len(data["pending_tasks"])
    assert data["total_count"] == data["active_count"] + data["pending_count"]
    return [t["task_id"] for t in data["active_tasks"]], [t["task_id"] for t in data["pending_tasks"]]


async def test_a_new_socket_first_gets_the_queue(api: Any) -> None:
    async with api.ws_connect(WS) as ws:
        assert await ws.receive_json(timeout=5) == {"type": "queue_status", "data": EMPTY_QUEUE}
    body = await read_envelope(await api.get(f"{API}/tasks/queue/status"), 200)
    assert body["data"] == EMPTY_QUEUE


async def test_a_download_seen_through_the_socket(live: Any, fakeweb: Any) -> None:
    fakeweb["cdn"].segment_delay_s = 0.25
    await add_resource(live)
    async with live.ws_connect(WS) as ws:
        assert (await ws.receive_json(timeout=5))["data"] == EMPTY_QUEUE
        task_id = await submit(live, AVID)
        seen = await until(ws, "task_completed", task_id)
    kinds = [frame["type"] for _, frame in seen]
    assert kinds[0] == "queue_status"  # the submit; the queue as it is when sent (the task may run already)
    assert queue_ids(seen[0][1]) in (([], [task_id]), ([task_id], []))
    for index, kind in enumerate(kinds):
        if kind.startswith("task_"):
            assert kinds[index + 1] == "queue_status", kinds  # each change is followed by the whole queue
    started = kinds.index("task_started")
    assert seen[started][1]["data"] == {
        "task_id": task_id, "avid": AVID, "status": "running", "message": "开始下载", "error": "",
    }  # fmt: skip
    active = seen[started + 1][1]["data"]["active_tasks"]
    assert [t["task_id"] for t in active] == [task_id]
    assert active[0]["avid"] == AVID
    assert isinstance(active[0]["progress"]["percent"], float)
    assert isinstance(active[0]["progress"]["speed"], str)
    completed = seen[-2][1]["data"]
    assert (completed["status"], completed["error"]) == ("completed", "")
    assert seen[-1][1]["data"] == EMPTY_QUEUE
    assert_paced_progress([(arrived, frame["data"]) for arrived, frame in seen if frame["type"] == "progress_update"])


def assert_paced_progress(updates: list[tuple[float, dict[str, Any]]]) -> None:
    assert len(updates) >= 2, updates  # seen on its way
    percents = [data["percent"] for _, data in updates]
    assert all(isinstance(p, int | float) and not isinstance(p, bool) and 0 <= p <= 100 for p in percents)
    assert percents == sorted(percents)
    assert all(isinstance(data["speed"], str) and isinstance(data["eta"], str) for _, data in updates)
    assert any(data["speed"].endswith("B/s") for _, data in updates)
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(updates)]
    assert min(gaps) > 0.5, gaps  # at most one a second (when they arrive wobbles with the load)
    assert len(updates) <= updates[-1][0] - updates[0][0] + 1.5
    assert set(updates[0][1]) == {"task_id", "avid", "percent", "speed", "eta"}


async def test_a_failed_download_says_why_in_error(live: Any, fakeweb: Any) -> None:
    fakeweb["cdn"].variant = "broken"
    await add_resource(live)
    async with live.ws_connect(WS) as ws:
        await ws.receive_json(timeout=5)
        task_id = await submit(live, AVID)
        seen = await until(ws, "task_failed", task_id)
    failed = seen[-2][1]["data"]
    assert failed["status"] == "failed"
    assert "not a valid HLS playlist" in failed["error"]
    assert failed["message"] == failed["error"]
    assert seen[-1][1]["data"] == EMPTY_QUEUE


async def test_queue_status_lists_the_running_and_the_waiting(live: Any, fakeweb: Any) -> None:
    fakeweb["cdn"].segment_delay_s = 0.5
    await add_resource(live)
    await add_resource(live, "PRED-388")
    first = await submit(live, AVID)
    await follow(live, first, until=("running",))
    second = await submit(live, "PRED-388")
    body = await read_envelope(await live.get(f"{API}/tasks/queue/status"), 200)
    assert body["message"] == "success"
    data = body["data"]
    assert queue_ids(body) == ([first], [second])
    assert data["active_tasks"][0]["avid"] == AVID
    assert data["active_tasks"][0]["state"] == "running"
    assert set(data["active_tasks"][0]["progress"]) == {"percent", "speed"}
    assert 0 <= data["active_tasks"][0]["progress"]["percent"] <= 100
    assert data["pending_tasks"] == [{"task_id": second, "avid": "PRED-388", "state": "pending"}]


async def test_the_socket_keeps_the_api_key_rule(serve_app: Any, make_settings: Any) -> None:
    client = await serve_app(create_app(make_settings(server={"api_key": KEY})))
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect(WS)
    assert refused.value.status == 401
    for options in ({"params": {"apikey": KEY}}, {"headers": {"X-Api-Key": KEY}}):
        async with client.ws_connect(WS, **options) as ws:
            assert (await ws.receive_json(timeout=5))["type"] == "queue_status"
    body = await read_envelope(await client.get(f"{API}/tasks/queue/status"), 401)
    assert body["data"] is None


async def test_a_plain_request_to_the_socket_is_400(api: Any) -> None:
    body = await read_envelope(await api.get(WS), 400)
    assert body["message"] == "此地址只接受 WebSocket 连接"


async def test_what_the_client_sends_is_ignored_and_pings_answered(api: Any) -> None:
    async with api.ws_connect(WS, autoping=False) as ws:
        await ws.receive_json(timeout=5)
        await ws.send_json({"action": "get_queue_status"})
        await ws.send_str("anything")
        await ws.ping(b"are you there")
        pong = await ws.receive(timeout=5)
        assert (pong.type, pong.data) == (aiohttp.WSMsgType.PONG, b"are you there")


async def test_shutdown_closes_an_open_socket_at_once(api: Any) -> None:
    async with api.ws_connect(WS) as ws:
        await ws.receive_json(timeout=5)
        started = time.monotonic()
        await api.server.close()  # what SIGTERM does
        assert time.monotonic() - started < 3
        closing = await ws.receive(timeout=1)
        assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, aiohttp.WSCloseCode.GOING_AWAY)


async def silent_client(port: int) -> socket.socket:
    """A WebSocket client that completes the handshake and then never reads again, with a receive
    buffer as small as the kernel allows: the server's frames soon have nowhere to go."""
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.setblocking(False)
    await loop.sock_connect(sock, ("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    await loop.sock_sendall(
        sock,
        f"GET {WS} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode(),
    )
    async with asyncio.timeout(5):
        assert (await loop.sock_recv(sock, 12)) == b"HTTP/1.1 101"
    return sock


async def test_a_client_that_reads_nothing_holds_up_nobody(live: Any, fakeweb: Any, library_root: Path) -> None:
    fakeweb["cdn"].segment_delay_s = 0.5
    await add_resource(live)
    others = [f"ABC-{n:03d}" for n in range(1, 100)]
    for avid in others:
        make_resource(library_root, avid)
    silent = await silent_client(live.server.port)
    try:
        async with live.ws_connect(WS) as ws:
            await ws.receive_json(timeout=5)
            started = time.monotonic()
            # 100 submits: 100 queues of up to 100 tasks to each client, far more than the silent
            # one's buffers hold.
            body = await read_envelope(
                await live.post(f"{API}/downloads/batch_submit", json={"avids": [AVID, *others]}), 200
            )
            assert [item["code"] for item in body["data"]["results"]] == [202] * 100
            last_queue: dict[str, Any] = {}
            async for _, frame in frames(ws, timeout_s=20):
                if frame["type"] == "queue_status" and frame["data"]["pending_count"] == 99:
                    last_queue = frame["data"]
                    break
            assert last_queue["active_count"] == 1
            status = await read_envelope(await live.get(f"{API}/tasks/queue/status"), 200)
            assert status["data"]["total_count"] == 100
            assert time.monotonic() - started < 10
            # A shutdown with the silent client still connected (and the server's writes to it stuck).
            started = time.monotonic()
            await live.server.close()
            assert time.monotonic() - started < 5
    finally:
        silent.close()


async def test_a_listener_that_does_not_keep_up_keeps_only_the_newest() -> None:
    events = TaskEvents()
    with events.listen(idle_s=None, progress_every_s=1.0) as stalled:
        tasks = [Task(avid=f"ABC-{n:05d}") for n in range(10 * QUEUE_SIZE)]
        for task in tasks:
            events.publish(task)  # never waits for the listener
        events.close()
        received = [event.task.id async for event in stalled if event is not None]
    assert len(received) == QUEUE_SIZE - 1  # the last place went to the end of the stream
    assert received == [task.id for task in tasks[-(QUEUE_SIZE - 1) :]]


async def test_progress_reaches_each_listener_at_its_own_pace() -> None:
    events = TaskEvents()
    task = Task(avid=AVID, status="running")
    with (
        events.listen(idle_s=None, progress_every_s=60) as slow,
        events.listen(idle_s=None, progress_every_s=0) as fast,
    ):
        for percent in (1.0, 2.0, 3.0):
            task.percent = percent
            events.publish(task)
        task.status = "completed"
        events.publish(task)
        events.close()
        seen_slow = [(e.change, e.task.percent) async for e in slow if e is not None]
        seen_fast = [(e.change, e.task.percent) async for e in fast if e is not None]
    assert seen_slow == [("status", 1.0), ("progress", 2.0), ("status", 3.0)]
    assert seen_fast == [("status", 1.0), ("progress", 2.0), ("progress", 3.0), ("status", 3.0)]
