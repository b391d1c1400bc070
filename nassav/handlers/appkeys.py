"""Every ``web.AppKey`` of the application, in one place: what the lifetimes open, and the services
built from them last (app.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from nassav.config import Settings
from nassav.handlers.guard import Guard
from nassav.handlers.sockets import LiveSockets
from nassav.handlers.views import Bodies
from nassav.http import HttpClient
from nassav.library.files import Library
from nassav.library.preferences import Preferences
from nassav.library.service import LibraryService
from nassav.sources.cookies import Cookies
from nassav.sources.registry import SourceCatalog
from nassav.store import Store
from nassav.supervisor import Supervisor

if TYPE_CHECKING:
    import redis.asyncio as aioredis


@dataclass(frozen=True, kw_only=True)
class Services:
    """What handlers call: one object per concern."""

    catalog: SourceCatalog
    cookies: Cookies
    library: LibraryService
    downloads: Supervisor
    preferences: Preferences
    bodies: Bodies  # the web layer's cached answers
    sockets: LiveSockets  # the web layer's open WebSockets


SETTINGS = web.AppKey("settings", Settings)
GUARD: web.AppKey[Guard] = web.AppKey("guard")  # what every route's handler runs in
STORE = web.AppKey("store", Store)
# Absent in embedded mode, which never loads the client library: the key names its type only for checkers.
REDIS: web.AppKey[aioredis.Redis] = web.AppKey("redis")
LIBRARY = web.AppKey("library", Library)
HTTP = web.AppKey("http", HttpClient)
SUPERVISOR = web.AppKey("supervisor", Supervisor)
SERVICES = web.AppKey("services", Services)


def services(request: web.Request) -> Services:
    return request.app[SERVICES]
