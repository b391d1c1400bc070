"""The download queue, live: its status over REST (``GET /tasks/queue/status``) and every change over a
WebSocket (``/nassav/ws/tasks/``), in the messages the NASSAV front end reads.

The WebSocket listens to the supervisor's task events (the same fan-out as the Server-Sent Events).
Its first frame is the whole queue; then each task that starts, completes or fails is announced and
followed by the whole queue again, and a running task's progress comes at most once a second. What
the client sends is read (so that its pings are answered and its close is seen) and ignored.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp_apigami import docs, response_schema

from nassav.downloads.events import Subscription
from nassav.errors import BadRequest
from nassav.handlers import views
from nassav.handlers.appkeys import services
from nassav.handlers.envelope import dumps, ok
from nassav.handlers.schemas import QueueStatusEnvelope
from nassav.handlers.sockets import CLOSE_TIMEOUT_S
from nassav.supervisor import Supervisor

PROGRESS_EVERY_S = 1.0
HEARTBEAT_S = 30.0  # a ping; a client that does not answer is gone
SEND_TIMEOUT_S = 10.0  # a client that takes no frame for this long is dropped
MAX_CLIENT_MESSAGE_BYTES = 64 * 1024  # clients have nothing to say: their messages are read and dropped
TAGS = ["下载管理"]

SOCKET_DOC = """连接后先收到一条 `queue_status`（整个队列），之后每条消息都是 `{"type": ..., "data": {...}}`：

- `queue_status`：`{active_tasks: [{task_id, avid, state, progress: {percent, speed}}],
  pending_tasks: [{task_id, avid, state}], active_count, pending_count, total_count}`，
  与 `GET /nassav/api/tasks/queue/status` 的 data 相同；
- `task_started`、`task_completed`、`task_failed`：`{task_id, avid, status, message, error}`
  （失败时 `message` 与 `error` 都是原因），每条之后紧跟一条 `queue_status`；
- `progress_update`：`{task_id, avid, percent, speed, eta}`，每个任务每秒最多一条；`percent` 为 0 到 100 的数字，
  `speed` 如 `"5.2MB/s"`（未知时为空字符串）。

提交、取消任务后也会推送 `queue_status`。客户端发送的消息会被忽略。设置了 api_key 时需在 `X-Api-Key` 头或 `apikey`
查询参数中提供。"""


@docs(tags=TAGS, summary="下载队列的状态：正在下载的任务（含进度）与等待中的任务")
@response_schema(QueueStatusEnvelope, 200)
async def queue_status(request: web.Request) -> web.Response:
    return ok(views.queue_status(services(request).downloads.queue_status()))


@docs(
    tags=TAGS,
    summary="下载任务的实时推送（WebSocket）",
    description=SOCKET_DOC,
    responses={101: {"description": "WebSocket 连接已建立"}, 400: {"description": "不是 WebSocket 握手请求"}},
)
async def task_socket(request: web.Request) -> web.StreamResponse:
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_CLIENT_MESSAGE_BYTES, timeout=CLOSE_TIMEOUT_S)
    if not ws.can_prepare(request).ok:
        raise BadRequest("此地址只接受 WebSocket 连接")
    found = services(request)
    # Listening first: nothing falls between it and the first queue_status.
    with found.downloads.events.listen(idle_s=None, progress_every_s=PROGRESS_EVERY_S) as events:
        await ws.prepare(request)
        async with found.sockets.hold(request, ws, _send_changes(ws, events, found.downloads)):
            async for _message in ws:  # ignored: reading is what answers pings and sees the close
                pass
    return ws


async def _send_changes(ws: web.WebSocketResponse, events: Subscription, supervisor: Supervisor) -> None:
    """The queue, then every change, until the events end (at shutdown)."""
    await _send(ws, "queue_status", views.queue_status(supervisor.queue_status()))
    async for event in events:
        if event is None:
            continue
        if event.change == "progress":
            await _send(ws, "progress_update", views.progress_update(event.task))
            continue
        change = views.status_change(event.task)
        if change is not None:
            await _send(ws, *change)
        await _send(ws, "queue_status", views.queue_status(supervisor.queue_status()))


async def _send(ws: web.WebSocketResponse, kind: str, data: dict[str, Any]) -> None:
    async with asyncio.timeout(SEND_TIMEOUT_S):
        await ws.send_str(dumps({"type": kind, "data": data}))
