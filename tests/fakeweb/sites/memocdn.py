"""The memocdn CDN: the same streams as the generic one (tests/fakeweb/sites/cdn.py)."""

from tests.fakeweb.sites.cdn import routes

__all__ = ["routes"]
