"""Browsing a large library, and what front ends note and keep about it: pages of resources, the
actors and genres, watched and favourite, display preferences, batches of resource actions."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp_apigami import docs, match_info_schema, querystring_schema, request_schema, response_schema

from nassav.handlers import views
from nassav.handlers.appkeys import Services, services
from nassav.handlers.batch import answer_for, per_avid
from nassav.handlers.browse_schemas import (
    BatchEnvelope,
    BatchRequestSchema,
    BrowsedEnvelope,
    MarkEnvelope,
    MarkRequestSchema,
    PreferencesEnvelope,
    PreferencesRequestSchema,
    ResourceQuerySchema,
    TagPageEnvelope,
    TagQuerySchema,
)
from nassav.handlers.common import error_answers, validated
from nassav.handlers.envelope import ok, raw_envelope
from nassav.handlers.schemas import AvidSchema
from nassav.library.browse import Query, TagKind, TagQuery

TAGS = ["资源浏览"]


@docs(tags=TAGS, summary="资源列表：搜索、筛选、排序、分页（pagination 与 data 并列）")
@querystring_schema(ResourceQuerySchema)
@response_schema(BrowsedEnvelope, 200)
@error_answers(400)
async def browse_resources(request: web.Request) -> web.Response:
    found, query = services(request), _resource_query(tuple(validated(request).items()))
    make = lambda: views.paged(found.library.browse(query), views.browsed)  # noqa: E731
    return raw_envelope(found.bodies.page(("resources", query), found.library.browse_version(), make))


# Clients ask for the same pages again and again: each query is worked out once (the schema gives
# its fields in one order, so equal queries give equal keys).
@functools.lru_cache(maxsize=1024)
def _resource_query(asked: tuple[tuple[str, Any], ...]) -> Query:
    fields = dict(asked)
    return Query(
        **{name: fields[name] for name in ("search", "status", "actor", "genre", "watched", "is_favorite", "sort_by")},
        sources=fields["source"],
        order=fields["order"] or "asc",
        page=fields["page"],
        page_size=fields["page_size"],
    )


@functools.lru_cache(maxsize=1024)
def _tag_query(asked: tuple[tuple[str, Any], ...]) -> TagQuery:
    fields = dict(asked)
    order = fields["order"] or ("desc" if fields["order_by"] == "count" else "asc")
    return TagQuery(**{name: fields[name] for name in ("search", "order_by", "id", "page", "page_size")}, order=order)


def _tags(request: web.Request, kind: TagKind) -> web.Response:
    found, query = services(request), _tag_query(tuple(validated(request).items()))
    make = lambda: views.paged(found.library.tags(kind, query), views.tag)  # noqa: E731
    return raw_envelope(found.bodies.page((kind, query), found.library.browse_version(), make))


@docs(tags=TAGS, summary="演员列表（id 稳定；按资源数或名字排序，分页）")
@querystring_schema(TagQuerySchema)
@response_schema(TagPageEnvelope, 200)
@error_answers(400)
async def list_actors(request: web.Request) -> web.Response:
    return _tags(request, "actors")


@docs(tags=TAGS, summary="类别列表（id 稳定；按资源数或名字排序，分页）")
@querystring_schema(TagQuerySchema)
@response_schema(TagPageEnvelope, 200)
@error_answers(400)
async def list_genres(request: web.Request) -> web.Response:
    return _tags(request, "genres")


@docs(tags=TAGS, summary="标记资源为已观看/收藏（只改给出的字段）")
@match_info_schema(AvidSchema)
@request_schema(MarkRequestSchema)
@response_schema(MarkEnvelope, 200)
@error_answers(400, 404)
async def mark_resource(request: web.Request) -> web.Response:
    asked = validated(request)
    noted = await services(request).library.mark(
        asked["avid"], watched=asked["watched"], is_favorite=asked["is_favorite"]
    )
    return ok(views.mark(asked["avid"], noted))


@docs(tags=["设置"], summary="获取前端的显示设置")
@response_schema(PreferencesEnvelope, 200)
async def get_preferences(request: web.Request) -> web.Response:
    return ok(services(request).preferences.all())


@docs(tags=["设置"], summary="保存前端的显示设置（只改给出的项）")
@request_schema(PreferencesRequestSchema)
@response_schema(PreferencesEnvelope, 200)
@error_answers(400, 413)
async def put_preferences(request: web.Request) -> web.Response:
    return ok(await services(request).preferences.update(validated(request)))


@docs(tags=TAGS, summary="批量操作资源：add / refresh / delete-video / delete-all（每项的结果同单个请求）")
@request_schema(BatchRequestSchema)
@response_schema(BatchEnvelope, 200)
@error_answers(400, 413)
async def batch(request: web.Request) -> web.Response:
    found = services(request)
    results = await per_avid(validated(request)["actions"], lambda action: action["avid"], lambda a: _act(found, a))
    return ok({"results": results})


async def _act(found: Services, action: dict[str, Any]) -> dict[str, Any]:
    name, library = action["action"], found.library
    calls: dict[str, Callable[[str], Awaitable[Any]]] = {
        "add": lambda avid: library.add(avid, action["source"]),
        "refresh": library.refresh,
        "delete-video": library.delete_video,
        "delete-all": library.delete,
    }
    code = 201 if name == "add" else 200  # what each single call answers on success
    return {"action": name, **await answer_for(action["avid"], f"batch {name}", calls[name], code=code)}
