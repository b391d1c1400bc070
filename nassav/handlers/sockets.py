"""The open WebSockets, each with the task that writes to it, so that a shutdown can end them at once:
a client holding one open would otherwise hold the shutdown to its drain timeout, and a client that
reads nothing would leave a write blocked until then.

What a client that stops reading costs is bounded: a small kernel send buffer, aiohttp's own buffer
(writes wait above 64 KiB), and the bounded queue of its events (downloads/events.py), which drops
the oldest; its writer gives up after a while (see live.SEND_TIMEOUT_S) and the connection is cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from aiohttp import WSCloseCode, web

log = logging.getLogger(__name__)

# How long the closing handshake may take before the connection is cut.
CLOSE_TIMEOUT_S = 1.0
# The kernel's send buffer of a socket (it grows to megabytes by itself): what a client that stops
# reading can hold before our writes to it wait. Status frames are small; this is plenty for them.
SEND_BUFFER_BYTES = 64 * 1024

Writer = Coroutine[Any, Any, None]


class LiveSockets:
    def __init__(self) -> None:
        self._open: dict[web.WebSocketResponse, tuple[web.BaseRequest, asyncio.Task[None]]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, request: web.BaseRequest, ws: web.WebSocketResponse, writer: Writer) -> AsyncIterator[None]:
        """Run ``writer`` (what the server sends) while the body of the ``async with`` reads the
        client. The socket is closed when the writer ends; the writer is stopped when the body ends."""
        sock = request.transport.get_extra_info("socket") if request.transport is not None else None
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        task = asyncio.create_task(_write(request, ws, writer), name="nassav-ws-writer")
        self._open[ws] = (request, task)
        try:
            yield
        finally:
            del self._open[ws]
            task.cancel()
            await asyncio.wait([task])  # (a cancel of this handler itself still goes through)
            transport = request.transport
            if transport is not None and transport.get_write_buffer_size() > 0:
                transport.abort()  # closed with frames the client never took: asyncio would wait for it

    async def close_all(self) -> None:
        """At shutdown: close every socket, each within CLOSE_TIMEOUT_S (a write blocked on a client
        that reads nothing ends with its connection); each writer then ends by itself."""
        await asyncio.gather(*(close(request, ws) for ws, (request, _task) in list(self._open.items())))


async def _write(request: web.BaseRequest, ws: web.WebSocketResponse, writer: Writer) -> None:
    try:
        await writer
    except (ConnectionError, TimeoutError) as exc:  # the client went away, or took no frame for too long
        log.info("WebSocket %s ended: %s", request.path, type(exc).__name__)
    except Exception:
        log.exception("WebSocket %s: the writer failed", request.path)
    await close(request, ws)


async def close(request: web.BaseRequest, ws: web.WebSocketResponse) -> None:
    """Close ``ws`` with the closing handshake (nothing to do when it is closing already); a client
    that does not take it in time is cut off."""
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT_S):
            await ws.close(code=WSCloseCode.GOING_AWAY)
        return
    except TimeoutError:
        pass
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
        # Not ours: aiohttp's writes share one wait for the client, cancelled with a blocked writer.
    if request.transport is not None:
        request.transport.abort()  # the frames the client never took go with it
