"""Netflav (placeholder while it is being written)."""

from __future__ import annotations

from nassav.sources.base import Hit, Source


class NetflavSource(Source):
    NAME = "Netflav"

    async def find(self, avid: str) -> Hit:
        raise self.missing("the stream (not written yet)")
