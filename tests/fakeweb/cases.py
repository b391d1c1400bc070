"""Test cases as data: each fake source site declares ``CASES`` beside its pages, and one parametrized
test (tests/test_sources.py) runs every site's cases through the real API.

The stream a hit must find depends on the ports of this run, so it is not data: the site's
``expected_stream(site, avid)`` gives it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.fakeweb.catalogue import MISSING_AVID, VIDEOS

# What the JavBus-style mirrors publish for every video that has a studio; FC2 videos lack label and cast.
FULL_METADATA = ("release_date", "duration", "studio", "label", "actors", "genres")
FC2_METADATA = ("release_date", "duration", "studio", "genres")


@dataclass(frozen=True)
class Case:
    avid: str  # as stored (normalized)
    hit: bool  # found (201) or not on this site (404 naming the site)
    typed: str = ""  # as a client sends it; empty: the AVID itself
    title: str = ""  # a fragment the stored title holds
    metadata: tuple[str, ...] = ()  # fields the stored metadata must have filled in

    def id(self, key: str) -> str:
        return f"{key}-{self.avid}-{'hit' if self.hit else 'miss'}"


def hit(avid: str, *, typed: str = "", metadata: tuple[str, ...] = FULL_METADATA) -> Case:
    """A video the site has; its title is the catalogue's."""
    return Case(avid, True, typed=typed, title=VIDEOS[avid].title, metadata=metadata)


def miss(avid: str = MISSING_AVID, *, typed: str = "") -> Case:
    return Case(avid, False, typed=typed)
