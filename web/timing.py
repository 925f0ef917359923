"""Each HTTP request timed (safeguard_http_request_seconds), labelled by the route's template as
the app declares it (`/api/v1/cases/{case_id}`, never the path asked for, which may hold a case id
or a link's secret), the method (one of the usual few, else "other") and the status. A path no
route matches is "unmatched". FastAPI keeps an included router's routes as declared, without the
prefix it was included under (`/cases/{case_id}` for the API's), so the prefix the path asked for
is put back when it is one of the app's (`prefixes`): a literal, never part of what was asked."""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable

from telemetry.instruments import HTTP_SECONDS

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
UNMATCHED = "unmatched"


def template(scope: dict[str, Any], prefixes: tuple[str, ...]) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not path:
        return UNMATCHED
    asked, regex = scope.get("path", ""), getattr(route, "path_regex", None)
    for prefix in sorted(prefixes, key=len, reverse=True):
        if regex is not None and asked.startswith(prefix + "/") and not path.startswith(prefix + "/") \
                and regex.match(asked[len(prefix):]):
            return prefix + path
    return path


class RequestTiming:
    def __init__(self, app: Callable[..., Awaitable[None]], prefixes: tuple[str, ...] = ()) -> None:
        self.app, self.prefixes = app, prefixes

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = template(scope, self.prefixes)
            method = scope["method"] if scope["method"] in METHODS else "other"
            HTTP_SECONDS.labels(route, method, str(status[0])).observe(time.perf_counter() - started)
