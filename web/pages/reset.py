"""A link to set a password (issue 22), opened from its email without signing in: `/reset/{token}`
asks for the new password, and sets it through the use case (casework/passwords.py), then sends
the person to sign in. The form carries a token of this browser's own (as the sign-in form does),
and one sent from another site is refused. The link's token is in the address only: the access log
names the route, and the web server's log hides it (configuration/logging.py)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from casework.passwords import Throttled, redeem_reset_link, reset_link_holder
from casework.refusals import Invalid, NotOpen
from web.identity import address, cross_site, route_of, web
from web.pages.render import flash, page
from web.passwords import throttled

router = APIRouter()
FORM_KEY = "reset_csrf"


def _form(request: Request, token: str, user_id: str, status: int = 200, error: str | None = None) -> Response:
    form_token = request.session.setdefault(FORM_KEY, secrets.token_urlsafe(24))
    return page(request, "reset.html", None, status=status, token=token, user_id=user_id, form_token=form_token,
                error=error, ended=None)


def _ended(request: Request, words: str) -> Response:
    return page(request, "reset.html", None, status=409, ended=words, error=None)


@router.get("/reset/{token}")
async def reset_page(request: Request, token: str) -> Response:
    ctx = web(request)
    try:
        user_id = await run_in_threadpool(reset_link_holder, ctx.ports, token, ctx.now(), address(request),
                                          route_of(request))
    except Throttled as e:
        raise throttled(e) from None
    except NotOpen as e:
        return _ended(request, e.message)
    return _form(request, token, user_id)


@router.post("/reset/{token}")
async def reset_post(request: Request, token: str) -> Response:
    ctx = web(request)
    form = await request.form()
    password = str(form.get("new_password", ""))
    expected, given = request.session.get(FORM_KEY), str(form.get(FORM_KEY, ""))
    try:
        user_id = await run_in_threadpool(reset_link_holder, ctx.ports, token, ctx.now(), address(request),
                                          route_of(request))
        if cross_site(request) or not expected or not secrets.compare_digest(str(expected), given):
            return _form(request, token, user_id, 403, "this form has expired or did not come from Safeguard: "
                                                       "type your new password again")
        await run_in_threadpool(redeem_reset_link, ctx.ports, token, password, ctx.now(), address(request),
                                route_of(request))
    except Throttled as e:
        raise throttled(e) from None
    except NotOpen as e:
        return _ended(request, e.message)
    except Invalid as e:
        return _form(request, token, user_id, 422, e.message)
    request.session.pop(FORM_KEY, None)
    flash(request, "Your password has been set. Sign in.")
    return RedirectResponse("/sign-in", status_code=303)
