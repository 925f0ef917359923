"""Administration on pages (issue 22), for administrators: the index (accounts, roles, tokens, on-call
rotas, services, the history), the API tokens with a button to revoke each, and the history of every
administrative change. Thin over the use cases the CLI calls too (casework/administration.py,
casework/admin_history.py); anyone else asking gets the error page saying who may (the refusal is
in the access log). The users' pages are web/pages/admin_users.py."""

from __future__ import annotations

from typing import Any, Callable

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from casework import admin_history, administration
from casework.accounts_admin import ListUsers, users
from casework.refusals import NotFound
from domain.access import Principal
from web.identity import web
from web.pages.render import flash, page
from web.pages.signin import form_of, principal_of

router = APIRouter()


async def run(request: Request, principal: Principal, use_case: Callable[..., Any], command: Any) -> Any:
    """A use case for this page's principal, off the event loop, at the app's time."""
    ctx = web(request)
    return await run_in_threadpool(use_case, ctx.ports, principal, command, ctx.now().replace(microsecond=0))


def who_did(by: str, names: dict[str, str]) -> str:
    """Who did something, for a person: their name and id, or the command line's user."""
    if by.startswith("cli:"):
        return f"the command line ({by[4:]})"
    return names.get(by, by)


async def names_of(request: Request, principal: Principal) -> dict[str, str]:
    """Each user's name and id ("Ada Admin (ADM-1)"), by id."""
    return {a.user_id: f"{a.display_name} ({a.user_id})" for a in await run(request, principal, users, ListUsers())}


@router.get("/admin")
async def index(request: Request) -> Response:
    principal = await principal_of(request)
    view = await run(request, principal, administration.overview, administration.ReadOverview())
    return page(request, "admin.html", principal, view=view)


# ---- API tokens -------------------------------------------------------------------------------------


@router.get("/admin/tokens")
async def tokens_page(request: Request) -> Response:
    principal = await principal_of(request)
    rows = await run(request, principal, administration.tokens, administration.ListTokens())
    rows = sorted(rows, key=lambda r: (not r.live, -r.token.issued_at.timestamp()))  # live first, newest first
    return page(request, "admin_tokens.html", principal, rows=rows, now=web(request).now())


@router.post("/admin/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: str) -> Response:
    principal = await principal_of(request)
    await form_of(request, principal)
    try:
        done = await run(request, principal, administration.revoke_token, administration.RevokeToken(token_id))
    except NotFound as e:
        flash(request, e.message, "problem")
        return RedirectResponse("/admin/tokens", status_code=303)
    t = done.value
    flash(request, f"The API token \u201c{t.name}\u201d of {t.user_id} was revoked already." if done.replayed else
          f"The API token \u201c{t.name}\u201d of {t.user_id} is revoked. Anything using it is refused from now on.")
    return RedirectResponse("/admin/tokens", status_code=303)


# ---- the history ------------------------------------------------------------------------------------


@router.get("/admin/history")
async def history_page(request: Request, user: str = "") -> Response:
    principal = await principal_of(request)
    user = user.strip()[:64]
    entries = await run(request, principal, admin_history.history, admin_history.ReadHistory(user or None))
    names = await names_of(request, principal)
    return page(request, "admin_history.html", principal, entries=entries, names=names, user=user,
                who_did=who_did, most=admin_history.MOST)
