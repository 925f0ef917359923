"""The live cases as the pages show them, from the event store's `live_cases` read model (the one
the dashboard and the deadlines list read): My work, the deadline board, and the push of the
board to every open browser as facts land.

One feed per app keeps the read model current; `Watcher` notices the event log grow and wakes
every board's server-sent-event stream, which renders the board again and sends it only if it
changed. On PostgreSQL the store's notification of each append wakes it (eventstore/changes.py),
whichever replica or worker appended; on SQLite it reads the log's last position (one cheap read)
every `WATCH_EVERY` seconds. What only the access log appended (every read writes a line) wakes no
board. Browsers never poll.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

from domain.access import Principal, sees_service
from eventstore.changes import SAFETY, grew, log_changes
from projections.dashboard import LiveCases, dashboard, escalation_row, live_documents
from projections.feed import ProjectionFeed
from projections.registry import open_documents
from web.context import WebContext
from web.pages.formats import alert_lines, countdown

WATCH_EVERY = 0.2  # seconds between looks at the log's last position (one indexed read)
HEARTBEAT_EVERY = 15.0  # seconds: a comment keeps idle connections (and proxies) open


class LiveFeed:
    """The app's one feed of the live-cases read model, caught up before each read."""

    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx
        self.feed = ProjectionFeed(ctx.records, open_documents(ctx.records), [LiveCases()])
        self._lock = threading.Lock()
        self._last: tuple[tuple[int, datetime], dict[str, Any]] | None = None

    def position(self) -> int:
        return self.feed.last_position()

    def view(self, now: datetime) -> dict[str, Any]:
        """The dashboard as the read model stands, computed once per fact landed and shared by every
        page. Its rows are in due order (overdue first, at any later instant too); what depends on
        the clock (overdue, time left) the pages work out at their own `now` (`due_now`)."""
        with self._lock:
            self.feed.catch_up()
            position = self.feed.documents.position(LiveCases.name)
            if self._last is None or self._last[0][0] != position:
                undated, escalations = _beyond_the_dashboard(self.feed.documents)
                self._last = ((position, now), {**dashboard(self.feed.documents, now, self.ctx.settings.calendar),
                                                "undated": undated, "escalations": escalations, "position": position})
            return self._last[1]


    def current(self, now: datetime) -> dict[str, Any]:
        """The view as last computed (the watcher computes it as each fact lands), else computed now."""
        return self._last[1] if self._last is not None else self.view(now)


def _beyond_the_dashboard(documents) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """What the pages need that the dashboard leaves out, from the same read model: open steps with
    no deadline (concluding a case, say: My work shows every step someone can complete), and each
    outstanding escalation with its id (the acknowledge button names it) and who its alerts reached,
    by case, oldest first."""
    undated: list[dict[str, Any]] = []
    escalations: dict[str, list[dict[str, Any]]] = {}
    for case in live_documents(documents):
        undated += [{"case_id": case["case_id"], "service_id": case["service"]["id"], "due": None, "overdue": False,
                     **s} for s in case["open_steps"].values() if not s["due"]]
        if case["escalations"]:
            escalations[case["case_id"]] = sorted((_worded(escalation_row(eid, x)) for eid, x in case["escalations"].items()),
                                                  key=lambda x: x["at"])
    return undated, escalations


def _worded(e: dict[str, Any]) -> dict[str, Any]:
    return {**e, "alert_lines": alert_lines(e)}


def acknowledged(view: dict[str, Any], cases: list[dict[str, Any]], roles: Any = None) -> list[dict[str, Any]]:
    """The escalations of `cases` acknowledged lately (each case keeps its last few), latest first;
    with `roles` (service -> roles held), only those raised to a role held at the case's service."""
    out = [_worded({**e, "case_id": c["case_id"], "service_id": c["service"]["id"]})
           for c in cases for e in c.get("escalations_acknowledged", [])
           if roles is None or e["to_role"] in roles(c["service"]["id"])]
    return sorted(out, key=lambda e: e["acknowledged"]["at"], reverse=True)


