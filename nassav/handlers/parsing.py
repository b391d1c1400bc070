"""Request validation: the marshmallow schemas a handler declares with aiohttp-apigami's decorators
(``@request_schema``, ``@querystring_schema``, ``@match_info_schema``) are loaded here, and every
failure is raised as a domain error so the error answer (envelope.py) words it.

JSON bodies are read whatever their Content-Type (scripts often send none). Query strings and path
parameters are flat strings that clients repeat (a UI polls the same URLs): their validated form is
kept in a small cache.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.web_protocol import RequestPayloadError
from marshmallow import Schema, ValidationError

from nassav.errors import BadRequest

VALIDATED = web.RequestKey("validated", dict)
CACHE_SIZE = 4096
CACHED_TEXT_CHARS = 512  # what clients repeat (a grid's page, a cover) is short
_JSON_LOCATIONS = ("json",)
_PATH_LOCATIONS = ("match_info", "path")


class RequestValidator:
    def __init__(self) -> None:
        self._loaded: OrderedDict[tuple[int, object], dict[str, Any]] = OrderedDict()

    async def validate(self, request: web.Request, declared: list[Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in declared:
            if item.location in _JSON_LOCATIONS:
                data.update(load(item.schema, await _json_body(request)))
            else:
                data.update(self._load_flat(item.schema, request, in_path=item.location in _PATH_LOCATIONS))
        return data

    def _load_flat(self, schema: Schema, request: web.Request, *, in_path: bool) -> dict[str, Any]:
        # A query string is known by its raw text: one seen before is not even parsed again.
        seen: object = tuple(sorted(request.match_info.items())) if in_path else request.rel_url.raw_query_string
        key = (id(schema), seen)
        loaded = self._loaded.get(key)
        if loaded is None:
            source: Mapping[str, str] = request.match_info if in_path else request.query
            loaded = load(schema, dict(source))
            if len(str(seen)) <= CACHED_TEXT_CHARS:  # long ones are rare, and would fill the memory
                self._loaded[key] = loaded
                if len(self._loaded) > CACHE_SIZE:
                    self._loaded.popitem(last=False)
        else:
            self._loaded.move_to_end(key)
        return dict(loaded)


async def _json_body(request: web.Request) -> Any:
    try:
        body = await request.read() if request.body_exists else b""  # a body over client_max_size is a 413
    except (RequestPayloadError, BadHttpMessage):  # e.g. a body that says gzip and is not
        raise BadRequest("请求体无法读取（压缩格式有误？）") from None
    if not body.strip():
        return {}
    try:
        return json.loads(body, parse_float=_finite, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest("请求体不是有效的 JSON") from None


def _finite(text: str) -> float:
    """Python reads 1e999 as infinity, which no JSON can say back: refused like NaN."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large")
    return value


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python's json reads them by default


def load(schema: Schema, raw: Any) -> dict[str, Any]:
    """``raw`` through ``schema``, or BadRequest naming each failed field (in ``data``)."""
    try:
        return dict(schema.load(raw))
    except ValidationError as exc:
        fields = _by_field(exc.messages)
        summary = "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in fields.items())
        raise BadRequest(f"请求参数错误: {summary}" if summary else "请求参数错误", data=fields) from None


def _by_field(messages: Any) -> dict[str, list[Any]]:
    if not isinstance(messages, dict):
        return {"_schema": list(messages) if isinstance(messages, list) else [messages]}
    return {str(name): errors if isinstance(errors, list) else [errors] for name, errors in messages.items()}
