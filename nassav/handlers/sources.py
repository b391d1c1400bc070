from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, querystring_schema, request_schema, response_schema

from nassav.handlers import views
from nassav.handlers.appkeys import services
from nassav.handlers.common import error_answers, validated
from nassav.handlers.envelope import ok
from nassav.handlers.schemas import (
    AvailableSourcesEnvelope,
    CookieEnvelope,
    CookieListEnvelope,
    CookieRequestSchema,
    NamesEnvelope,
    SourceQuerySchema,
)

TAGS = ["下载源管理"]


@docs(tags=TAGS, summary="获取所有可用的下载源名称列表（按优先级）")
@response_schema(NamesEnvelope, 200)
async def list_sources(request: web.Request) -> web.Response:
    return ok(list(services(request).catalog.enabled))


@docs(tags=TAGS, summary="设置指定源的 Cookie（持久化到数据库，不会被回显）")
@request_schema(CookieRequestSchema)
@response_schema(CookieEnvelope, 200)
@response_schema(AvailableSourcesEnvelope, 404, description="源不存在")
@error_answers(400, 413)
async def set_cookie(request: web.Request) -> web.Response:
    body = validated(request)
    source = await services(request).cookies.set(body["source"], body["cookie"])
    return ok({"source": source, "cookie_set": True})


@docs(tags=TAGS, summary="已设置 Cookie 的源（Cookie 本身从不返回：只有遮盖后的说明和设置时间）")
@response_schema(CookieListEnvelope, 200)
async def list_cookies(request: web.Request) -> web.Response:
    return ok([views.stored_cookie(item) for item in await services(request).cookies.stored()])


@docs(tags=TAGS, summary="删除指定源的 Cookie（之后的请求不再携带）")
@querystring_schema(SourceQuerySchema)
@response_schema(CookieEnvelope, 200)
@response_schema(AvailableSourcesEnvelope, 400, description="源不存在，或请求参数错误")
@error_answers(404)
async def delete_cookie(request: web.Request) -> web.Response:
    source = await services(request).cookies.delete(validated(request)["source"])
    return ok({"source": source, "cookie_set": False}, message="Cookie 已删除")
