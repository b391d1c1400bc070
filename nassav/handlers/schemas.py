"""marshmallow schemas: what requests may carry, and what responses look like (for OpenAPI)."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from nassav.avid import normalize_avid
from nassav.downloads.tasks import Submission, Task
from nassav.errors import InvalidAvid
from nassav.library.index import Entry
from nassav.library.model import Metadata
from nassav.library.service import DeletedResource, DeletedVideo, Saved
from nassav.library.thumbnails import SIZES

THUMBNAIL_SIZES = tuple(SIZES)


class RequestSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # extra fields (and ?apikey=) are ignored, not rejected


class AvidField(fields.String):
    """An AVID, normalized and validated: what comes out is safe to use as a file name."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_avid(text)
        except InvalidAvid as exc:
            raise ValidationError(exc.message) from None


def _header_safe(value: str) -> None:
    """A cookie goes into an HTTP header as it is: printable ASCII only, and not blank."""
    if not value.strip():
        raise ValidationError("不能为空")
    if not (value.isascii() and value.isprintable()):
        raise ValidationError("只能包含可打印的 ASCII 字符（不能有换行、控制字符或全角符号）")


class BoundedList(fields.List):
    """A list whose length is checked before its items: a huge list is one short error, not one per item."""

    def __init__(self, inner: fields.Field, *, min_items: int, max_items: int, **kwargs: Any) -> None:
        super().__init__(inner, **kwargs)
        self.min_items, self.max_items = min_items, max_items

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, list) and not self.min_items <= len(value) <= self.max_items:
            raise ValidationError(f"需要 {self.min_items} 到 {self.max_items} 项，收到 {len(value)} 项")
        return list(super()._deserialize(value, attr, data, **kwargs))


AVID_DOC = {"description": "视频编号，如 SSIS-469", "example": "SSIS-469"}
MAX_BATCH = 100


class AvidSchema(RequestSchema):
    """Just an AVID: in the query, the path or the body, as each endpoint takes it."""

    avid = AvidField(required=True, metadata=AVID_DOC)


class CoverQuerySchema(AvidSchema):
    size = fields.String(
        load_default=None,
        validate=validate.OneOf(THUMBNAIL_SIZES, error="只能是 {choices} 之一"),
        metadata={
            "description": "缩略图宽度："
            + "、".join(f"{name} ({px} 像素)" for name, px in SIZES.items())
            + "；不传则返回原图",
            "enum": list(THUMBNAIL_SIZES),
        },
    )
    v = fields.String(
        load_default=None,
        metadata={"description": "版本号（任意值，如封面的修改时间）：带 v 的地址可被浏览器永久缓存"},
    )


class BatchSubmitSchema(RequestSchema):
    avids = BoundedList(
        fields.String(),
        min_items=1,
        max_items=MAX_BATCH,
        required=True,
        metadata={"description": f"视频编号列表（1 到 {MAX_BATCH} 个）", "example": ["SSIS-469", "PRED-388"]},
    )


class SourceQuerySchema(RequestSchema):
    source = fields.String(required=True, validate=validate.Length(1, 64), metadata={"example": "jable"})


class CookieRequestSchema(RequestSchema):
    source = fields.String(required=True, validate=validate.Length(1, 64), metadata={"example": "jable"})
    cookie = fields.String(
        required=True,
        validate=[validate.Length(1, 16384), _header_safe],
        metadata={"example": "cf_clearance=xxx; PHPSESSID=xxx"},
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _not_fetched_for_you(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        """Some front ends offer to fetch a cookie (``{"auto": true}``): say what to do instead."""
        if isinstance(original, dict) and original.get("auto") and "cookie" not in original:
            raise ValidationError("NASSAV 不会自动获取 Cookie：请在浏览器中打开该站点，复制其 Cookie 后设置", "cookie")


class AddResourceRequestSchema(RequestSchema):
    avid = AvidField(required=True, metadata=AVID_DOC)
    source = fields.String(
        load_default="any",
        validate=validate.Length(1, 64),
        metadata={"description": '指定下载源（不区分大小写），"any" 表示按优先级遍历所有启用的源', "example": "any"},
    )


class TaskIdPathSchema(RequestSchema):
    task_id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9a-f]{32}$", error="无效的任务 ID"),
        metadata={"example": "0" * 32},
    )


_FIELD_OF_TYPE: dict[type, type[fields.Field]] = {
    str: fields.String,
    int: fields.Integer,
    float: fields.Float,
    bool: fields.Boolean,
}


def schema_of(cls: type, name: str, **more: fields.Field) -> type[Schema]:
    """A response schema with the fields of a dataclass (and ``more``), so that a new field is
    documented the moment it exists: ``X | None`` allows None, a Literal is an enum, a tuple or list
    of strings is a list, a field's metadata is its doc."""
    return Schema.from_dict({**fields_of(cls), **more}, name=name)


def fields_of(cls: type) -> dict[str, fields.Field]:
    hints = typing.get_type_hints(cls)
    return {item.name: _field_of(hints[item.name], dict(item.metadata)) for item in dataclasses.fields(cls)}


def _field_of(hint: Any, metadata: dict[str, Any]) -> fields.Field:
    options = typing.get_args(hint)
    nullable = isinstance(hint, types.UnionType) and type(None) in options
    if nullable:
        (hint,) = [option for option in options if option is not type(None)]
    if typing.get_origin(hint) is Literal:
        values = typing.get_args(hint)
        metadata = {**metadata, "enum": list(values)}
        hint = type(values[0])
    if typing.get_origin(hint) in (tuple, list):
        return fields.List(fields.String(), allow_none=nullable, metadata=metadata)
    return _FIELD_OF_TYPE[hint](allow_none=nullable, metadata=metadata)


