"""Who is asking: a browser session or an API token, as a `Principal`; signing in and out; CSRF.

- `current_principal` (a FastAPI dependency) answers the principal or refuses with 401: a bearer
  token (`Authorization: Bearer sgt_...`) or the session cookie, whose inactivity ends it.
- `require_csrf` refuses a state-changing request made with the session cookie unless it carries
  the session's CSRF token (header `X-CSRF-Token`, or a form's `csrf_token` field). Requests
  with a bearer token carry no ambient credential and need none.
- `audit` appends a line to the access audit (never record text).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from cli.common import CommandError, parse_json
from domain.access import Assignment, Principal
from eventstore.accounts import AccountError, verify_password
from web.context import API, WebContext
from web.problems import Problem

TOKEN_USE_EVERY = timedelta(minutes=1)  # a token's use is recorded at most this often (its "last use")
_last_use: dict[str, datetime] = {}  # per process: when each token's use was last recorded
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "X-CSRF-Token"

router = APIRouter(tags=["session"])


def web(request: Request) -> WebContext:
    return request.app.state.web


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def audit(request: Request, principal: Principal | None, action: str, allowed: bool, case_id: str | None = None,
          service: str | None = None, reason: str | None = None, target: str | None = None) -> None:
    """One line of the access audit for this request: who, what (method and route), from where."""
    route = getattr(request.scope.get("route"), "path", None)
    if route and request.url.path.startswith(API) and not route.startswith(API):
        route = API + route  # a route of a router included under the API's prefix
    what = f"{request.method} {route or request.url.path}"
    web(request).accounts.audit(
        principal.user_id if principal else None, action, what, allowed, case_id=case_id, service=service,
        target=target, reason=reason, address=address(request), channel=principal.channel if principal else "api",
        token_id=principal.token_id if principal else None)


def _from_token(request: Request, ctx: WebContext, presented: str) -> Principal:
    try:
        token, account = ctx.accounts.check_token(presented, ctx.now())
    except AccountError as e:
        ctx.accounts.audit(None, "refused", f"{request.method} {request.url.path}", False, reason=str(e),
                           address=address(request), channel="api")
        raise Problem(401, str(e), {"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
    last = _last_use.get(token.token_id) or ctx.accounts.last_use(token.token_id)
    if last is None or ctx.now() - last >= TOKEN_USE_EVERY:
        ctx.accounts.token_used(token.token_id, address(request))
        last = ctx.now()
    _last_use[token.token_id] = last
    return account.principal("api", token.scope, token_id=token.token_id)


def _from_session(request: Request, ctx: WebContext) -> Principal | None:
    session = request.session
    user_id, sid, seen = session.get("uid"), session.get("sid"), session.get("seen")
    if not user_id or not sid:
        return None
    now = ctx.now().timestamp()
    idle = ctx.settings.session_idle_minutes * 60
    if seen is None or now - seen > idle or now - session.get("since", 0) > ctx.settings.session_max_hours * 3600:
        session.clear()
        raise Problem(401, f"your session ended after {ctx.settings.session_idle_minutes} minutes without use: "
                           "sign in again")
    account = ctx.accounts.account(user_id)
    if account is None or sid in account.ended_sessions:
        session.clear()
        raise Problem(401, "your session has ended: sign in again")
    session["seen"] = now
    return account.principal(session.get("channel", "web"), session_id=sid)


def resolve_principal(request: Request) -> Principal:
    ctx = web(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise Problem(401, "the Authorization header must be 'Bearer <token>'", {"WWW-Authenticate": "Bearer"})
        return _from_token(request, ctx, presented.strip())
    principal = _from_session(request, ctx)
    if principal is None:
        raise Problem(401, "sign in (POST /api/v1/session), or send an API token as 'Authorization: Bearer <token>'",
                      {"WWW-Authenticate": "Bearer"})
    return principal


async def current_principal(request: Request) -> Principal:
    """The FastAPI dependency. It reads the store (a token's and a user's streams, well under a
    millisecond) on the event loop: a hop to a thread would cost more than the read."""
    principal = resolve_principal(request)
    request.state.principal = principal
    return principal


def check_csrf(request: Request, principal: Principal, given: str | None) -> None:
    """Refuse (403, audited) a cookie-authenticated state-changing request without the session's CSRF token."""
    if request.method in SAFE_METHODS or principal.token_id is not None:
        return
    expected = request.session.get("csrf")
    if not expected or not given or not secrets.compare_digest(str(expected), str(given)):
        audit(request, principal, "refused", False, reason="missing or wrong CSRF token")
        raise Problem(403, f"this request needs the session's CSRF token (header {CSRF_HEADER}, or the form's "
                           "csrf_token field): reload the page and try again")


