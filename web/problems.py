"""Errors as problem details (RFC 9457, `application/problem+json`), in the words the CLI uses.

A refusal keeps its message (casework's, or the case's decider's); its status is chosen by its
class, never its words: an unknown case 404, not allowed 403, a closed case or a step already done
409, erased 410, Temporal or the store unreachable 503, any other refusal of the input 422.
"""

from __future__ import annotations

import re
from typing import Any

import structlog
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from casework.refusals import (
    AlreadyDone,
    Conflict,
    Gone,
    Malformed,
    NotFound,
    NotOpen,
    NotPermitted,
    NotYetRecorded,
    Refusal,
    Unavailable,
)
from eventstore.keys import Erased
from eventstore.master_keys import NotHeld
from web.headers import security_headers

log = structlog.get_logger("safeguard.web")

PROBLEM = "application/problem+json"
TITLES = {400: "Bad request", 401: "Not signed in", 403: "Not allowed", 404: "Not found", 405: "Method not allowed",
          409: "Conflict", 410: "Gone", 413: "Request too large", 415: "Unsupported media type", 422: "Refused",
          429: "Too many attempts", 500: "A fault in Safeguard", 503: "Unavailable"}
STATUS: tuple[tuple[type[Refusal], int], ...] = (
    (NotFound, 404), (NotPermitted, 403), (NotOpen, 409), (AlreadyDone, 409), (Conflict, 409), (Malformed, 400),
    (Gone, 410), (Unavailable, 503),
)


FAULT = ("Safeguard could not answer because of a fault of its own. It has been logged. Check whether what you "
         "did was recorded before you try again, and tell your administrator if it happens again.")


KEY_NOT_HELD = ("Safeguard cannot open this record on this server: it is locked with a newer key than this server "
                "has been given. Nothing was changed. Tell your administrator: the people who run Safeguard need to "
                "give this server the newest master key and restart it.")


class Problem(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers, self.extra = status, detail, headers or {}, extra


def status_of(e: Refusal) -> int:
    return next((status for kind, status in STATUS if isinstance(e, kind)), 422)


def detail_of(e: Refusal, settings: Any) -> str:
    """The refusal's words as the API gives them."""
    if isinstance(e, NotYetRecorded):
        return e.explain(settings.store_name(), settings.task_queue)
    if isinstance(e, Gone) and "on" in e.details:
        return f"erased under retention on {e.details['on']}"
    return e.message


def problem_response(status: int, detail: str, instance: str | None = None, headers: dict[str, str] | None = None,
                     **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail,
            **({"instance": instance} if instance else {}), **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _what(request: Request) -> str | None:
    """The name of the route's body (`Body.what`), for a refusal of its shape."""
    from web.api.strict import body_model

    model = body_model(request.scope.get("route"))
    return model.what if model is not None else None


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, e: Problem) -> JSONResponse:
        return problem_response(e.status, e.detail, request.url.path, e.headers, **e.extra)

    @app.exception_handler(Refusal)
    async def _refusal(request: Request, e: Refusal) -> JSONResponse:
        extra = {"case_id": e.case_id, "accepted": e.accepted} if isinstance(e, NotYetRecorded) else {}
        return problem_response(status_of(e), detail_of(e, request.app.state.web.settings), request.url.path, **extra)

    @app.exception_handler(Erased)
    async def _erased(request: Request, e: Erased) -> JSONResponse:  # a case erased under retention: gone for good
        return problem_response(410, f"erased under retention on {e.on}", request.url.path)

    @app.exception_handler(NotHeld)
    async def _not_held(request: Request, e: NotHeld) -> Any:
        # keys rotated on another host after this one started: the operator's log names the version;
        # the person is answered as their face speaks (the pages' Problem handler, when installed)
        log.error("a key is wrapped under a master-key version not configured here", version=e.version,
                  path=request.scope.get("route").path if request.scope.get("route") else None)
        return await request.app.exception_handlers[Problem](request, Problem(503, KEY_NOT_HELD))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _store(request: Request, e: Exception) -> JSONResponse:
        return problem_response(503, f"the event store ({request.app.state.web.settings.store_name()}) failed: {e}",
                                request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, e: RequestValidationError) -> JSONResponse:
        parts = []
        for err in e.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "header", "body"))
            msg = str(err.get("msg")).removeprefix("Value error, ")
            parts.append(f"{where}: {msg}" if where else msg)
        about_body = any(tuple(err.get("loc", ()))[:1] == ("body",) for err in e.errors())
        what = _what(request) if about_body else None
        return problem_response(422, (f"{what}: " if what else "") + "; ".join(parts), request.url.path)

    @app.exception_handler(Exception)
    async def _fault(request: Request, e: Exception) -> JSONResponse:
        return problem_response(500, FAULT, request.url.path, security_headers(request.url.path, request.url.scheme))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> JSONResponse:
        headers = dict(e.headers or {})
        if e.status_code == 405 and (methods := allowed_methods(request)):  # Starlette names its first route's only
            headers["Allow"] = ", ".join(methods)
        return problem_response(e.status_code, str(e.detail), request.url.path, headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method the API answers at this path, from its OpenAPI document (a page: none named). A
    path written out in full (`/provider-processes/steps`) is its own resource, not a value of a
    templated one beside it."""
    found: dict[bool, set[str]] = {True: set(), False: set()}
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), request.url.path):
            found["{" not in template] |= {m.upper() for m in operations}
    methods = found[True] or found[False]
    return sorted(methods | ({"HEAD"} if "GET" in methods else set()))