TaskSchema = schema_of(Task, "TaskSchema")


class CookieResultSchema(Schema):
    source = fields.String()
    cookie_set = fields.Boolean()


class AvailableSourcesSchema(Schema):
    available_sources = fields.List(fields.String())


class StoredCookieSchema(Schema):
    source = fields.String(metadata={"example": "Jable"})
    cookie = fields.String(
        metadata={"description": "遮盖后的说明，从不返回 Cookie 本身", "example": "已设置（42 个字符）"}
    )
    mtime = fields.String(metadata={"description": "设置时间（ISO 8601）", "example": "2025-01-01T12:00:00+00:00"})


class QueueProgressSchema(Schema):
    percent = fields.Float(metadata={"description": "0 到 100", "example": 45.2})
    speed = fields.String(metadata={"description": "下载速度，未知时为空字符串", "example": "5.2MB/s"})


class PendingTaskSchema(Schema):
    task_id = fields.String()
    avid = fields.String(metadata={"example": "SSIS-469"})
    state = fields.String(metadata={"enum": ["pending", "running"]})


class ActiveTaskSchema(PendingTaskSchema):
    progress = fields.Nested(QueueProgressSchema)


class QueueStatusSchema(Schema):
    active_tasks = fields.List(fields.Nested(ActiveTaskSchema), metadata={"description": "正在下载的任务"})
    pending_tasks = fields.List(fields.Nested(PendingTaskSchema), metadata={"description": "等待中的任务，按执行顺序"})
    active_count = fields.Integer()
    pending_count = fields.Integer()
    total_count = fields.Integer()


class BatchItemSchema(Schema):
    avid = fields.String(metadata={"description": "规范化后的视频编号（无效时为原样）"})
    code = fields.Integer(metadata={"description": "单个提交的状态码：202、404、409 或 400", "example": 202})
    message = fields.String(metadata={"example": "下载任务已提交"})
    data = fields.Raw(allow_none=True, metadata={"description": "单个提交的 data"})


class SubmitResultsSchema(Schema):
    results = fields.List(fields.Nested(BatchItemSchema), metadata={"description": "每个 AVID 一项，顺序与请求相同"})


# The metadata endpoint: the resource's identity and stream, every Metadata field, the video's size.
ResourceMetadataSchema = Schema.from_dict(
    {
        "avid": fields.String(),
        "m3u8": fields.String(),
        "source": fields.String(),
        **fields_of(Metadata),
        "file_size": fields.Integer(allow_none=True),
        "file_exists": fields.Boolean(),
        "original_title": fields.String(metadata={"description": "同 title"}),
        "source_title": fields.String(metadata={"description": "同 title"}),
        "watched": fields.Boolean(),
        "is_favorite": fields.Boolean(),
    },
    name="ResourceMetadataSchema",
)
ResourceSummarySchema = schema_of(Entry, "ResourceSummarySchema")
AddedResourceSchema = schema_of(Saved, "AddedResourceSchema")
SubmittedSchema = schema_of(Submission, "SubmittedSchema")
DeletedResourceSchema = schema_of(DeletedResource, "DeletedResourceSchema")
DeletedVideoSchema = schema_of(DeletedVideo, "DeletedVideoSchema")
VideoPathSchema = Schema.from_dict(
    {"abspath": fields.String(metadata={"description": "浏览器可直接播放的视频地址（本服务的视频接口）"})},
    name="VideoPathSchema",
)


def envelope_of(name: str, data: fields.Field) -> type[Schema]:
    """The response envelope around ``data``, as a named schema for the OpenAPI document."""
    return Schema.from_dict(
        {"code": fields.Integer(required=True), "message": fields.String(required=True), "data": data},
        name=name,
    )


ErrorEnvelope = envelope_of("ErrorEnvelope", fields.Raw(allow_none=True))
AvailableSourcesEnvelope = envelope_of("AvailableSourcesEnvelope", fields.Nested(AvailableSourcesSchema))
NamesEnvelope = envelope_of("NamesEnvelope", fields.List(fields.String()))
CookieEnvelope = envelope_of("CookieEnvelope", fields.Nested(CookieResultSchema))
ResourceListEnvelope = envelope_of("ResourceListEnvelope", fields.List(fields.Nested(ResourceSummarySchema)))
MetadataEnvelope = envelope_of("MetadataEnvelope", fields.Nested(ResourceMetadataSchema))
DeletedResourceEnvelope = envelope_of("DeletedResourceEnvelope", fields.Nested(DeletedResourceSchema))
DeletedVideoEnvelope = envelope_of("DeletedVideoEnvelope", fields.Nested(DeletedVideoSchema))
AddedEnvelope = envelope_of("AddedEnvelope", fields.Nested(AddedResourceSchema))
VideoPathEnvelope = envelope_of("VideoPathEnvelope", fields.Nested(VideoPathSchema))
SubmittedEnvelope = envelope_of("SubmittedEnvelope", fields.Nested(SubmittedSchema))
TaskEnvelope = envelope_of("TaskEnvelope", fields.Nested(TaskSchema))
TaskListEnvelope = envelope_of("TaskListEnvelope", fields.List(fields.Nested(TaskSchema)))
QueueStatusEnvelope = envelope_of("QueueStatusEnvelope", fields.Nested(QueueStatusSchema))
BatchSubmitEnvelope = envelope_of("BatchSubmitEnvelope", fields.Nested(SubmitResultsSchema))
CookieListEnvelope = envelope_of("CookieListEnvelope", fields.List(fields.Nested(StoredCookieSchema)))
