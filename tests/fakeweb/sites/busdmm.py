"""A mirror of the JavBus-style metadata site (same pages, another origin)."""

from tests.fakeweb.sites.javbus import routes

__all__ = ["routes"]
