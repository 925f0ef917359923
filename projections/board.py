"""The dashboard's answer at ten thousand live cases in milliseconds (issue 23): what does not depend
on the clock is worked out once per live case's document and kept; each query only reads the
clock.

`LiveBoard` is kept per store of documents (SQLite, PostgreSQL). It reads the live cases again only
when `live_cases` has moved on, and then works out again only the cases whose document changed
(their stored JSON compared as text). A query then takes each deadline's time left at `now`, the
working time from a running total of the calendar's working time (`WorkingClock`: one look-up
rather than a walk through the days), and the order: the deadlines are kept in due order, and the
overdue ones are those due by `now`, so they come first in the same order. The answer is the one
`projections/dashboard.py` gives, and a test holds the two equal.
"""

from __future__ import annotations

import json
import threading
from bisect import bisect_right
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from domain.deadlines import WorkingCalendar
from domain.pathway import counts_working_time
from projections.documents import Doc, Documents

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
US = timedelta(microseconds=1)


def _us(at: datetime) -> int:
    return (at - EPOCH) // US


class WorkingClock:
    """Working time between two instants as the calendar counts it (`working_time_between`), from a
    running total over the working days between `first` and `last`; outside them, the calendar's own."""

    def __init__(self, calendar: WorkingCalendar, first: date, last: date) -> None:
        self.calendar, self.opens, self.closes, self.before = calendar, [], [], []
        total, day = 0, first
        while day <= last:
            if calendar.is_working_day(day):
                opens, closes = calendar._instant(day, calendar.opens_at), calendar._instant(day, calendar.closes_at)
                self.opens.append(_us(opens))
                self.closes.append(_us(closes))
                self.before.append(total)
                total += self.closes[-1] - self.opens[-1]
            day += timedelta(days=1)
        self.low, self.high = (_us(calendar._instant(first, calendar.opens_at)),
                               _us(calendar._instant(last, calendar.opens_at)))

    def covers(self, at: datetime) -> bool:
        return self.low <= _us(at) <= self.high

    def covers_us(self, us: int) -> bool:
        return self.low <= us <= self.high

    def _total(self, us: int) -> int:
        i = bisect_right(self.opens, us) - 1
        if i < 0:
            return 0
        closes = self.closes[i]
        return self.before[i] + (us if us < closes else closes) - self.opens[i]

    def seconds(self, start: int, end: int) -> int:
        """int(working_time_between(start, end).total_seconds()), the instants in microseconds since 1970."""
        if not (self.low <= start <= self.high and self.low <= end <= self.high):
            return int(self.calendar.working_time_between(EPOCH + start * US, EPOCH + end * US).total_seconds())
        return int((self._total(end) - self._total(start)) / 1_000_000)


working_time_counted = lru_cache(maxsize=None)(counts_working_time)


class _Case:
    """A live case's part of the answer that the clock does not change, from its document."""

    def __init__(self, text: str, case: Doc, escalation_row: Any, oversight_step: str) -> None:
        self.text = text
        open_items = []
        for s in case["open_steps"].values():
            due = datetime.fromisoformat(s["due"]) if s["due"] else None
            open_items.append((due, {
                "case_id": case["case_id"], "service_id": case["service"]["id"], "step": s["step"],
                "occurrence": s["occurrence"], "role": s["role"], "escalated_to": s["escalated_to"],
                "due": s["due"], "overdue": False, "working_time_left_s": None, "working_time": working_time_counted(s["step"]),
                "time_left_s": None, "stopped": case.get("stopped"), **({"title": s["title"]} if s.get("title") else {})}))
        self.items = open_items
        self.dues = sorted(_us(d) for d, i in open_items if d is not None)
        oversight_due = min((i["due"] for _, i in open_items if i["step"] == oversight_step and i["due"]), default=None)
        self.flagged = bool((case["oversight"] or {}).get("flags", [])) or bool(case.get("stopped"))
        self.row = {
            "case_id": case["case_id"], "service": case["service"], "adult_at_risk": case["adult_at_risk"],
            "alleged_source": case["alleged_source"], "status": case["status"], "identified_at": case["identified_at"],
            "threshold_level": case["threshold_level"],
            "current_steps": sorted({i["step"] for _, i in open_items if i["step"] != oversight_step}),
            "overdue": 0,
            "escalations_outstanding": sorted((escalation_row(k, e) for k, e in case["escalations"].items()),
                                              key=lambda x: x["at"]),
            "escalations_acknowledged": sorted((escalation_row(k, e) for k, e in (case.get("acknowledged") or {}).items()),
                                               key=lambda x: x["acknowledged"]["at"]),
            "live_case_oversight": {"next_due": oversight_due, "last": case["oversight"],
                                    "next_opens": None if oversight_due else case.get("oversight_opens")},
            "open_risk_beyond_timescale": False,
            "stopped": case.get("stopped"),
        }


