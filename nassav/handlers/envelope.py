"""The response envelope ``{code, message, data}`` (HTTP status == code) and the one middleware that
turns every error, ours or the framework's, into it. No stack trace ever reaches a client."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from nassav import errors

log = logging.getLogger(__name__)

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


def raw_envelope(body: bytes, code: int = 200) -> web.Response:
    """An envelope serialized beforehand (see views.Bodies)."""
    return web.Response(status=code, body=body, content_type="application/json", charset="utf-8")


def status_of(error: errors.NassavError) -> int:
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]  # type: ignore[index]
    return 500


def error_parts(exc: errors.NassavError, where: str) -> tuple[int, str, Any]:
    """An error's code, message and data, as its answer (or an item of a batch's answer) says them;
    logged here, a bug with its trace (which never reaches the client)."""
    status = status_of(exc)
    if status >= 500 and not exc.expected:
        log.error("%s failed: %s", where, exc, exc_info=exc)
        return 500, INTERNAL_ERROR, None
    log.info("%s -> %d %s", where, status, exc.message)
    return status, exc.message, exc.data


def error_answer_for(max_body_bytes: int) -> Callable[[web.Request, Exception], web.Response]:
    """The one place errors become envelopes. ``max_body_bytes`` only words the 413 message: the
    limit itself is the application's ``client_max_size``, enforced when a body is read."""
    too_large = f"请求体过大（上限 {max_body_bytes} 字节）"

    def answer(request: web.Request, exc: Exception) -> web.Response:
        if isinstance(exc, errors.NassavError):
            return fail(*error_parts(exc, f"{request.method} {request.path}"))
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
