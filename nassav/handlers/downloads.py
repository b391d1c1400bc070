from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, match_info_schema, response_schema

from nassav import appkeys
from nassav.envelope import ok
from nassav.handlers.common import error_answers, validated
from nassav.handlers.schemas import AvidPathSchema, DeletedVideoEnvelope, NamesEnvelope

TAGS = ["下载管理"]


@docs(tags=TAGS, summary="获取已下载的所有视频 avid 列表")
@response_schema(NamesEnvelope, 200)
async def list_downloads(request: web.Request) -> web.Response:
    return ok(request.app[appkeys.RESOURCES].videos())


@docs(tags=TAGS, summary="删除已下载的视频文件（只删除 mp4 文件，保留元数据）")
@match_info_schema(AvidPathSchema)
@response_schema(DeletedVideoEnvelope, 200)
@error_answers(400, 404)
async def delete_download(request: web.Request) -> web.Response:
    return ok(request.app[appkeys.RESOURCES].delete_video(validated(request)["avid"]))
