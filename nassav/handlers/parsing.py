"""Request parsing for the validation middleware: JSON bodies whatever their Content-Type (scripts
often send none), and every failure raised as a domain error so the envelope middleware answers it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_apigami.constants import SCHEMAS_ATTR
from marshmallow import Schema, ValidationError
from webargs import core
from webargs.aiohttpparser import AIOHTTPParser

from nassav.errors import BadRequest


class RequestParser(AIOHTTPParser):
    async def load_json(self, req: Any, schema: Schema) -> Any:
        if not req.body_exists:
            return core.missing
        body = await req.read()  # bounded by client_max_size: a larger body is a 413
        if not body.strip():
            return core.missing
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("请求体不是有效的 JSON") from None

    def handle_error(
        self,
        error: ValidationError,
        req: Any,
        schema: Schema,
        *,
        error_status_code: int | None,
        error_headers: Mapping[str, str] | None,
    ) -> NoReturn:
        field_errors = _flatten(error.messages)
        summary = "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in field_errors.items())
        raise BadRequest(f"请求参数错误: {summary}" if summary else "请求参数错误", data=field_errors)


def _flatten(messages: Any) -> dict[str, list[Any]]:
    """webargs nests errors under the location ({"json": {"avid": [...]}}); clients want the fields."""
    if not isinstance(messages, dict):
        return {"_schema": list(messages) if isinstance(messages, list) else [messages]}
    flat: dict[str, list[Any]] = {}
    for location_errors in messages.values():
        if not isinstance(location_errors, dict):
            continue
        for name, errors in location_errors.items():
            flat[str(name)] = errors if isinstance(errors, list) else [errors]
    return flat


VALIDATED = web.RequestKey("validated", dict)
_PARSER = RequestParser()


@web.middleware
async def validation_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Parse every schema a handler declared (``@request_schema``, ``@querystring_schema``, ...)
    and hand the merged result to it under ``VALIDATED``."""
    schemas = getattr(request.match_info.handler, SCHEMAS_ATTR, None)
    if schemas:
        data: dict[str, Any] = {}
        for declared in schemas:
            data.update(await _PARSER.parse(declared.schema, request, location=declared.location, unknown=None))
        request[VALIDATED] = data
    return await handler(request)
