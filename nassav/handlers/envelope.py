"""The response envelope ``{code, message, data}`` (HTTP status == code) and the one function that
turns every error, ours or the framework's, into it (called by the guard, guard.py). No stack trace
ever reaches a client."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from aiohttp import web

from nassav import errors

log = logging.getLogger(__name__)
T = TypeVar("T")

# Domain errors to HTTP, looked up along the exception's class hierarchy.
HTTP_STATUS: dict[type[errors.NassavError], int] = {
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.UpstreamError: 502,
}
# The framework's own errors (no route, wrong method, body too large, ...), in the users' language.
HTTP_MESSAGES: dict[int, str] = {
    400: "请求参数错误",
    404: "接口不存在",
    405: "不支持该请求方法",
}
INTERNAL_ERROR = "服务器内部错误"


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_typed_result)


def _typed_result(value: Any) -> Any:
    """Services answer with dataclasses (an error's ``data`` too): their fields are the JSON object."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def ok(data: Any = None, *, code: int = 200, message: str = "success") -> web.Response:
    return envelope(code, message, data)


def fail(code: int, message: str, data: Any = None) -> web.Response:
    return envelope(code, message, data)


def envelope(code: int, message: str, data: Any) -> web.Response:
    return raw_envelope(envelope_body(code, message, data), code)


def envelope_body(code: int, message: str, data: Any) -> bytes:
    return dumps({"code": code, "message": message, "data": data}).encode()


LIST_CHUNK = 1000


def list_envelope_body(items: Sequence[T], to_json: Callable[[T], Any]) -> bytes:
    """The same bytes as ``envelope_body(200, "success", [to_json(item) for item in items])``, made a
    thousand items at a time: a listing of 50,000 never has 50,000 dicts and the whole text in memory
    at once, and the memory a peak takes is seldom given back to the system."""
    chunks = (
        dumps([to_json(item) for item in items[start : start + LIST_CHUNK]])[1:-1].encode()
        for start in range(0, len(items), LIST_CHUNK)
    )
    return b'{"code":200,"message":"success","data":[' + b",".join(chunks) + b"]}"


def paged_envelope_body(data: Any, pagination: Any) -> bytes:
    """A page of a longer list: the page in ``data``, where it stands in ``pagination`` beside it."""
    return dumps({"code": 200, "message": "success", "data": data, "pagination": pagination}).encode()


def raw_envelope(body: bytes, code: int = 200) -> web.Response:
    """An envelope serialized beforehand (see views.Bodies)."""
    return web.Response(status=code, body=body, content_type="application/json", charset="utf-8")


STREAM_ABOVE_BYTES = 4 * 1024 * 1024
STREAM_CHUNK_BYTES = 256 * 1024


async def sent_envelope(request: web.Request, body: bytes) -> web.StreamResponse:
    """An envelope serialized beforehand, sent as it is or, when large (the listing of a big library),
    a slice at a time, each written only when the client has taken most of the one before. Given
    whole, the connection would keep a copy of all the client has not read yet: megabytes for each
    slow client, which the process keeps long after."""
    if len(body) <= STREAM_ABOVE_BYTES:
        return raw_envelope(body)
    response = web.StreamResponse(headers={"Content-Type": "application/json; charset=utf-8"})
    response.content_length = len(body)
    await response.prepare(request)
    view = memoryview(body)
    try:
        for start in range(0, len(body), STREAM_CHUNK_BYTES):
            await response.write(view[start : start + STREAM_CHUNK_BYTES])
        await response.write_eof()
    except ConnectionResetError:  # the client left: nobody to answer
        pass
    return response


def status_of(error: errors.NassavError) -> int:
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]  # type: ignore[index]
    return 500


def outcome_of(exc: Exception, doing: str) -> tuple[int, str, Any]:
    """An error's code, message and data, as an answer (or one item of a batch's answer) shows it;
    ``doing`` names what failed, for the log."""
    if isinstance(exc, errors.NassavError):
        status = status_of(exc)
        if status < 500 or exc.expected:
            log.info("%s -> %d %s", doing, status, exc.message)
            return status, exc.message, exc.data
    log.error("%s failed: %s", doing, exc, exc_info=exc)
    return 500, INTERNAL_ERROR, None


def error_answer_for(max_body_bytes: int) -> Callable[[web.Request, Exception], web.Response]:
    """The one place errors become envelopes. ``max_body_bytes`` only words the 413 message: the
    limit itself is the application's ``client_max_size``, enforced when a body is read."""
    too_large = f"请求体过大（上限 {max_body_bytes} 字节）"

    def answer(request: web.Request, exc: Exception) -> web.Response:
        if isinstance(exc, errors.NassavError):
            return fail(*outcome_of(exc, f"{request.method} {request.path}"))
        if isinstance(exc, web.HTTPException):
            if exc.status < 400:
                raise exc  # redirects and the like are not errors
            message = too_large if exc.status == 413 else HTTP_MESSAGES.get(exc.status, exc.reason)
            response = fail(exc.status, message)
            if "Allow" in exc.headers:
                response.headers["Allow"] = exc.headers["Allow"]
            return response
        log.error("unexpected error in %s %s", request.method, request.path, exc_info=exc)
        return fail(500, INTERNAL_ERROR)

    return answer
