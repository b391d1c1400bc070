"""Kanav (placeholder while it is being written)."""

from __future__ import annotations

from nassav.sources.base import Hit, Source


class KanavSource(Source):
    NAME = "Kanav"

    async def find(self, avid: str) -> Hit:
        raise self.missing("the stream (not written yet)")
