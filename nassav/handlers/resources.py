from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, match_info_schema, querystring_schema, request_schema, response_schema

from nassav.handlers import conditional
from nassav.handlers.appkeys import services
from nassav.handlers.common import error_answers, validated
from nassav.handlers.envelope import ok, raw_envelope, sent_envelope
from nassav.handlers.schemas import (
    AddedEnvelope,
    AddResourceRequestSchema,
    AvailableSourcesEnvelope,
    AvidSchema,
    CoverQuerySchema,
    DeletedResourceEnvelope,
    MetadataEnvelope,
    ResourceListEnvelope,
)

TAGS = ["资源管理"]
VIDEO_ROUTE = "resource-video"  # the route's name: /downloads/abspath points at it


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
    summary="根据 avid 获取封面图片（或其缩略图）",
    description="不传 size 时返回原图，Content-Type 为文件的真实类型；传 size 时返回该宽度的 JPEG 缩略图"
    "（保持宽高比，不放大）。带 ETag、Last-Modified，支持 If-None-Match / If-Modified-Since（304）。"
    "带任意 v 参数（如封面的修改时间）的地址视为固定版本，可永久缓存；否则浏览器每次重新验证。",
    responses={
        200: {"description": "封面图片（原图为文件的真实类型，通常是 image/jpeg；缩略图为 image/jpeg）"},
        304: {"description": "未修改（无响应体）"},
    },
)
@querystring_schema(CoverQuerySchema)
@error_answers(400, 404)
async def resource_cover(request: web.Request) -> web.Response:
    query = validated(request)
    cover = await services(request).library.cover(query["avid"], query["size"])
    # Kept for good only under the URL of this very version: a stale page's URL is checked each time.
    versioned = query["v"] == str(cover.version)
    if conditional.is_fresh(request, cover.etag, cover.mtime):
        return web.Response(status=304, headers=conditional.not_modified_headers(cover.mtime, cover.etag, versioned))
    headers = conditional.picture_headers(cover.content_type, cover.mtime, cover.etag, versioned)
    return web.Response(body=cover.body, headers=headers)


@docs(
    tags=TAGS,
    summary="播放已下载的视频（mp4，支持 Range 断点/拖动）",
    responses={
        200: {"description": "整个视频（video/mp4）"},
        206: {"description": "Range 请求的部分内容，带 Content-Range"},
        304: {"description": "未修改（无响应体）"},
    },
)
@querystring_schema(AvidSchema)
@error_answers(400, 404, 416)
async def resource_video(request: web.Request) -> web.StreamResponse:
    video = services(request).library.video(validated(request)["avid"])
    if conditional.unsatisfiable_range(request, video.size, video.mtime):
        return conditional.range_not_satisfiable(video.size)
    return web.FileResponse(video.path, headers={"Content-Type": "video/mp4"})


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