def live_feed(ctx: WebContext) -> LiveFeed:
    feed = getattr(ctx, "_live_feed", None)
    if feed is None:
        feed = ctx._live_feed = LiveFeed(ctx)  # type: ignore[attr-defined]
    return feed


def overdue_at(due: str | None, now: datetime) -> bool:
    return bool(due) and datetime.fromisoformat(due) <= now


def my_work(principal: Principal, view: dict[str, Any], now: datetime, ctx: WebContext) -> dict[str, Any]:
    """The open steps the principal may complete (a role held at the case's service: the step's own,
    or one it escalated to), most urgent first; and escalations raised to a role they hold there."""
    services = {c["case_id"]: c["service"]["id"] for c in view["live_cases"]}
    steps = []
    for d in [*view["deadlines"], *view.get("undated", [])]:  # most urgent first; no deadline last
        service = services.get(d["case_id"], "")
        held = principal.roles_at(service)
        roles = [r for r in (d["role"], *d["escalated_to"]) if r in held]
        if roles:
            c = countdown(d["step"], d["due"], now, ctx.settings.calendar)
            steps.append({**d, "service_id": service, "as_role": roles[0], "countdown": c, "overdue": c["overdue"]})
    escalations = []
    for c in view["live_cases"]:
        held = principal.roles_at(c["service"]["id"])
        for e in view["escalations"].get(c["case_id"], []):
            if e["to_role"] in held:
                escalations.append({**e, "case_id": c["case_id"], "service_id": c["service"]["id"]})
    escalations.sort(key=lambda e: e["at"])
    return {"steps": steps, "escalations": escalations,
            "acknowledged": acknowledged(view, view["live_cases"], principal.roles_at)[:BOARD_ROWS]}


BOARD_ROWS = 100  # rows a board list shows (most urgent first); the filters narrow the rest


def board(principal: Principal, view: dict[str, Any], now: datetime, ctx: WebContext, service: str = "",
          role: str = "", overdue_only: bool = False, rows: int = BOARD_ROWS) -> dict[str, Any]:
    """The deadline board of the cases the principal sees, filtered: overdue first, then each open
    deadline; escalations outstanding; the next 72-hourly oversight; open risk flags. Each list
    shows its `rows` most urgent and says how many more there are."""
    cases = [c for c in view["live_cases"] if sees_service(principal, c["service"]["id"])
             and (not service or c["service"]["id"] == service)]
    ids = {c["case_id"] for c in cases}
    mine = [d for d in view["deadlines"] if d["case_id"] in ids]
    overdue_by_case: dict[str, int] = {}
    for d in mine:
        if overdue_at(d["due"], now):
            overdue_by_case[d["case_id"]] = overdue_by_case.get(d["case_id"], 0) + 1
        else:
            break  # in due order: the rest are not overdue
    chosen = [d for d in mine if (not role or role in (d["role"], *d["escalated_to"]))
              and (not overdue_only or overdue_at(d["due"], now))]
    deadlines = []
    for d in chosen[:rows]:
        c = countdown(d["step"], d["due"], now, ctx.settings.calendar)
        deadlines.append({**d, "countdown": c, "overdue": c["overdue"]})
    escalations = sorted(({**e, "case_id": c["case_id"], "service_id": c["service"]["id"]}
                          for c in cases for e in view["escalations"].get(c["case_id"], [])
                          if not role or e["to_role"] == role),
                         key=lambda e: e["at"])
    due_oversight = sorted((c for c in cases if c["live_case_oversight"]["next_due"]),
                           key=lambda c: c["live_case_oversight"]["next_due"])
    oversight = [{"case_id": c["case_id"], "service_id": c["service"]["id"],
                  "next_due": c["live_case_oversight"]["next_due"],
                  "countdown": countdown("live_case_oversight", c["live_case_oversight"]["next_due"], now,
                                         ctx.settings.calendar),
                  "last": c["live_case_oversight"]["last"]} for c in due_oversight[:rows]]
    # a live case whose last oversight was done before it fell due: the next is not open yet
    later = sorted(({"case_id": c["case_id"], "service_id": c["service"]["id"], "opens": opens,
                     "last": c["live_case_oversight"]["last"]}
                    for c in cases if (opens := c["live_case_oversight"].get("next_opens"))), key=lambda o: o["opens"])
    risks = []
    for c in cases:
        flags = (c["live_case_oversight"]["last"] or {}).get("flags", [])
        if overdue_by_case.get(c["case_id"]) or flags:
            risks.append({"case_id": c["case_id"], "service_id": c["service"]["id"],
                          "overdue": overdue_by_case.get(c["case_id"], 0), "flags": flags})
    risks.sort(key=lambda r: (-r["overdue"], r["case_id"]))
    all_services = sorted({c["service"]["id"] for c in view["live_cases"] if sees_service(principal, c["service"]["id"])})
    stopped = [{"case_id": c["case_id"], "service_id": c["service"]["id"], **c["stopped"]} for c in cases if c.get("stopped")]
    done = [e for e in acknowledged(view, cases) if not role or e["to_role"] == role]
    return {"stopped": stopped, "deadlines": deadlines, "deadlines_total": len(chosen), "escalations": escalations[:rows],
            "escalations_total": len(escalations), "acknowledged": done[:rows], "acknowledged_total": len(done),
            "service_names": {c["service"]["id"]: c["service"]["name"] for c in cases},
            "oversight": oversight, "oversight_total": len(due_oversight), "oversight_later": later[:rows],
            "risks": risks[:rows], "risks_total": len(risks), "cases": len(cases), "services": all_services,
            "rows": rows}


