"""Who is asking: a browser session or an API token, as a `Principal`; signing in and out; CSRF.

- `resolve_principal` answers the principal or refuses with 401: a bearer token
  (`Authorization: Bearer sgt_...`) or the session cookie, whose inactivity ends it.
- `check_csrf` refuses a state-changing request made with the session cookie unless it carries
  the session's CSRF token (header `X-CSRF-Token`, or a form's `csrf_token` field). Requests
  with a bearer token carry no ambient credential and need none.
- `audit` appends a line to the access audit for what is not a use case's (signing in and out,
  the codec endpoint): never record text.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from domain.access import Principal
from eventstore.accounts import AccountError, password_problem, verify_password
from web.context import API, WebContext
from web.problems import Problem

TOKEN_USE_EVERY = timedelta(minutes=1)  # a token's use is recorded at most this often (its "last use")
_last_use: dict[str, datetime] = {}  # per process: when each token's use was last recorded
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "X-CSRF-Token"
# While a session's password must be changed, only these answer: changing it, and signing out
UNTIL_CHANGED = {"/password", API + "/password", API + "/session", "/sign-out"}
MUST_CHANGE = ("your password is too easy to guess and must be changed before you go on: "
               "change it on the Change your password page (POST /api/v1/password)")

def same_site_path(target: str | None) -> str:
    """Where to go once signed in: only a path on this site (never another host), so an alert's link
    to a case survives the sign-in page (local or the identity provider's) and nothing else can use
    it to send a person elsewhere. Refused (home instead): an absolute URL, `//host`, and what a
    browser may read as one: a backslash (`/\\host`), a space or control character (browsers drop
    tabs and newlines)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def web(request: Request) -> WebContext:
    return request.app.state.web


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def route_of(request: Request) -> str:
    """The request as the access log names it: its method and route (`GET /api/v1/cases/{case_id}`)."""
    route = getattr(request.scope.get("route"), "path", None)
    if route and request.url.path.startswith(API) and not route.startswith(API):
        route = API + route  # a route of a router included under the API's prefix
    return f"{request.method} {route or request.url.path}"


def asking(request: Request) -> Principal:
    """Who is asking, and from where (address, route), as the use cases record it in the access log."""
    principal = replace(resolve_principal(request), address=address(request), request=route_of(request))
    request.state.principal = principal
    return principal


def audit(request: Request, principal: Principal | None, action: str, allowed: bool, case_id: str | None = None,
          service: str | None = None, reason: str | None = None, target: str | None = None) -> None:
    """One line of the access audit for this request: who, what (method and route), from where."""
    what = route_of(request)
    web(request).accounts.audit(
        principal.user_id if principal else None, action, what, allowed, case_id=case_id, service=service,
        target=target, reason=reason, address=address(request), channel=principal.channel if principal else "api",
        token_id=principal.token_id if principal else None)


def _from_token(request: Request, ctx: WebContext, presented: str) -> Principal:
    try:
        token, account = ctx.accounts.check_token(presented, ctx.now())
    except AccountError as e:
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
    if now - session.get("since", 0) > ctx.settings.session_max_hours * 3600 or seen is None or now - seen > idle:
        request.state.ended_user = user_id  # a form sent now is kept for them (web/pages/drafts.py)
    if now - session.get("since", 0) > ctx.settings.session_max_hours * 3600:
        session.clear()
        raise Problem(401, f"your session ended: a session lasts {ctx.settings.session_max_hours} hours at most, "
                           "however it is used: sign in again")
    if seen is None or now - seen > idle:
        session.clear()
        raise Problem(401, f"your session ended after {ctx.settings.session_idle_minutes} minutes without use: "
                           "sign in again")
    account = ctx.accounts.account(user_id)
    # a reset link used since this session began (casework/passwords.py): the person's other sessions end
    reset = account is not None and account.sessions_from is not None and \
        session.get("since", 0) < account.sessions_from.timestamp()
    if account is None or sid in account.ended_sessions or account.deactivated_at is not None or reset:
        session.clear()
        raise Problem(401, "your session has ended: sign in again")
    session["seen"] = now
    if session.get("weak") and request.url.path not in UNTIL_CHANGED:
        raise Problem(403, MUST_CHANGE, change_password=True)
    return account.principal(session.get("channel", "web"), session_id=sid)


UNSIGNED_EVERY = timedelta(minutes=1)  # a refusal to sign in the same way, from one address, is logged this often


def resolve_principal(request: Request) -> Principal:
    """Who is asking, or 401. Each refusal is in the access log, at most once a minute for the same
    refusal from the same address (a script retrying a dead token cannot flood the log)."""
    try:
        return _resolve(request)
    except Problem as e:
        ctx = web(request)
        key, now, logged = (address(request), e.detail), ctx.now(), ctx.refusals_logged
        if now - logged.get(key, datetime.min.replace(tzinfo=now.tzinfo)) >= UNSIGNED_EVERY:
            if len(logged) > 10_000:
                logged.clear()
            logged[key] = now
            ctx.accounts.audit(request.session.get("uid") if "session" in request.scope else None, "refused",
                               route_of(request), False, reason=e.detail, address=address(request),
                               channel="api" if request.url.path.startswith(API) else "web")
        raise


def _resolve(request: Request) -> Principal:
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


def check_csrf(request: Request, principal: Principal, given: str | None) -> None:
    """Refuse (403, audited) a cookie-authenticated state-changing request without the session's CSRF token."""
    if request.method in SAFE_METHODS or principal.token_id is not None:
        return
    expected = request.session.get("csrf")
    if not expected or not given or not secrets.compare_digest(str(expected), str(given)):
        audit(request, principal, "refused", False, reason="missing or wrong CSRF token")
        raise Problem(403, f"this request needs the session's CSRF token (header {CSRF_HEADER}, or the form's "
                           "csrf_token field): reload the page and try again")


def start_session(request: Request, user_id: str, channel: str = "web") -> str:
    """Sign `user_id` in on this browser: a fresh session id and CSRF token (never reuse one from before)."""
    request.session.clear()
    now = web(request).now().timestamp()
    csrf = secrets.token_urlsafe(32)
    request.session.update(uid=user_id, sid=secrets.token_urlsafe(16), since=now, seen=now, csrf=csrf, channel=channel)
    return csrf


def cross_site(request: Request) -> bool:
    """Whether a browser sent this from another site (its Origin, or Sec-Fetch-Site, says so). A
    program sends neither, and is not a browser carrying someone's cookies."""
    host = request.headers.get("host", request.url.netloc)
    origin = request.headers.get("origin")
    if origin is not None:
        return urlsplit(origin).netloc != host
    referer = request.headers.get("referer")  # an older browser sends this, not Origin
    if referer and urlsplit(referer).netloc not in ("", host):
        return True
    return request.headers.get("sec-fetch-site") == "cross-site"


async def sign_in(request: Request, user_id: str, password: str) -> tuple[Principal, str]:
    """Check a local account's password, throttled; start the session. Pages call this too. A
    sign-in sent from another site is refused (login CSRF: someone else's session in your browser)."""
    ctx = web(request)
    if cross_site(request):
        await run_in_threadpool(ctx.accounts.audit, None, "login", "sign in", False, reason="sent from another site",
                                address=address(request), channel="web")
        raise Problem(403, "sign in from Safeguard's own sign-in page: a sign-in sent from another site is refused")
    window = timedelta(minutes=ctx.settings.login_window_minutes)
    keys = [f"user:{user_id}", f"address:{address(request)}"]
    # what was typed is audited only if it is an id: a password typed into the user id field is not kept
    tried = user_id if ctx.settings.input_rules().id_problem(user_id, "staff") is None else "(not a user id)"
    wait = await run_in_threadpool(ctx.throttle.wait, keys, ctx.now(), ctx.settings.login_attempts, window)
    if wait:
        await run_in_threadpool(ctx.accounts.audit, None, "login", "sign in", False, target=tried,
                                reason="throttled", address=address(request), channel="web")
        raise Problem(429, f"too many failed sign-ins: try again in {wait // 60 + 1} minute(s)", {"Retry-After": str(wait)})
    account = await run_in_threadpool(ctx.accounts.account, user_id)
    if account is not None and account.deactivated_at is not None:
        account = None  # a closed account signs in no more: answered as a wrong password, telling nothing
    ok = await run_in_threadpool(verify_password, password, account.password_hash if account else None)
    if not ok or account is None:
        await run_in_threadpool(ctx.throttle.failed, keys, ctx.now())
        await run_in_threadpool(ctx.accounts.audit, None, "login", "sign in", False, target=tried,
                                reason="wrong user id or password", address=address(request), channel="web")
        raise Problem(401, "wrong user id or password")
    await run_in_threadpool(ctx.throttle.succeeded, keys[0])
    csrf = start_session(request, user_id)
    request.session["local"] = True  # signed in with a password: the pages offer to change it
    weak = password_problem(password, user_id, account.display_name) is not None
    if weak:  # set before the checks came in (or by an old version): it must be changed now
        request.session["weak"] = True
    principal = account.principal("web", session_id=request.session["sid"])
    await run_in_threadpool(audit, request, principal, "login", True,
                            reason="the password must be changed: too easy to guess" if weak else None)
    return principal, csrf


async def sign_out(request: Request, principal: Principal) -> None:
    ctx = web(request)
    if principal.session_id:
        await run_in_threadpool(ctx.accounts.end_session, principal.user_id, principal.session_id)
    await run_in_threadpool(audit, request, principal, "logout", True)
    request.session.clear()
