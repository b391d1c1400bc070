"""A least-recently-used cache bounded by the bytes it holds (covers, answer bodies)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class ByteBudgetCache:
    """A least-recently-used cache bounded by the bytes it holds."""

    def __init__(self, budget_bytes: int) -> None:
        self._budget = budget_bytes
        self._used = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if not size or size > self._budget:
            return  # too large to keep: served, not cached
        replaced = self._items.pop(key, None)
        if replaced is not None:
            self._used -= replaced[1]
        self._items[key] = (value, size)
        self._used += size
        while self._used > self._budget:
            _, (_, dropped) = self._items.popitem(last=False)
            self._used -= dropped
