from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, request_schema, response_schema

from nassav.handlers.appkeys import services
from nassav.handlers.common import error_answers, validated
from nassav.handlers.envelope import ok
from nassav.handlers.schemas import AvailableSourcesEnvelope, CookieEnvelope, CookieRequestSchema, NamesEnvelope


@docs(tags=["下载源管理"], summary="获取所有可用的下载源名称列表（按优先级）")
@response_schema(NamesEnvelope, 200)
async def list_sources(request: web.Request) -> web.Response:
    return ok(list(services(request).catalog.enabled))


@docs(tags=["下载源管理"], summary="设置指定源的 Cookie（持久化到数据库，不会被回显）")
@request_schema(CookieRequestSchema)
@response_schema(CookieEnvelope, 200)
@response_schema(AvailableSourcesEnvelope, 404, description="源不存在")
@error_answers(400, 413)
async def set_cookie(request: web.Request) -> web.Response:
    body = validated(request)
    source = await services(request).cookies.set(body["source"], body["cookie"])
    return ok({"source": source, "cookie_set": True})
