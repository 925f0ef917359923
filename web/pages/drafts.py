"""A form sent after its session ended is kept (casework/drafts.py) and given back on its page once
the person has signed in again: the pages' side of it."""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from casework import drafts
from domain.access import Principal
from web.identity import web

CASE_FORM = re.compile(r"^/cases/([^/]+)/(steps/[^/]+/\d+(?:/amend)?|developments/new|notes/new|escalations/[^/]+)$")
KEPT = ("What you typed before your session ended has been kept. Check it, then send it: nothing is recorded "
        "until you do.")


async def keep(request: Request, user_id: str, page_path: str) -> bool:
    """Keep a case form's answers, posted after `user_id`'s session ended, for the page it was on."""
    m = CASE_FORM.match(page_path)
    if request.method != "POST" or m is None:
        return False
    posted = await request.form()
    form = {k: v for k, v in posted.items() if isinstance(v, str)}
    ctx = web(request)
    return await run_in_threadpool(drafts.keep_draft, ctx.ports, user_id, m.group(1), page_path, form, ctx.now())


async def kept(request: Request, principal: Principal, case_id: str) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """This page's kept answers, as a refused form's state is (values), and the notice saying so."""
    ctx = web(request)
    values = await run_in_threadpool(drafts.take_draft, ctx.ports, principal, case_id, request.url.path, ctx.now())
    return ({"values": values}, [{"text": KEPT, "kind": "info"}]) if values else (None, [])
