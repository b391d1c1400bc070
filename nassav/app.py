"""The application factory. Nothing is created at import time: every resource with a lifetime is a
single-``yield`` cleanup context, opened in order at start-up and closed in reverse at shutdown."""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp_apigami import setup_aiohttp_apispec

from nassav import __version__
from nassav.config import Settings
from nassav.errors import StartupError
from nassav.handlers import DOCS, OPENAPI, appkeys
from nassav.handlers.guard import guard_for, guarded_routes
from nassav.handlers.routes import ROUTES
from nassav.handlers.sockets import LiveSockets
from nassav.handlers.views import Bodies
from nassav.http import HttpClient
from nassav.library import snapshot
from nassav.library.files import Library
from nassav.library.finder import Finder
from nassav.library.marks import Marks
from nassav.library.preferences import Preferences
from nassav.library.service import LibraryService
from nassav.library.thumbnails import Thumbnails
from nassav.sources.cookies import Cookies
from nassav.sources.registry import SourceCatalog
from nassav.store import Store
from nassav.supervisor import Supervisor

if TYPE_CHECKING:
    import redis.asyncio as aioredis

log = logging.getLogger(__name__)

REDIS_CONNECT_TIMEOUT_S = 2.0
# Every Redis command is a small one: a Redis that has not answered in this time is as good as gone.
REDIS_SOCKET_TIMEOUT_S = 2.0
# Idle pooled connections are checked before use, so one left dead by a Redis restart is replaced.
REDIS_HEALTH_CHECK_S = 30


def create_app(settings: Settings) -> web.Application:
    guard = guard_for(max_body_bytes=settings.server.max_body_bytes, api_key=settings.server.api_key)
    app = web.Application(client_max_size=settings.server.max_body_bytes)
    app[appkeys.SETTINGS] = settings
    app[appkeys.GUARD] = guard
    # Lifetimes open what the service needs, in order; the last one wires the services from them.
    app.cleanup_ctx.extend([store_ctx, redis_ctx, library_ctx, http_ctx, supervisor_ctx, services_ctx])
    app.router.add_routes(guarded_routes(ROUTES, guard))
    setup_openapi(app)
    return app


def setup_openapi(app: web.Application) -> None:
    """OpenAPI 3 at /nassav/api/openapi.json, Swagger UI (bundled, offline) at /nassav/api/docs."""
    with warnings.catch_warnings():
        # aiohttp-apigami 0.x keeps the spec under a plain string key; that is its business.
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        setup_aiohttp_apispec(
            app,
            title="NASSAV API",
            version=__version__,
            url=OPENAPI,
            swagger_path=DOCS,
            static_path=f"{DOCS}/static",
            openapi_version="3.0.3",
            in_place=True,
        )


async def store_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[appkeys.SETTINGS]
    try:
        store = await Store.open(settings.paths.database)
    except Exception as exc:
        raise StartupError(f"cannot open the database {settings.paths.database}: {exc}") from exc
    app[appkeys.STORE] = store
    yield
    await store.close()


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    """Redis is optional: with no [redis] url the service runs embedded, on one machine."""
    url = app[appkeys.SETTINGS].redis.url
    if not url:
        yield
        return
    client = _redis_client(url)
    try:
        await asyncio.wait_for(client.ping(), REDIS_CONNECT_TIMEOUT_S)
    except Exception as exc:
        await client.aclose()
        raise StartupError(f"cannot reach Redis at {redact_url(url)}: {exc}") from exc
    log.info("connected to Redis at %s", redact_url(url))
    app[appkeys.REDIS] = client
    yield
    await client.aclose()


def _redis_client(url: str) -> aioredis.Redis:
    # Imported here: an embedded instance, the common case, never loads the client library.
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialWithJitterBackoff

    return aioredis.from_url(
        url,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S,
        socket_timeout=REDIS_SOCKET_TIMEOUT_S,
        health_check_interval=REDIS_HEALTH_CHECK_S,
        # A connection closed under us is tried again, briefly, on a new one; a Redis that stays away
        # fails the call within a second (the callers then go on without it) instead of redis-py's
        # default ten tries.
        retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=2),
    )


async def library_ctx(app: web.Application) -> AsyncIterator[None]:
    paths = app[appkeys.SETTINGS].paths
    try:
        paths.resource_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(f"cannot create the resource directory {paths.resource_dir}: {exc.strerror}") from exc
    library = Library(paths.resource_dir)
    index_file = snapshot.snapshot_path(paths.database)
    reads = await asyncio.to_thread(library.start, index_file)  # the first full look, off the event loop
    log.info("library at %s: %d resources (%d metadata files read)", paths.resource_dir, len(library.entries()), reads)
    # Kept now, not only at shutdown: a first start, or one after many changes, is not repeated after a crash.
    keeping = asyncio.create_task(asyncio.to_thread(snapshot.save, index_file, library.rows())) if reads else None
    app[appkeys.LIBRARY] = library
    yield
    if keeping is not None:
        await keeping
    await asyncio.to_thread(snapshot.save, index_file, library.rows())


async def http_ctx(app: web.Application) -> AsyncIterator[None]:
    """The one upstream client."""
    http = HttpClient(app[appkeys.SETTINGS].http, app[appkeys.STORE].get_cookie)
    app[appkeys.HTTP] = http
    yield
    await http.close()


async def supervisor_ctx(app: web.Application) -> AsyncIterator[None]:
    """The download supervisor: re-queues interrupted tasks at start, stops its engine at shutdown."""
    supervisor = Supervisor(
        settings=app[appkeys.SETTINGS],
        store=app[appkeys.STORE],
        library=app[appkeys.LIBRARY],
        http=app[appkeys.HTTP],
        redis=app.get(appkeys.REDIS),
    )
    await supervisor.start()
    app[appkeys.SUPERVISOR] = supervisor
    app.on_shutdown.append(_end_event_streams)
    yield
    await supervisor.close()


async def services_ctx(app: web.Application) -> AsyncIterator[None]:
    """The one place the services are built from what the lifetimes opened."""
    settings, http, supervisor = app[appkeys.SETTINGS], app[appkeys.HTTP], app[appkeys.SUPERVISOR]
    catalog = SourceCatalog(settings)
    finder = Finder(catalog, http, settings.scrapers)
    marks = await Marks.load(app[appkeys.STORE])
    app[appkeys.SERVICES] = appkeys.Services(
        catalog=catalog,
        cookies=Cookies(app[appkeys.STORE], catalog),
        library=LibraryService(
            app[appkeys.LIBRARY],
            finder,
            catalog,
            marks,
            supervisor.cancel_avid,
            Thumbnails(settings.paths.thumbnail_dir),
        ),
        downloads=supervisor,
        preferences=await Preferences.load(app[appkeys.STORE]),
        bodies=Bodies(),
        sockets=LiveSockets(),
    )
    yield


async def _end_event_streams(app: web.Application) -> None:
    """At the first moment of a shutdown, before requests are drained: stop the engine (systemd's
    stop timeout is short) and end open event streams and WebSockets, which would hold the drain to
    its timeout."""
    closing = [app[appkeys.SUPERVISOR].close()]
    services = app.get(appkeys.SERVICES)
    if services is not None:
        closing.append(services.sockets.close_all())
    await asyncio.gather(*closing)


def redact_url(url: str) -> str:
    """A URL fit for a log line: the password replaced, in the authority or in the query."""
    url = re.sub(r"^([a-z]+://[^/@:]*:)[^@/]*@", r"\1***@", url)
    return re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", url)