def _most_overdue(row: dict[str, Any]) -> int:
    return -row["overdue"]


class LiveBoard:
    """The live cases of one store's `live_cases`, as last read, with their parts of the answer."""

    def __init__(self, view: str, below: str, live: Any, escalation_row: Any, oversight_step: str) -> None:
        self.view, self.below, self.live = view, below, live
        self.escalation_row, self.oversight_step = escalation_row, oversight_step
        self.position: int | None = None
        self.cases: list[_Case] = []
        self.deadlines: list[tuple[int, dict[str, Any]]] = []  # (due, microseconds since 1970) in the answer's order
        self.clock: WorkingClock | None = None
        self.lock = threading.Lock()

    def refresh(self, documents: Documents) -> None:
        position = documents.position(self.view)
        if position == self.position:
            return
        known = {c.text: c for c in self.cases}
        cases = []
        for _, text in documents.scan_text(self.view, below=self.below):  # type: ignore[attr-defined]
            case = known.get(text)
            if case is None:
                doc = json.loads(text)
                if not self.live(doc):
                    continue
                case = _Case(text, doc, self.escalation_row, self.oversight_step)
            cases.append(case)
        items = [(_us(due), i) for c in cases for due, i in c.items if i["due"]]
        items.sort(key=lambda x: (x[1]["due"], x[1]["case_id"]))  # the answer's order within overdue and not
        cases.sort(key=lambda c: c.row["case_id"])
        self.cases, self.deadlines, self.position = cases, items, position
        if self.clock is not None and items and not all(self.clock.covers_us(d) for d in self._span()):
            self.clock = None  # deadlines beyond the running total's days: made again for them

    def _span(self) -> tuple[int, int]:
        dues = [d for d, _ in self.deadlines]
        return min(dues), max(dues)

    def answer(self, now: datetime, calendar: WorkingCalendar) -> dict[str, Any]:
        clock = self.clock
        if clock is None or clock.calendar is not calendar or not clock.covers(now):
            first, last = (EPOCH + d * US for d in self._span()) if self.deadlines else (now, now)
            clock = self.clock = WorkingClock(calendar, min(now, first).date() - timedelta(days=7),
                                              max(now, last).date() + timedelta(days=7))
        at = _us(now)
        late, coming = [], []
        for due, item in self.deadlines:  # seconds as int(timedelta.total_seconds()) gives them
            if due <= at:
                late.append({**item, "overdue": True, "working_time_left_s": 0, "time_left_s": int((due - at) / 1_000_000)})
            else:
                coming.append({**item, "working_time_left_s": clock.seconds(at, due), "time_left_s": int((due - at) / 1_000_000)})
        rows = []
        for c in self.cases:  # kept in case id order: sorted by overdue alone, they stay so within each count
            n = bisect_right(c.dues, at)
            rows.append({**c.row, "overdue": n, "open_risk_beyond_timescale": bool(n) or c.flagged})
        rows.sort(key=_most_overdue)
        return {"as_at": now.isoformat(), "live_cases": rows, "deadlines": late + coming,
                "cases_with_open_risk_beyond_timescale": [c["case_id"] for c in rows if c["open_risk_beyond_timescale"]]}


def board_of(documents: Documents, make: Any) -> LiveBoard | None:
    """The store's board, kept with its documents (None: documents kept in memory, folded as at an instant)."""
    if not hasattr(documents, "scan_text"):
        return None
    board = documents.__dict__.get("_live_board")
    if board is None:
        board = documents.__dict__["_live_board"] = make()
    return board

