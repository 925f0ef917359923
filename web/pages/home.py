"""My work: the open steps the signed-in user's roles and services can complete, most urgent
first, with live countdowns; and the escalations raised to a role they hold, with who each one's
alerts reached, and those acknowledged lately."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from casework import oversight
from domain.access import may_list_cases
from web.pages.live import live_feed, my_work
from web.pages.render import page
from web.pages.signin import principal_of

router = APIRouter()


@router.get("/")
async def home(request: Request) -> Response:
    principal = await principal_of(request)
    ctx = request.app.state.web
    now = ctx.now().replace(microsecond=0)
    view = await run_in_threadpool(live_feed(ctx).view, now)
    work = my_work(principal, view, now, ctx)
    shown = {r["case_id"]: r["service_id"] for r in [*work["steps"], *work["escalations"], *work["acknowledged"]]}
    await run_in_threadpool(oversight.cases_shown, ctx.ports, principal, shown)  # each case on it, read
    return page(request, "home.html", principal, work=work, now=now,
                staff=principal.services() is None or bool(principal.services()),
                inspecting=bool(may_list_cases(principal, now)))
