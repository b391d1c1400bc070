"""The explicit registry of sources, and which of them are enabled, in what order.

Adding a source: one module beside this one (its ``NAME`` and default ``BASE_URLS``), one line in
``SOURCE_CLASSES``; config.py derives the source's ``[sources.<name>]`` table from it. The canonical
spelling of each name is what every response uses; input is matched case-insensitively.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nassav.errors import UnknownSource
from nassav.http import HttpClient
from nassav.sources.avtoday import AvtodaySource
from nassav.sources.base import Source
from nassav.sources.hohoj import HohojSource
from nassav.sources.jable import JableSource
from nassav.sources.kanav import KanavSource
from nassav.sources.kissav import KissavSource
from nassav.sources.memo import MemoSource
from nassav.sources.missav import MissAVSource
from nassav.sources.netflav import NetflavSource

if TYPE_CHECKING:  # config derives its defaults from SOURCE_CLASSES: no import back at run time
    from nassav.config import Settings

# Default priority order; Kissav, the generic one, last.
SOURCE_CLASSES: tuple[type[Source], ...] = (
    JableSource,
    MissAVSource,
    HohojSource,
    MemoSource,
    KanavSource,
    AvtodaySource,
    NetflavSource,
    KissavSource,
)
SOURCE_NAMES: tuple[str, ...] = tuple(cls.NAME for cls in SOURCE_CLASSES)
_BY_KEY = {cls.NAME.lower(): cls for cls in SOURCE_CLASSES}


class SourceCatalog:
    """The enabled sources in priority order, and the one place names are resolved."""

    def __init__(self, settings: Settings) -> None:
        self._settings = {s.name: s for s in settings.sources}
        self.enabled: tuple[str, ...] = tuple(_BY_KEY[s.name].NAME for s in settings.sources if s.enabled)

    def resolve(self, name: str) -> str:
        """Canonical spelling of a known source name (enabled or not); UnknownSource otherwise."""
        cls = _BY_KEY.get(name.strip().lower())
        if cls is None:
            raise UnknownSource(name, self.enabled)
        return cls.NAME

    def create(self, name: str, http: HttpClient) -> Source:
        """An instance of the source ``name`` (canonical) with its configured URLs."""
        key = name.lower()
        return _BY_KEY[key](http, self._settings[key])
