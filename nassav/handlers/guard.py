"""The guard every handler runs in: the API key, request validation and error answers.

It wraps each handler once, when the routes are added, rather than being a middleware: aiohttp sends
every request of an application that has middlewares through layers of its own, which cost the small
answers about a tenth of their speed. A path no route has reaches the one catch-all route, guarded
too, which answers the 404 or 405 the router would have.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_apigami.constants import SCHEMAS_ATTR

from nassav.handlers.envelope import error_answer_for
from nassav.handlers.parsing import VALIDATED, RequestValidator
from nassav.handlers.security import api_key_check

Guard = Callable[[Handler], Handler]
ANY_PATH = "/{tail:.*}"


def guard_for(*, max_body_bytes: int, api_key: str) -> Guard:
    answer_error = error_answer_for(max_body_bytes)
    check_key = api_key_check(api_key) if api_key else None
    validator = RequestValidator()

    def guard(handler: Handler) -> Handler:
        declared = getattr(handler, SCHEMAS_ATTR, None)  # what the handler's decorators ask to validate

        @functools.wraps(handler)  # the OpenAPI document reads the decorators' marks off the handler
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                if check_key is not None:
                    check_key(request)
                if declared:
                    request[VALIDATED] = await validator.validate(request, declared)
                return await handler(request)
            except Exception as exc:  # every error, ours or the framework's, answers an envelope
                return answer_error(request, exc)

        return guarded

    return guard


def guarded_routes(routes: Iterable[web.RouteDef], guard: Guard) -> list[web.RouteDef]:
    """``routes`` with their handlers guarded, and the catch-all last."""
    guarded = [web.RouteDef(route.method, route.path, guard(route.handler), route.kwargs) for route in routes]
    return [*guarded, web.route("*", ANY_PATH, guard(no_route))]


async def no_route(request: web.Request) -> web.StreamResponse:
    """What the router answers when no route matches: 405 with the methods the path has, else 404.
    (The router finds this route only after every other, so it is asked again without it.)"""
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not request.match_info.route.resource:
            _, methods = await resource.resolve(request)
            allowed |= methods
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)
    raise web.HTTPNotFound()