async def require_csrf(request: Request, principal: Principal = Depends(current_principal)) -> Principal:
    """The dependency for state-changing API routes (the token in the X-CSRF-Token header)."""
    check_csrf(request, principal, request.headers.get(CSRF_HEADER))
    return principal


def start_session(request: Request, user_id: str, channel: str = "web") -> str:
    """Sign `user_id` in on this browser: a fresh session id and CSRF token (never reuse one from before)."""
    request.session.clear()
    now = web(request).now().timestamp()
    csrf = secrets.token_urlsafe(32)
    request.session.update(uid=user_id, sid=secrets.token_urlsafe(16), since=now, seen=now, csrf=csrf, channel=channel)
    return csrf


def _me(principal: Principal, csrf: str | None = None) -> dict:
    out = {"user_id": principal.user_id, "display_name": principal.display_name,
           "roles": [{"role": a.role, "service": a.service, "cases": list(a.cases),
                      "until": a.until.isoformat() if a.until else None} for a in principal.assignments],
           "channel": principal.channel, "token_id": principal.token_id}
    if csrf:
        out["csrf_token"] = csrf
    return out


async def _credentials(request: Request) -> tuple[str, str]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            data = parse_json((await request.body()).decode("utf-8", "replace"), "the request body")
        except CommandError as e:
            raise Problem(400, str(e)) from None
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        data = dict(await request.form())
    else:
        raise Problem(415, "send the sign-in as application/json or a form")
    if not isinstance(data, dict) or not isinstance(data.get("user_id"), str) or not isinstance(data.get("password"), str):
        raise Problem(422, "give user_id and password")
    return data["user_id"], data["password"]


async def sign_in(request: Request, user_id: str, password: str) -> tuple[Principal, str]:
    """Check a local account's password, throttled; start the session. Pages call this too."""
    ctx = web(request)
    window = timedelta(minutes=ctx.settings.login_window_minutes)
    keys = [f"user:{user_id}", f"address:{address(request)}"]
    # what was typed is audited only if it is an id: a password typed into the user id field is not kept
    tried = user_id if ctx.settings.input_rules().id_problem(user_id, "staff") is None else "(not a user id)"
    wait = ctx.throttle.wait(keys, ctx.now(), ctx.settings.login_attempts, window)
    if wait:
        await run_in_threadpool(ctx.accounts.audit, None, "login", "sign in", False, target=tried,
                                reason="throttled", address=address(request), channel="web")
        raise Problem(429, f"too many failed sign-ins: try again in {wait // 60 + 1} minute(s)", {"Retry-After": str(wait)})
    account = await run_in_threadpool(ctx.accounts.account, user_id)
    ok = await run_in_threadpool(verify_password, password, account.password_hash if account else None)
    if not ok or account is None:
        ctx.throttle.failed(keys, ctx.now())
        await run_in_threadpool(ctx.accounts.audit, None, "login", "sign in", False, target=tried,
                                reason="wrong user id or password", address=address(request), channel="web")
        raise Problem(401, "wrong user id or password")
    ctx.throttle.succeeded(keys[0])
    csrf = start_session(request, user_id)
    principal = account.principal("web", session_id=request.session["sid"])
    await run_in_threadpool(audit, request, principal, "login", True)
    return principal, csrf


