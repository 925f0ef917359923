"""What every route of the API depends on, as `Annotated` dependencies (FastAPI's full-stack
template does the same): who is asking, with the CSRF check for writes; the ports the use cases
take; the app's clock; the request's idempotency key; an "as at" instant."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from casework.inputs import parse_as_at
from casework.ports import Ports
from domain.access import Principal
from web.identity import CSRF_HEADER, asking, check_csrf, web
from web.problems import Problem

IDEMPOTENCY_HEADER = "Idempotency-Key"


async def reader(request: Request) -> Principal:
    """Who is asking (a bearer token, or the session cookie), and from where; 401 if no one.
    It reads the store (a token's and a user's streams, well under a millisecond) on the event
    loop: a hop to a thread would cost more than the read."""
    return asking(request)


async def writer(request: Request, principal: Annotated[Principal, Depends(reader)]) -> Principal:
    """Who is asking, for a state-changing route: with the session cookie, the session's CSRF token
    must come in the X-CSRF-Token header (a bearer token carries no ambient credential)."""
    check_csrf(request, principal, request.headers.get(CSRF_HEADER))
    return principal


def ports_of(request: Request) -> Ports:
    return web(request).ports


def now_of(request: Request) -> datetime:
    return web(request).now().replace(microsecond=0)


KEY_PATTERN = re.compile(r"[!-~]([ -~]{0,198}[!-~])?")  # printable ASCII, no space at either end (HTTP trims it)


def idempotency_key(key: Annotated[str | None, Header(
        alias=IDEMPOTENCY_HEADER, description="a key of yours for this request (1 to 200 printable characters): sent "
        "again with the same key, it is answered as it was first (header Idempotent-Replayed: true) and recorded once",
        json_schema_extra={"pattern": f"^{KEY_PATTERN.pattern}$"})] = None) -> str | None:
    if key is not None and not KEY_PATTERN.fullmatch(key):
        raise Problem(400, f"the {IDEMPOTENCY_HEADER} header must be 1 to 200 printable characters")
    return key


AS_AT_SCHEMA = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}, {"type": "null"}]}


def as_at_of(request: Request, as_at: Annotated[str | None, Query(
        description="as it stood then (not later than now): an ISO date (its end, London) or an instant with its UTC "
        "offset", json_schema_extra=AS_AT_SCHEMA)] = None
             ) -> datetime | None:
    return parse_as_at(as_at, web(request).now(), option="as_at") if as_at is not None else None


Reader = Annotated[Principal, Depends(reader)]
Writer = Annotated[Principal, Depends(writer)]
PortsDep = Annotated[Ports, Depends(ports_of)]
Now = Annotated[datetime, Depends(now_of)]
Key = Annotated[str | None, Depends(idempotency_key)]
AsAt = Annotated[datetime | None, Depends(as_at_of)]
