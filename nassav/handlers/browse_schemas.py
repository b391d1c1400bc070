"""Schemas of the browsing endpoints: what their queries and bodies may carry, what they answer."""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from nassav.handlers.schemas import MAX_BATCH, BoundedList, RequestSchema, envelope_of
from nassav.library.browse import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SORT_KEYS, SORT_SYNONYMS

MAX_PAGE = 1_000_000
MAX_TEXT = 200
MAX_PREFERENCES = 50
_PREFERENCE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


class SourcesField(fields.String):
    """A comma-separated list of source names: ``jable,missav``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple[str, ...]:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > MAX_TEXT:
            raise ValidationError(f"最多 {MAX_TEXT} 个字符")
        return tuple(name.strip() for name in text.split(",") if name.strip())


class StrictBoolean(fields.Boolean):
    """A JSON true or false, nothing that merely looks like one ("yes", 1, "on")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(truthy={True}, falsy={False}, **kwargs)


class PagedQuerySchema(RequestSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE), metadata={"example": 1})
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(1, MAX_PAGE_SIZE), metadata={"example": 48}
    )
    order = fields.String(load_default=None, validate=validate.OneOf(["asc", "desc"]))


class ResourceQuerySchema(PagedQuerySchema):
    search = fields.String(
        load_default="", validate=validate.Length(0, MAX_TEXT), metadata={"description": "视频编号、标题或演员"}
    )
    status = fields.String(load_default="all", validate=validate.OneOf(["downloaded", "pending", "all"]))
    source = SourcesField(data_key="source", load_default=(), metadata={"example": "jable,missav"})
    actor = fields.String(
        load_default="", validate=validate.Length(0, MAX_TEXT), metadata={"description": "演员的 id 或名字"}
    )
    genre = fields.String(
        load_default="", validate=validate.Length(0, MAX_TEXT), metadata={"description": "类别的 id 或名字"}
    )
    watched = fields.Boolean(load_default=None)
    is_favorite = fields.Boolean(load_default=None)
    sort_by = fields.String(load_default="avid", validate=validate.OneOf([*SORT_KEYS, *SORT_SYNONYMS]))


class TagQuerySchema(PagedQuerySchema):
    search = fields.String(load_default="", validate=validate.Length(0, MAX_TEXT))
    order_by = fields.String(load_default="count", validate=validate.OneOf(["count", "name"]))
    id = fields.Integer(load_default=None, validate=validate.Range(0, 2**53))


class MarkRequestSchema(RequestSchema):
    watched = StrictBoolean(load_default=None, allow_none=True)
    is_favorite = StrictBoolean(load_default=None, allow_none=True)

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("watched") is None and data.get("is_favorite") is None:
            raise ValidationError("至少给出 watched 或 is_favorite 之一", "_schema")


class PreferencesRequestSchema(Schema):
    """Named display values, whatever their names: a name of letters, digits and _, a value that is
    a string, a number, a boolean or null."""

    class Meta:
        unknown = INCLUDE

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) > MAX_PREFERENCES:
            raise ValidationError(f"最多 {MAX_PREFERENCES} 项", "_schema")
        for key, item in data.items():
            if not _PREFERENCE_KEY.match(key):
                raise ValidationError("设置名只能包含字母、数字和下划线，以字母开头", "_schema")
            if not (item is None or isinstance(item, str | int | float | bool)) or len(str(item)) > 1000:
                raise ValidationError("值应为不超过 1000 字符的字符串、数字或布尔值", key)
            if (isinstance(item, float) and not math.isfinite(item)) or not _storable(str(item)):
                raise ValidationError("值无效（非有限数，或含无法存储的字符）", key)


class BatchActionSchema(RequestSchema):
    action = fields.String(required=True, validate=validate.OneOf(["add", "refresh", "delete-video", "delete-all"]))
    # Checked per action, as its single call checks it: a bad AVID fails its own action, not the batch.
    avid = fields.String(required=True, validate=validate.Length(1, 64), metadata={"example": "SSIS-469"})
    source = fields.String(load_default="any", validate=validate.Length(1, 64))


class BatchRequestSchema(RequestSchema):
    actions = BoundedList(fields.Nested(BatchActionSchema), min_items=1, max_items=MAX_BATCH, required=True)


def _storable(text: str) -> bool:
    """Text UTF-8 can carry (JSON lets a lone surrogate through, a database does not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- answers (for the OpenAPI document) ------------------------------------------------------

PaginationSchema = Schema.from_dict(
    {name: fields.Integer() for name in ("total", "page", "page_size", "pages")}, name="PaginationSchema"
)
BrowsedResourceSchema = Schema.from_dict(
    {
        **{name: fields.String() for name in ("avid", "title", "original_title", "source_title", "source")},
        "release_date": fields.String(),
        "has_video": fields.Boolean(),
        "actors": fields.List(fields.String()),
        "genres": fields.List(fields.String()),
        **{
            name: fields.Integer(allow_none=True, metadata={"description": "Unix 时间（秒）"})
            for name in ("added_at", "updated_at", "metadata_create_time", "metadata_update_time")
        },
        "video_create_time": fields.Integer(allow_none=True, metadata={"description": "视频到达的 Unix 时间（秒）"}),
        "thumbnail_url": fields.String(),
        "watched": fields.Boolean(),
        "is_favorite": fields.Boolean(),
    },
    name="BrowsedResourceSchema",
)
TagSchema = Schema.from_dict(
    {"id": fields.Integer(), "name": fields.String(), "resource_count": fields.Integer()}, name="TagSchema"
)
MarkSchema = Schema.from_dict(
    {"avid": fields.String(), "watched": fields.Boolean(), "is_favorite": fields.Boolean()}, name="MarkSchema"
)
ActionResultSchema = Schema.from_dict(
    {
        "action": fields.String(),
        "avid": fields.String(),
        "code": fields.Integer(),
        "message": fields.String(),
        "data": fields.Raw(allow_none=True, metadata={"description": "单个请求会返回的 data"}),
    },
    name="ActionResultSchema",
)


def paged_envelope_of(name: str, item: type[Schema]) -> type[Schema]:
    return Schema.from_dict(
        {
            "code": fields.Integer(required=True),
            "message": fields.String(required=True),
            "data": fields.List(fields.Nested(item)),
            "pagination": fields.Nested(PaginationSchema),
        },
        name=name,
    )


BrowsedEnvelope = paged_envelope_of("BrowsedEnvelope", BrowsedResourceSchema)
TagPageEnvelope = paged_envelope_of("TagPageEnvelope", TagSchema)
MarkEnvelope = envelope_of("MarkEnvelope", fields.Nested(MarkSchema))
PreferencesEnvelope = envelope_of("PreferencesEnvelope", fields.Dict(keys=fields.String()))
BatchEnvelope = envelope_of(
    "BatchEnvelope",
    fields.Nested(
        Schema.from_dict({"results": fields.List(fields.Nested(ActionResultSchema))}, name="ActionResultsSchema")
    ),
)
