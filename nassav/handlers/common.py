"""What every handler module shares: the validated request data and documented error answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web
from aiohttp_apigami import response_schema

from nassav.handlers.parsing import VALIDATED
from nassav.handlers.schemas import ErrorEnvelope

F = TypeVar("F", bound=Callable[..., Any])

ERROR_DESCRIPTIONS = {
    400: "请求参数错误",
    401: "API 密钥无效或缺失（设置了 api_key 时）",
    404: "资源不存在",
    409: "资源已存在/冲突",
    413: "请求体过大",
    416: "请求的范围无效或超出文件大小（Content-Range 给出文件大小）",
    502: "上游服务错误",
}


def validated(request: web.Request) -> dict[str, Any]:
    """What the guard validated out of the request (see handlers/parsing.py)."""
    return request[VALIDATED]


def error_answers(*codes: int) -> Callable[[F], F]:
    """Document the envelope of each error ``codes`` a handler can answer with."""

    def decorate(handler: F) -> F:
        for code in codes:
            handler = response_schema(ErrorEnvelope, code, description=ERROR_DESCRIPTIONS[code])(handler)
        return handler

    return decorate
