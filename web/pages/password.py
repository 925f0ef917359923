"""Changing your own password on a page: offered to everyone with a local account, and the only
page that answers (beside signing out) while a password too easy to guess must be changed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from web.pages.render import flash, page
from web.pages.signin import form_of, principal_of
from web.passwords import change_password, must_change_password
from web.problems import Problem

router = APIRouter()


@router.get("/password")
async def password_page(request: Request) -> Response:
    principal = await principal_of(request)
    return page(request, "password.html", principal, must=must_change_password(request), error=None)


@router.post("/password")
async def password_post(request: Request) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    try:
        await change_password(request, principal, form.get("current_password", ""), form.get("new_password", ""))
    except Problem as e:
        if e.status == 429 or e.status == 409:
            raise
        return page(request, "password.html", principal, status=e.status, must=must_change_password(request),
                    error=e.detail, field="current_password" if e.status == 403 else "new_password")
    flash(request, "Your password has been changed.")
    return RedirectResponse("/", status_code=303)
