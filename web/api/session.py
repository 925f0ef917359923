"""Signing in and out over the API, who is signed in, and your own API tokens (the pages list and
revoke them; issuing one needs a signed-in session, so a token never mints a wider one)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from casework.inputs import parse_json
from casework.refusals import Refusal
from domain.access import Assignment, Principal
from eventstore.accounts import AccountError
from web.api import bodies
from web.api import responses as shapes
from web.api.contract import BODY, SIGNED_IN, problems, request_body
from web.api.deps import Reader, Writer
from web.api.strict import StrictRoute
from web.identity import sign_in, sign_out, web
from web.passwords import change_password, must_change_password
from web.problems import Problem

router = APIRouter(tags=["session"], route_class=StrictRoute)


def me(principal: Principal, csrf: str | None = None, must_change: bool = False) -> dict:
    """Who is signed in: their roles (and, for a session, its CSRF token, and whether its password
    must be changed before anything else answers)."""
    out = {"user_id": principal.user_id, "display_name": principal.display_name,
           "roles": [{"role": a.role, "service": a.service, "cases": list(a.cases),
                      "until": a.until.isoformat() if a.until else None} for a in principal.assignments],
           "channel": principal.channel, "token_id": principal.token_id}
    if csrf:
        out["csrf_token"] = csrf
    if principal.session_id:
        out["must_change_password"] = must_change
    return out


async def _credentials(request: Request) -> tuple[str, str]:
    """A sign-in's user id and password, sent as JSON or as a form."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            data = parse_json((await request.body()).decode("utf-8", "replace"), "the request body")
        except Refusal as e:
            raise Problem(400, e.message) from None
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        data = dict(await request.form())
    else:
        raise Problem(415, "send the sign-in as application/json or a form")
    if not isinstance(data, dict) or not isinstance(data.get("user_id"), str) or not isinstance(data.get("password"), str):
        raise Problem(422, "give user_id and password")
    return data["user_id"], data["password"]


@router.post("/session", summary="Sign in with a local account (JSON or form: user_id, password)",
             response_model=shapes.SignedIn, responses=problems(*BODY, 401, 403, 429, 503),
             openapi_extra=request_body(bodies.SignIn, "application/json", "application/x-www-form-urlencoded"))
async def login(request: Request) -> dict:
    user_id, password = await _credentials(request)
    principal, csrf = await sign_in(request, user_id, password)
    return me(principal, csrf, must_change_password(request))


@router.get("/session", summary="Who is signed in, and the session's CSRF token", response_model=shapes.SignedIn,
            responses=problems(*SIGNED_IN))
def session(request: Request, principal: Reader) -> dict:
    return me(principal, request.session.get("csrf") if principal.session_id else None, must_change_password(request))


@router.post("/password", status_code=204, summary="Change your own password (a signed-in session only)",
             responses=problems(*SIGNED_IN, *BODY, 409, 429))
async def change_my_password(request: Request, principal: Writer, body: bodies.PasswordChange) -> None:
    await change_password(request, principal, body.current_password, body.new_password)


@router.delete("/session", status_code=204, summary="Sign out", responses=problems(*SIGNED_IN))
async def logout(request: Request, principal: Writer) -> None:
    await sign_out(request, principal)


# ---- your own API tokens ---------------------------------------------------------------------------


def _token_json(t) -> dict:
    iso = lambda d: d.isoformat() if d else None
    return {"token_id": t.token_id, "name": t.name, "issued_at": iso(t.issued_at), "expires_at": iso(t.expires_at),
            "revoked_at": iso(t.revoked_at), "last_used_at": iso(t.last_used_at), "last_used_from": t.last_used_from,
            "scope": None if t.scope is None else [{"role": s.role, "service": s.service} for s in t.scope]}


@router.get("/tokens", summary="Your API tokens, with their scope, expiry and last use", response_model=list[shapes.TokenView],
            responses=problems(*SIGNED_IN))
async def my_tokens(request: Request, principal: Reader) -> list[dict]:
    return [_token_json(t) for t in await run_in_threadpool(web(request).accounts.tokens, principal.user_id)]


@router.post("/tokens", status_code=201, summary="Issue yourself a personal token (shown once); a signed-in session only",
             response_model=shapes.TokenIssued, responses=problems(*SIGNED_IN, *BODY))
async def issue_my_token(request: Request, principal: Writer, body: bodies.NewToken) -> dict:
    if principal.session_id is None:  # a token must not mint a wider one
        raise Problem(403, "issue tokens from a signed-in session, not with a token")
    days = body.days or web(request).settings.token_days
    scope = None if body.scope is None else tuple(Assignment(r, s or None) for r, _, s in (x.partition("@") for x in body.scope))
    try:
        issued = await run_in_threadpool(web(request).accounts.issue_token, principal.user_id, body.name, scope,
                                         timedelta(days=days), principal.user_id)
    except AccountError as e:
        raise Problem(422, str(e)) from None
    return {**_token_json(issued.token), "token": issued.secret}


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke one of your tokens", responses=problems(*SIGNED_IN, 404, 422))
async def revoke_my_token(token_id: str, request: Request, principal: Writer) -> None:
    accounts = web(request).accounts
    token = await run_in_threadpool(accounts.token, token_id) if token_id.isalnum() else None
    if token is None or token.user_id != principal.user_id:
        raise Problem(404, f"no token {token_id} of yours")
    await run_in_threadpool(accounts.revoke_token, token_id, principal.user_id)
