"""Signing in and out on a page (local accounts), and the principal a page acts for."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from domain.access import Principal
from web.identity import asking, check_csrf, same_site_path, sign_in, sign_out
from web.pages.forms import joined_instants
from web.pages.render import page
from web.problems import Problem

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) is followed after signing in (web/identity.py)."""
    return same_site_path(target)


async def principal_of(request: Request) -> Principal:
    """The signed-in principal of a page request (a 401 Problem sends the browser to sign in)."""
    return await run_in_threadpool(asking, request)


class PostedForm(dict[str, str]):
    """A posted form: each name's one value (its last, if posted more than once), and in `lists`
    every value of a name posted more than once (ticked boxes)."""

    def __init__(self, values: dict[str, str], lists: dict[str, list[str]]) -> None:
        super().__init__(values)
        self.lists = lists


async def form_of(request: Request, principal: Principal) -> PostedForm:
    """A posted form, after its CSRF token is checked (refused 403, audited, otherwise)."""
    posted = await request.form()
    values = joined_instants({k: v for k, v in posted.items() if isinstance(v, str)})
    lists = {k: vs for k in posted.keys() if len(vs := [v for v in posted.getlist(k) if isinstance(v, str)]) > 1}
    form = PostedForm(values, lists)
    await run_in_threadpool(check_csrf, request, principal, form.get("csrf_token"))
    return form


def reasons(request: Request) -> dict[str, str]:
    """Why the sign-in page was sent to: its own words, chosen by a code (never text from the address,
    which anyone could write and the page would show as its own)."""
    settings = request.app.state.web.settings
    return {"signed-out": "You are signed out.",
            "idle": f"Your session ended after {settings.session_idle_minutes} minutes without use: sign in again.",
            "limit": f"Your session ended: a session lasts {settings.session_max_hours} hours at most. Sign in again.",
            "ended": "Your session has ended: sign in again.",
            "idle-kept": f"Your session ended after {settings.session_idle_minutes} minutes without use. What you "
                         "typed has been kept: sign in again to carry on.",
            "limit-kept": f"Your session ended: a session lasts {settings.session_max_hours} hours at most. What you "
                          "typed has been kept: sign in again to carry on."}


def _form(request: Request, **context) -> Response:
    """The sign-in form, with a token of this browser's own: a sign-in form sent from elsewhere has none."""
    token = request.session.setdefault("login_csrf", secrets.token_urlsafe(24))
    return page(request, "sign_in.html", None, oidc=_oidc(request), login_csrf=token, **context)


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str = "/", why: str = "") -> Response:
    return _form(request, next=safe_next(next), why=reasons(request).get(why, ""), error=None, user_id="")


def _oidc(request: Request) -> bool:
    return bool(request.app.state.web.settings.oidc_issuer)


@router.post("/sign-in")
async def sign_in_post(request: Request) -> Response:
    form = await request.form()
    user_id, password = str(form.get("user_id", "")).strip(), str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/")))
    expected, given = request.session.get("login_csrf"), str(form.get("login_csrf", ""))
    if not expected or not secrets.compare_digest(str(expected), given):
        return _form(request, status=403, next=target, why="", user_id=user_id,
                     error="this sign-in form has expired or did not come from Safeguard: sign in again below")
    if not user_id or not password:
        return _form(request, status=422, next=target, why="", error="give your user id and password", user_id=user_id)
    try:
        await sign_in(request, user_id, password)
    except Problem as e:
        return _form(request, status=e.status, next=target, why="", error=e.detail, user_id=user_id)
    return RedirectResponse(target, status_code=303)


@router.post("/sign-out")
async def sign_out_post(request: Request) -> Response:
    try:
        principal = await principal_of(request)
    except Problem:  # already signed out (or the session ended): nothing to end
        return RedirectResponse("/sign-in?why=signed-out", status_code=303)
    await form_of(request, principal)
    await sign_out(request, principal)
    return RedirectResponse("/sign-in?why=signed-out", status_code=303)
