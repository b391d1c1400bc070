"""A local stand-in for the outside web: one real HTTP server per site, pages shaped like the real ones."""

from tests.fakeweb.server import FakeWeb, Site

__all__ = ["FakeWeb", "Site"]