async def sign_out(request: Request, principal: Principal) -> None:
    ctx = web(request)
    if principal.session_id:
        await run_in_threadpool(ctx.accounts.end_session, principal.user_id, principal.session_id)
    await run_in_threadpool(audit, request, principal, "logout", True)
    request.session.clear()


@router.post("/session", summary="Sign in with a local account (JSON or form: user_id, password)")
async def login(request: Request) -> dict:
    user_id, password = await _credentials(request)
    principal, csrf = await sign_in(request, user_id, password)
    return _me(principal, csrf)


@router.get("/session", summary="Who is signed in, and the session's CSRF token")
def session(request: Request, principal: Principal = Depends(current_principal)) -> dict:
    return _me(principal, request.session.get("csrf") if principal.session_id else None)


@router.delete("/session", status_code=204, summary="Sign out")
async def logout(request: Request, principal: Principal = Depends(require_csrf)) -> None:
    await sign_out(request, principal)


# ---- your own API tokens (pages list and revoke them; issuing needs a signed-in session) ---------


def _token_json(t) -> dict:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {"token_id": t.token_id, "name": t.name, "issued_at": iso(t.issued_at), "expires_at": iso(t.expires_at),
            "revoked_at": iso(t.revoked_at), "last_used_at": iso(t.last_used_at), "last_used_from": t.last_used_from,
            "scope": None if t.scope is None else [{"role": s.role, "service": s.service} for s in t.scope]}


@router.get("/tokens", summary="Your API tokens, with their scope, expiry and last use")
async def my_tokens(request: Request, principal: Principal = Depends(current_principal)) -> list[dict]:
    return [_token_json(t) for t in await run_in_threadpool(web(request).accounts.tokens, principal.user_id)]


@router.post("/tokens", status_code=201, summary="Issue yourself a personal token (shown once); a signed-in session only")
async def issue_my_token(request: Request, principal: Principal = Depends(require_csrf)) -> dict:
    if principal.session_id is None:  # a token must not mint a wider one
        raise Problem(403, "issue tokens from a signed-in session, not with a token")
    try:
        data = parse_json((await request.body()).decode("utf-8", "replace") or "{}", "the token request")
    except CommandError as e:
        raise Problem(400, str(e)) from None
    if not isinstance(data, dict) or set(data) - {"name", "days", "scope"} or not isinstance(data.get("name"), str):
        raise Problem(422, 'give {"name": ..., "days": 1-366, "scope": ["role@SERVICE", ...]} (days and scope optional)')
    days = data.get("days", web(request).settings.token_days)
    if not isinstance(days, int) or not 1 <= days <= 366:
        raise Problem(422, "days: 1 to 366")
    scope = None
    if data.get("scope") is not None:
        if not isinstance(data["scope"], list) or not all(isinstance(x, str) for x in data["scope"]):
            raise Problem(422, 'scope: a list of "role" or "role@SERVICE"')
        scope = tuple(Assignment(r, s or None) for r, _, s in (x.partition("@") for x in data["scope"]))
    try:
        issued = await run_in_threadpool(web(request).accounts.issue_token, principal.user_id, data["name"][:200], scope,
                                         timedelta(days=days), principal.user_id)
    except AccountError as e:
        raise Problem(422, str(e)) from None
    return {**_token_json(issued.token), "token": issued.secret}


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke one of your tokens")
async def revoke_my_token(token_id: str, request: Request, principal: Principal = Depends(require_csrf)) -> None:
    accounts = web(request).accounts
    token = await run_in_threadpool(accounts.token, token_id) if token_id.isalnum() else None
    if token is None or token.user_id != principal.user_id:
        raise Problem(404, f"no token {token_id} of yours")
    await run_in_threadpool(accounts.revoke_token, token_id, principal.user_id)
