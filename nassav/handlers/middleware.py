"""The one middleware: the API key, request validation and error answers, for every request.

aiohttp wraps every handler of an application that has middlewares in each of them and in one layer
of its own; each layer is paid by every request. The three steps therefore share one layer.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from nassav.handlers.envelope import error_answer_for
from nassav.handlers.parsing import RequestValidator, validate
from nassav.handlers.security import api_key_check


def middleware_for(*, max_body_bytes: int, api_key: str) -> Middleware:
    answer_error = error_answer_for(max_body_bytes)
    check_key = api_key_check(api_key) if api_key else None
    validator = RequestValidator()

    @web.middleware
    async def handle(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            if check_key is not None:
                check_key(request)
            await validate(request, validator)
            return await handler(request)
        except Exception as exc:  # every error, ours or the framework's, answers an envelope
            return answer_error(request, exc)

    return handle
