"""Changing one's own password (pages and API alike), through the use case (casework/passwords.py),
and whether a session's must be changed first: one set before the checks came in that is too easy to
guess (web/identity.py holds such a session to this until it is)."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from casework.passwords import Throttled, change_own_password
from casework.refusals import Refusal
from domain.access import Principal
from web.identity import web
from web.problems import Problem, status_of


def must_change_password(request: Request) -> bool:
    return bool(request.session.get("weak")) if "session" in request.scope else False


def throttled(e: Throttled) -> Problem:
    return Problem(429, e.message, {"Retry-After": str(e.details["wait"])})


async def change_password(request: Request, principal: Principal, current: str, new: str) -> None:
    """Change a signed-in person's own password; a refusal as a Problem (403 a token or a wrong current
    password, 409 an account that signs in through the organisation, 422 a new password refused, 429
    too many wrong ones)."""
    ctx = web(request)
    try:
        await run_in_threadpool(change_own_password, ctx.ports, principal, current, new, ctx.now())
    except Throttled as e:
        raise throttled(e) from None
    except Refusal as e:
        raise Problem(status_of(e), e.message) from None
    request.session.pop("weak", None)
