"""Which sources exist, and which of them are enabled, in what order.

The canonical spelling of each name is what every response uses; input is matched case-insensitively.
"""

from __future__ import annotations

from collections.abc import Iterable

from nassav.errors import UnknownSource

SOURCE_NAMES: tuple[str, ...] = ("Jable", "MissAV", "Hohoj", "Memo", "Kanav", "Avtoday", "Netflav", "Kissav")
_CANONICAL = {name.lower(): name for name in SOURCE_NAMES}


class SourceCatalog:
    """The enabled sources in priority order, and the one place names are resolved."""

    def __init__(self, enabled_keys: Iterable[str]) -> None:
        self.enabled: tuple[str, ...] = tuple(_CANONICAL[key] for key in enabled_keys)

    def resolve(self, name: str) -> str:
        """Canonical spelling of a known source name (enabled or not); UnknownSource otherwise."""
        canonical = _CANONICAL.get(name.strip().lower())
        if canonical is None:
            raise UnknownSource(name, self.enabled)
        return canonical
