"""One line per bad config value, naming the key where the user wrote it.

pydantic reports ``('server', 'port')`` and ``int_parsing``; a NAS owner reading a journal needs
``config key [server] port: expected a number, got 'eighty'`` (or the environment variable that
set it), and nothing more.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, get_args

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

# Problems whose wording needs nothing but the error itself.
_PLAIN: dict[str, str] = {
    "int_from_float": "expected an integer",
    "int_type": "expected an integer",
    "float_type": "expected a number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "model_type": "expected a table",
    "dict_type": "expected a table",
    "model_attributes_type": "expected a table",
    "tuple_type": "expected a list of names",
    "list_type": "expected a list of names",
    "string_too_short": "must not be empty",
    "missing": "required (it has no default)",
}
_TABLE = ("model_type", "dict_type", "model_attributes_type")
_BOUNDS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than")


def describe(root: type[BaseModel], error: ErrorDetails, origins: Mapping[tuple[str, ...], str]) -> str:
    """``<where>: <what is wrong>`` for the first validation error, on one line."""
    loc = tuple(str(part) for part in error["loc"])
    parent, field = _locate(root, loc)
    is_table = error["type"] in _TABLE or (error["type"] == "extra_forbidden" and _is_table(error, loc))
    if loc in origins:
        where = f"environment variable {origins[loc]}"
    elif is_table or len(loc) == 1:
        where = f"config key [{'.'.join(loc)}]"
    else:
        where = f"config key [{'.'.join(loc[:-1])}] {loc[-1]}"
    problem = _unknown(parent, root, error, is_table) if error["type"] == "extra_forbidden" else _problem(error, field)
    return f"{where}: {problem}".replace("\n", " ")


def _problem(error: ErrorDetails, field: FieldInfo | None) -> str:
    kind, given = error["type"], error.get("input")
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in ("int_parsing", "float_parsing"):
        return f"expected a number, got {given!r}"
    if kind in ("string_type", "path_type"):
        return f"expected a string, got {type(given).__name__}"
    if kind == "literal_error" and field is not None:
        return f"expected one of {', '.join(map(str, get_args(field.annotation)))}, got {given!r}"
    if kind in _BOUNDS and field is not None:
        return f"must be {_bounds(field)}, got {given}"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def _unknown(parent: type[BaseModel] | None, root: type[BaseModel], error: ErrorDetails, is_table: bool) -> str:
    if parent is root:
        return "unknown section"
    if not is_table or parent is None:
        return "unknown key"
    kind = getattr(parent, "TABLE_KIND", "table")
    known = [field.alias or name for name, field in parent.model_fields.items() if _table_model(field.annotation)]
    return f"unknown {kind}; known: {', '.join(known)}"


def _is_table(error: ErrorDetails, loc: tuple[str, ...]) -> bool:
    return len(loc) == 1 or isinstance(error.get("input"), Mapping)


def _bounds(field: FieldInfo) -> str:
    low = next((m.ge for m in field.metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((m.le for m in field.metadata if isinstance(m, annotated_types.Le)), None)
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _locate(root: type[BaseModel], loc: tuple[str, ...]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The table class that holds the last key of ``loc``, and that key's declaration (if declared)."""
    model: type[BaseModel] | None = root
    for part in loc[:-1]:
        field = _field(model, part) if model is not None else None
        # Not a declared field: a subtable of an open-ended table (a metadata mirror).
        model = _table_model(field.annotation) if field is not None else getattr(model, "TABLE", None)
    return model, _field(model, loc[-1]) if model is not None and loc else None


def _field(model: type[BaseModel], key: str) -> FieldInfo | None:
    return next((f for name, f in model.model_fields.items() if (f.alias or name) == key), None)


def _table_model(annotation: Any) -> type[BaseModel] | None:
    return annotation if inspect.isclass(annotation) and issubclass(annotation, BaseModel) else None
