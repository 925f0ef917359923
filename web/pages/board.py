"""The deadline board for supervisors: every live case they may see, overdue first, each open
deadline counting down, escalations outstanding (who their alerts reached) and those acknowledged
lately, the next 72-hourly oversight and open risk flags; and, above them, where an alert in the
next 7 days would reach nobody on call (or that alerts are not set up).
It is pushed to the browser by server-sent events as facts land (htmx's SSE extension swaps the
board in place); the countdowns tick in the browser between pushes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from casework import oversight
from casework.on_call_gaps import alert_cover
from domain.access import STAFF_ROLES, Principal, may_read_lists
from web.identity import asking, web
from web.pages.live import HEARTBEAT_EVERY, board as board_view, live_feed, watcher
from web.pages.render import env, page
from web.pages.signin import principal_of
from web.problems import Problem

router = APIRouter()
# what an open board shows once its session has ended (idle too long, or signed out elsewhere):
# a shared PC left on the board stops showing cases
SESSION_ENDED = ('<p class="notice problem" role="alert">Your session has ended, so this board has stopped '
                 'updating. <a href="/sign-in?next=/board">Sign in again</a>.</p>')


async def _still_signed_in(request: Request, last_used: float | None) -> Principal | None:
    """Who is watching, as their session and roles stand now (None: the session ended, idle too long
    or signed out elsewhere, or the account is gone). Checked before every push, so a role revoked
    takes its cases off the next push. Watching is not using: the check starts from the session's
    last use before the board opened."""
    request.session["seen"] = last_used  # the check would otherwise count itself as a use
    try:
        return await run_in_threadpool(asking, request)
    except Problem:
        return None


def shown(data: dict) -> dict[str, str]:
    """The cases a rendered board puts in front of its reader: case id -> service."""
    rows = [*data["stopped"], *data["deadlines"], *data["escalations"], *data["acknowledged"], *data["oversight"],
            *data["oversight_later"], *data["risks"]]
    return {r["case_id"]: r["service_id"] for r in rows}


def _filters(service: str, role: str, overdue: str) -> dict[str, object]:
    return {"service": service.strip(), "role": role if role in STAFF_ROLES else "", "overdue_only": overdue == "1"}


async def _render(request: Request, principal, filters: dict, woken: bool = False) -> tuple[str, dict[str, str]]:
    """The board's live part. Boards of principals who see the same services, with the same filters,
    at the same instant are the same: rendered once for all of them (200 supervisors, one render)."""
    ctx = web(request)
    now = ctx.now().replace(microsecond=0)
    feed = live_feed(ctx)
    view = feed.current(now) if woken else await run_in_threadpool(feed.view, now)
    services = principal.services()
    key = (view["position"], now, None if services is None else tuple(sorted(services)), tuple(sorted(filters.items())))
    rendered = ctx.__dict__.setdefault("_boards_rendered", {})  # this app's renders (tests run several apps)
    found = rendered.get(key)
    if found is None:
        if len(rendered) > 256:
            rendered.clear()
        data = board_view(principal, view, now, ctx, **filters)
        data["on_call"] = await run_in_threadpool(alert_cover, ctx.ports, principal, data["service_names"], now,
                                                  view["position"])
        # one line: an SSE message carries it as one data line (the board has no <pre> or <textarea>)
        html = " ".join(env.get_template("board_live.html").render(b=data, now=now).split())
        found = rendered[key] = (html, shown(data))
    return found


@router.get("/board")
async def board(request: Request, service: str = "", role: str = "", overdue: str = "") -> Response:
    principal = await principal_of(request)
    await run_in_threadpool(oversight.watch_lists, web(request).ports, principal)
    filters = _filters(service, role, overdue)
    ctx = web(request)
    now = ctx.now().replace(microsecond=0)
    view = await run_in_threadpool(live_feed(ctx).view, now)
    data = board_view(principal, view, now, ctx, **filters)
    data["on_call"] = await run_in_threadpool(alert_cover, ctx.ports, principal, data["service_names"], now, view["position"])
    await run_in_threadpool(oversight.cases_shown, ctx.ports, principal, shown(data))
    query = request.url.query
    return page(request, "board.html", principal, b=data, now=now, filters=filters, roles=STAFF_ROLES,
                stream=f"/board/stream{'?' + query if query else ''}")


@router.get("/board/stream")
async def stream(request: Request, service: str = "", role: str = "", overdue: str = "") -> Response:
    """The board again each time the event log grows (sent only if it changed), as SSE `board` events."""
    principal = await principal_of(request)
    await run_in_threadpool(oversight.watch_lists, web(request).ports, principal)
    filters = _filters(service, role, overdue)
    w = watcher(web(request))
    last_used = request.session.get("seen")

    async def events():
        w.listeners += 1
        w.start()
        last, woken, seen = None, False, set()
        try:
            while True:
                shown = w.generation  # before this render: a change that lands during it is not missed
                current = await _still_signed_in(request, last_used)  # before every push
                if current is None or not may_read_lists(current):
                    yield {"event": "board", "data": SESSION_ENDED}
                    return
                html, cases = await _render(request, current, filters, woken)
                first = {c: s for c, s in cases.items() if c not in seen}  # each case's first showing, audited
                if first:
                    await run_in_threadpool(oversight.cases_shown, web(request).ports, current, first)
                    seen.update(first)
                if html != last:
                    last = html
                    yield {"event": "board", "data": html}
                woken = await w.wait(HEARTBEAT_EVERY, shown)
                if await request.is_disconnected():
                    return
        finally:
            w.listeners -= 1

    return EventSourceResponse(events(), ping=int(HEARTBEAT_EVERY))
