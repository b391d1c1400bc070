"""Every ``web.AppKey`` of the application, in one place."""

from __future__ import annotations

import redis.asyncio as aioredis
from aiohttp import web

from nassav.config import Settings
from nassav.http import HttpClient
from nassav.library.adder import ResourceAdder
from nassav.library.files import Library
from nassav.library.service import Resources
from nassav.sources.cookies import Cookies
from nassav.sources.registry import SourceCatalog
from nassav.store import Store
from nassav.supervisor import Supervisor

SETTINGS = web.AppKey("settings", Settings)
CATALOG = web.AppKey("catalog", SourceCatalog)
STORE = web.AppKey("store", Store)
REDIS = web.AppKey("redis", aioredis.Redis)  # absent in embedded mode
LIBRARY = web.AppKey("library", Library)
RESOURCES = web.AppKey("resources", Resources)
COOKIES = web.AppKey("cookies", Cookies)
HTTP = web.AppKey("http", HttpClient)
ADDER = web.AppKey("adder", ResourceAdder)
SUPERVISOR = web.AppKey("supervisor", Supervisor)
