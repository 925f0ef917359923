"""Errors as problem details (RFC 9457, `application/problem+json`), in the words the CLI uses.

A casework refusal keeps its message (casework/errors.py, the case's decider); only its status
is chosen here: an unknown case 404, a closed case or a step already done 409, Temporal or the
store unreachable 503, any other refusal of the input 422.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from casework.errors import CaseworkError, NotYetRecorded, Unavailable
from cli.common import CommandError
from eventstore.keys import Erased

PROBLEM = "application/problem+json"
TITLES = {400: "Bad request", 401: "Not signed in", 403: "Not allowed", 404: "Not found", 405: "Method not allowed",
          409: "Conflict", 410: "Gone", 413: "Request too large", 415: "Unsupported media type", 422: "Refused",
          429: "Too many attempts", 503: "Unavailable"}
# a refusal meaning the request met the case in a state that does not allow it (not a bad input)
CONFLICT = ("is closed", "is already", "already exists", "is no longer running", "is not open",
            "no outstanding escalation", "only a proposed process")


class Problem(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers, self.extra = status, detail, headers or {}, extra


def status_of(e: CaseworkError) -> int:
    message = str(e)
    if isinstance(e, Unavailable) or "try again in a moment" in message:  # still being raised or opened
        return 503
    if message.startswith(("no case ", "no provider-concern process")):
        return 404
    if any(c in message for c in CONFLICT):
        return 409
    return 422


def problem_response(status: int, detail: str, instance: str | None = None, headers: dict[str, str] | None = None,
                     **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail,
            **({"instance": instance} if instance else {}), **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, e: Problem) -> JSONResponse:
        return problem_response(e.status, e.detail, request.url.path, e.headers, **e.extra)

    @app.exception_handler(NotYetRecorded)
    async def _not_yet(request: Request, e: NotYetRecorded) -> JSONResponse:
        settings = request.app.state.web.settings
        return problem_response(503, e.explain(settings.store_name(), settings.task_queue), request.url.path,
                                case_id=e.case_id, accepted=e.accepted)

    @app.exception_handler(CaseworkError)
    async def _casework(request: Request, e: CaseworkError) -> JSONResponse:
        return problem_response(status_of(e), str(e), request.url.path)

    @app.exception_handler(Erased)
    async def _erased(request: Request, e: Erased) -> JSONResponse:  # a case erased under retention: gone for good
        return problem_response(410, f"erased under retention on {e.on}", request.url.path)

    @app.exception_handler(CommandError)
    async def _bad_input(request: Request, e: CommandError) -> JSONResponse:
        return problem_response(422 if "not valid JSON" not in str(e) else 400, str(e), request.url.path)

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
            parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return problem_response(422, "; ".join(parts), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> JSONResponse:
        return problem_response(e.status_code, str(e.detail), request.url.path, dict(e.headers or {}))
