"""The NASSAV_* environment as a settings source: ``NASSAV_<SECTION>_<KEY>`` for every key the schema
declares, e.g. ``NASSAV_SERVER_API_KEY``, ``NASSAV_SOURCES_JABLE_BASE_URL``, ``NASSAV_SOURCES_ORDER``.

Names are made from the schema and looked up, never split from a variable's name: keys hold
underscores too (``api_key``), so ``NASSAV_SERVER_API_KEY`` cannot be cut by a delimiter alone.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

ENV_PREFIX = "NASSAV_"


class EnvironmentSource(PydanticBaseSettingsSource):
    """Reads ``env`` along the schema of ``settings_cls``; ``raw`` (the config file) names the tables
    that are open-ended (metadata mirrors), so that theirs are looked up too."""

    def __init__(self, settings_cls: type[BaseModel], env: Mapping[str, str], raw: Mapping[str, Any]) -> None:
        super().__init__(settings_cls)  # type: ignore[arg-type]  # any model: only its fields are read
        self._env = env
        self._raw = raw
        self.origins: dict[tuple[str, ...], str] = {}  # key path -> the variable that set it, for messages

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Required by the interface; this source reads whole tables in __call__ instead.
        value = self._env.get(_variable((field.alias or field_name,)))
        return value, field_name, False

    def __call__(self) -> dict[str, Any]:
        return self._table(self.settings_cls, (), self._raw)

    def _table(self, model: type[BaseModel], path: tuple[str, ...], raw: Any) -> dict[str, Any]:
        raw = raw if isinstance(raw, Mapping) else {}
        found: dict[str, Any] = {}
        for name, field in model.model_fields.items():
            key = field.alias or name
            self._read(found, _table_model(field.annotation), (*path, key), raw.get(key))
        extra_table = getattr(model, "TABLE", None)
        if extra_table is not None:  # an open-ended table: its subtables are named by data, not schema
            for name in model.table_names({**raw, **found}):  # type: ignore[attr-defined]
                self._read(found, extra_table, (*path, name), raw.get(name))
        return found

    def _read(self, found: dict[str, Any], table: type[BaseModel] | None, path: tuple[str, ...], raw: Any) -> None:
        if table is not None:
            values = self._table(table, path, raw)
            if values:
                found[path[-1]] = values
            return
        variable = _variable(path)
        if variable in self._env:  # set but empty counts: NASSAV_SOURCES_ORDER="" means the default order
            found[path[-1]] = self._env[variable]
            self.origins[path] = variable


def _variable(path: tuple[str, ...]) -> str:
    return ENV_PREFIX + "_".join(path).upper()


def _table_model(annotation: Any) -> type[BaseModel] | None:
    return annotation if inspect.isclass(annotation) and issubclass(annotation, BaseModel) else None
