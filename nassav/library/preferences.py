"""The front ends' display preferences (which title to show, whether to show avatars, ...): a small
set of named values that a browser stores on the server, so that every device shows the library the
same way. NASSAV does not act on them; it keeps them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nassav.errors import BadRequest
from nassav.store import Store

MAX_KEYS = 100
# What a front end that never saved anything sees.
DEFAULTS: dict[str, Any] = {"display_title": "source_title", "enable_avatar": "false"}


class Preferences:
    def __init__(self, store: Store, values: dict[str, Any]) -> None:
        self._store = store
        self._values = values

    @classmethod
    async def load(cls, store: Store) -> Preferences:
        values: dict[str, Any] = {}
        for key, text in (await store.load_preferences()).items():
            try:
                values[key] = json.loads(text)
            except ValueError:  # written by hand, or by something else: not ours to guess
                continue
        return cls(store, values)

    def all(self) -> dict[str, Any]:
        return {**DEFAULTS, **self._values}

    async def update(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Keep ``changes`` (the other keys stay as they were); answer every value."""
        if len(self._values.keys() | changes.keys()) > MAX_KEYS:
            raise BadRequest(f"设置项过多（最多 {MAX_KEYS} 项）")
        await self._store.save_preferences(
            {key: json.dumps(value, ensure_ascii=False) for key, value in changes.items()}
        )
        self._values.update(changes)
        return self.all()
