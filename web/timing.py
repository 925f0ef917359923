"""Each HTTP request timed (safeguard_http_request_seconds), labelled by the route's template as
the app declares it (`/api/v1/cases/{case_id}`, never the path asked for, which may hold a case id
or a link's secret), the method (one of the usual few, else "other") and the status. A path no
route matches is "unmatched"."""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable

from telemetry.instruments import HTTP_SECONDS

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
UNMATCHED = "unmatched"


class RequestTiming:
    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

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
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = scope["method"] if scope["method"] in METHODS else "other"
            HTTP_SECONDS.labels(route, method, str(status[0])).observe(time.perf_counter() - started)