class Watcher:
    """Wakes the board streams when the event log grows. Started by the first stream, it stops
    when the app does (or when nobody is listening, to start again with the next one)."""

    def __init__(self, feed: LiveFeed) -> None:
        self.feed = feed
        self.changed = asyncio.Condition()
        self.generation = 0  # how many times the board has changed: a stream compares it with what it showed
        self.position = 0
        self.listeners = 0
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        listener = log_changes(self.feed.ctx.records)
        mark = listener.mark() if listener else 0
        self.position = await run_in_threadpool(self.feed.position)
        while self.listeners > 0:
            if listener is None:
                await asyncio.sleep(WATCH_EVERY)
            else:
                await listener.until(mark, SAFETY)
                mark = listener.mark()  # before the position is read: a later append wakes the next wait
            try:
                position = await run_in_threadpool(self.feed.position)
                changed = position != self.position and await run_in_threadpool(
                    grew, self.feed.ctx.records, self.position, position)
            except Exception:  # the store failing: the streams keep what they showed; try again
                continue
            self.position = position  # past the access log's lines: every read appends one, no board shows them
            if changed:
                # fold the new facts once here, so the streams woken next share one view
                await run_in_threadpool(self.feed.view, self.feed.ctx.now().replace(microsecond=0))
                async with self.changed:
                    self.generation += 1
                    self.changed.notify_all()

    async def wait(self, timeout: float, shown: int | None = None) -> bool:
        """True when the board changed within `timeout` seconds, or (given the `generation` a stream
        last rendered) since then: a change made while the stream was rendering is not missed."""
        async with self.changed:
            if shown is not None and shown != self.generation:
                return True
            try:
                await asyncio.wait_for(self.changed.wait(), timeout)
                return True
            except asyncio.TimeoutError:
                return False


def watcher(ctx: WebContext) -> Watcher:
    w = getattr(ctx, "_watcher", None)
    if w is None:
        w = ctx._watcher = Watcher(live_feed(ctx))  # type: ignore[attr-defined]
    return w
