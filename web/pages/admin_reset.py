"""An administrator sends a person a link to set their password (issue 22), from the person's page
in Administration (`/admin/users/{user_id}`, whose form posts here): through the use case
(casework/passwords.py), then back to that page saying what was done, or what stopped it."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from casework.passwords import issue_reset_link
from casework.refusals import Invalid, NotOpen, Unavailable
from web.identity import web
from web.pages.formats import london
from web.pages.render import flash
from web.pages.signin import form_of, principal_of

router = APIRouter()


@router.post("/admin/users/{user_id}/reset-link")
async def send_reset_link(request: Request, user_id: str) -> Response:
    principal = await principal_of(request)
    await form_of(request, principal)
    ctx = web(request)
    path = f"/admin/users/{quote(user_id, safe='')}"
    back = RedirectResponse(path, status_code=303)
    try:  # not allowed, or no such user: the error page, as every refusal of a page is
        sent = await run_in_threadpool(issue_reset_link, ctx.ports, principal, user_id, ctx.now())
    except (Invalid, NotOpen, Unavailable) as e:  # no email address: a link to the form that adds one
        no_email = isinstance(e, Invalid) and e.details.get("field") == "email"
        flash(request, e.message, "problem",
              (f"{path}/alerts", "Add an email address for their alerts") if no_email else None)
        return back
    already = " a moment ago" if sent.again else ""
    flash(request, f"A link to set a password was sent to {user_id}'s email address{already}. It works once, until "
                   f"{london(sent.expires_at)}.")
    return back
