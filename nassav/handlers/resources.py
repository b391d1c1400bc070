from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, match_info_schema, querystring_schema, request_schema, response_schema

from nassav.handlers import views
from nassav.handlers.appkeys import services
from nassav.handlers.common import error_answers, validated
from nassav.handlers.envelope import ok, raw_envelope, sent_envelope
from nassav.handlers.schemas import (
    AddedEnvelope,
    AddResourceRequestSchema,
    AvailableSourcesEnvelope,
    AvidSchema,
    DeletedResourceEnvelope,
    MetadataEnvelope,
    ResourceListEnvelope,
)

TAGS = ["资源管理"]


@docs(tags=TAGS, summary="获取所有已保存资源的列表")
@response_schema(ResourceListEnvelope, 200)
async def list_resources(request: web.Request) -> web.StreamResponse:
    found = services(request)
    return await sent_envelope(request, found.bodies.listing(found.library.listing()))


@docs(tags=TAGS, summary="获取资源的元数据")
@querystring_schema(AvidSchema)
@response_schema(MetadataEnvelope, 200)
@error_answers(400, 404)
async def resource_metadata(request: web.Request) -> web.Response:
    found = services(request)
    return raw_envelope(found.bodies.metadata(found.library.detail(validated(request)["avid"])))


@docs(
    tags=TAGS,
    summary="根据 avid 获取封面图片",
    responses={200: {"description": "封面图片（Content-Type 为文件的真实类型，通常是 image/jpeg）"}},
)
@querystring_schema(AvidSchema)
@error_answers(400, 404)
async def resource_cover(request: web.Request) -> web.Response:
    cover = await services(request).library.cover(validated(request)["avid"])
    return web.Response(body=cover.body, headers=views.cover_headers(cover.content_type, cover.mtime))


@docs(tags=TAGS, summary="删除整个资源目录（包括 HTML、封面、元数据、视频）")
@match_info_schema(AvidSchema)
@response_schema(DeletedResourceEnvelope, 200)
@error_answers(400, 404)
async def delete_resource(request: web.Request) -> web.Response:
    return ok(await services(request).library.delete(validated(request)["avid"]))


@docs(tags=TAGS, summary="添加新资源：获取标题、下载封面、刮削元数据")
@request_schema(AddResourceRequestSchema)
@response_schema(AddedEnvelope, 201, description="创建成功")
@response_schema(AddedEnvelope, 409, description="资源已存在（data 为现有资源的摘要）")
@response_schema(AvailableSourcesEnvelope, 400, description="源不存在，或请求参数错误")
@error_answers(404)
async def add_resource(request: web.Request) -> web.Response:
    body = validated(request)
    return ok(await services(request).library.add(body["avid"], body["source"]), code=201)


@docs(tags=TAGS, summary="刷新已有资源的元数据和 m3u8 链接（使用原有 source）")
@match_info_schema(AvidSchema)
@response_schema(AddedEnvelope, 200)
@error_answers(400, 404, 502)
async def refresh_resource(request: web.Request) -> web.Response:
    return ok(await services(request).library.refresh(validated(request)["avid"]))
