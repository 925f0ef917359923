"""Changing one's own password (pages and API alike), and whether a session's must be changed
first: one set before the checks came in that is too easy to guess (web/identity.py holds such a
session to this until it is)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from domain.access import Principal
from eventstore.accounts import AccountError, verify_password
from web.identity import address, audit, web
from web.problems import Problem


def must_change_password(request: Request) -> bool:
    return bool(request.session.get("weak")) if "session" in request.scope else False


async def change_password(request: Request, principal: Principal, current: str, new: str) -> None:
    """Change a signed-in person's own password: the current one is checked (throttled, as signing
    in is), the new one must not be easy to guess. From a session only: a token cannot set the
    password that signs in with every role."""
    ctx = web(request)
    if principal.session_id is None:
        audit(request, principal, "refused", False, reason="a password change with a token")
        raise Problem(403, "change your password from a signed-in session, not with a token")
    account = await run_in_threadpool(ctx.accounts.account, principal.user_id)
    if account is None or account.password_hash is None:
        raise Problem(409, "your account signs in through your organisation: change your password there")
    keys = [f"user:{principal.user_id}", f"address:{address(request)}"]
    window = timedelta(minutes=ctx.settings.login_window_minutes)
    wait = ctx.throttle.wait(keys, ctx.now(), ctx.settings.login_attempts, window)
    if wait:
        audit(request, principal, "refused", False, reason="throttled")
        raise Problem(429, f"too many wrong passwords: try again in {wait // 60 + 1} minute(s)", {"Retry-After": str(wait)})
    if not await run_in_threadpool(verify_password, current, account.password_hash):
        ctx.throttle.failed(keys, ctx.now())
        audit(request, principal, "refused", False, reason="wrong current password")
        raise Problem(403, "your current password is not right: try again")
    try:
        await run_in_threadpool(ctx.accounts.set_password, principal.user_id, new, principal.user_id, principal.channel,
                                address(request))
    except AccountError as e:
        raise Problem(422, str(e)) from None
    ctx.throttle.succeeded(keys[0])
    request.session.pop("weak", None)
