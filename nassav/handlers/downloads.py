from __future__ import annotations

import json

from aiohttp import web
from aiohttp_apigami import docs, match_info_schema, querystring_schema, request_schema, response_schema

from nassav.downloads.tasks import Task
from nassav.handlers import views
from nassav.handlers.appkeys import services
from nassav.handlers.batch import answer_for
from nassav.handlers.common import error_answers, validated
from nassav.handlers.envelope import ok
from nassav.handlers.resources import VIDEO_ROUTE
from nassav.handlers.schemas import (
    AvidSchema,
    BatchSubmitEnvelope,
    BatchSubmitSchema,
    DeletedVideoEnvelope,
    NamesEnvelope,
    SubmittedEnvelope,
    TaskEnvelope,
    TaskIdPathSchema,
    TaskListEnvelope,
    VideoPathEnvelope,
)

TAGS = ["下载管理"]
SUBMITTED = "下载任务已提交"
SSE_KEEPALIVE_S = 15.0
SSE_PROGRESS_EVERY_S = 0.5


@docs(tags=TAGS, summary="获取已下载的所有视频 avid 列表")
@response_schema(NamesEnvelope, 200)
async def list_downloads(request: web.Request) -> web.Response:
    return ok(services(request).library.videos())


@docs(tags=TAGS, summary="已下载视频的播放地址（data.abspath：本服务的视频接口，浏览器可直接播放）")
@querystring_schema(AvidSchema)
@response_schema(VideoPathEnvelope, 200)
@error_answers(400, 404)
async def video_path(request: web.Request) -> web.Response:
    """The video endpoint's path, never a file system path (that would tell a client how the NAS is laid
    out) nor an API key (the client has it already)."""
    avid = validated(request)["avid"]
    services(request).library.video(avid)  # 404 when there is no video to play
    url = request.app.router[VIDEO_ROUTE].url_for().with_query(avid=avid)
    return ok({"abspath": str(url)})


@docs(tags=TAGS, summary="删除已下载的视频文件（只删除 mp4 文件，保留元数据；先取消该视频的下载任务）")
@match_info_schema(AvidSchema)
@response_schema(DeletedVideoEnvelope, 200)
@error_answers(400, 404)
async def delete_download(request: web.Request) -> web.Response:
    return ok(await services(request).library.delete_video(validated(request)["avid"]))


async def _submit(request: web.Request) -> web.Response:
    return _submitted(await services(request).downloads.submit(validated(request)["avid"]))


def _submitted(task: Task) -> web.Response:
    """The answer of every submit: the single one, by path, and a retry."""
    return ok(views.submitted(task), code=202, message=SUBMITTED)


@docs(tags=TAGS, summary="提交视频下载任务（异步执行，同一 AVID 只排队一次）")
@request_schema(AvidSchema)
@response_schema(SubmittedEnvelope, 202, description="任务已提交")
@response_schema(SubmittedEnvelope, 409, description="视频已下载，或下载任务已存在（data 为 null）")
@error_answers(400, 404)
async def submit_download(request: web.Request) -> web.Response:
    return await _submit(request)


@docs(tags=TAGS, summary="提交视频下载任务（无请求体的别名形式）")
@match_info_schema(AvidSchema)
@response_schema(SubmittedEnvelope, 202, description="任务已提交")
@response_schema(SubmittedEnvelope, 409, description="视频已下载，或下载任务已存在（data 为 null）")
@error_answers(400, 404)
async def submit_download_by_path(request: web.Request) -> web.Response:
    return await _submit(request)


@docs(
    tags=TAGS,
    summary="批量提交下载任务",
    description="每个 AVID 依次按单个提交（`POST /downloads`）处理，结果逐项给出 `{avid, code, message, data}`，"
    "与单个提交的回答相同（202 已提交、409、404；无效的 AVID 为 400）。某一项失败不影响其他项。",
)
@request_schema(BatchSubmitSchema)
@response_schema(BatchSubmitEnvelope, 200)
@error_answers(400, 413)
async def batch_submit(request: web.Request) -> web.Response:
    submit = services(request).downloads.submit
    results = [
        await answer_for(raw, "batch submit of", submit, code=202, message=SUBMITTED, view=views.submitted)
        for raw in validated(request)["avids"]
    ]
    return ok({"results": results})


@docs(tags=TAGS, summary="重试失败或已取消的下载任务（作为新任务提交，回答与单个提交相同）")
@match_info_schema(TaskIdPathSchema)
@response_schema(SubmittedEnvelope, 202, description="任务已提交")
@response_schema(TaskEnvelope, 409, description="任务正在等待、正在下载或已完成；或视频已下载、下载任务已存在")
@error_answers(400, 404)
async def retry_task(request: web.Request) -> web.Response:
    return _submitted(await services(request).downloads.retry(validated(request)["task_id"]))


@docs(tags=TAGS, summary="所有进行中和最近的下载任务（含进度）")
@response_schema(TaskListEnvelope, 200)
async def list_tasks(request: web.Request) -> web.Response:
    return ok([views.task(task) for task in services(request).downloads.tasks()])


@docs(tags=TAGS, summary="一个下载任务的状态与进度")
@match_info_schema(TaskIdPathSchema)
@response_schema(TaskEnvelope, 200)
@error_answers(400, 404)
async def get_task(request: web.Request) -> web.Response:
    return ok(views.task(services(request).downloads.task(validated(request)["task_id"])))


@docs(tags=TAGS, summary="取消下载任务（等待中或进行中）；下载进程立即停止，不留下部分文件")
@match_info_schema(TaskIdPathSchema)
@response_schema(TaskEnvelope, 200)
@response_schema(TaskEnvelope, 409, description="任务已结束，无法取消")
@error_answers(400, 404)
async def cancel_task(request: web.Request) -> web.Response:
    task = await services(request).downloads.cancel(validated(request)["task_id"])
    return ok(views.task(task), message="任务已取消")


@docs(
    tags=TAGS,
    summary="任务变化的实时推送（Server-Sent Events）",
    description="先推送当前所有进行中的任务，之后每次变化推送一条 `event: task`，"
    "进度更新每个任务每秒最多 2 次；空闲时每 15 秒一条注释行保持连接。",
    responses={200: {"description": "text/event-stream"}},
)
async def task_events(request: web.Request) -> web.StreamResponse:
    supervisor = services(request).downloads
    response = web.StreamResponse(headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    response.content_type = "text/event-stream"
    # Listening first: nothing falls between it and the snapshot of the live tasks.
    with supervisor.events.listen(idle_s=SSE_KEEPALIVE_S, progress_every_s=SSE_PROGRESS_EVERY_S) as events:
        try:
            await response.prepare(request)
            for task in supervisor.tasks():
                if task.live:
                    await response.write(_sse(views.task(task)))
            async for event in events:
                await response.write(_sse(views.task(event.task)) if event is not None else b": keep-alive\n\n")
        except ConnectionResetError:  # the client went away: nothing to answer
            pass
    return response


def _sse(data: dict[str, object]) -> bytes:
    return f"event: task\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
