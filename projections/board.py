"""The dashboard's answer at ten thousand live cases in milliseconds (issue 23): what does not depend
on the clock is worked out once per live case's document and kept; each query only reads the
clock.

`LiveBoard` is kept per store of documents (SQLite, PostgreSQL). It reads again only the documents
written since it last looked (by their change position, `projections/document_changes.py`), and
forgets the cases whose document was deleted or is no longer live. A query then takes each
deadline's time left at `now`; the working time left from a running total of the calendar's
working time (`WorkingClock`), walking its days alongside the deadlines, which are kept in due
order; and the order: the overdue deadlines are those due by `now`, so they come first in the same
order, and the cases with none overdue stay in case order after those with some. The answer is the
one `projections/dashboard.py` gives (`folded_dashboard`), and a test holds the two equal.
"""

from __future__ import annotations

import gc
import json
import threading
from bisect import bisect_left, bisect_right, insort
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

from domain.deadlines import WorkingCalendar
from projections.board_rows import case_rows
from projections.documents import Doc, Documents

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
US = timedelta(microseconds=1)
NEVER = 1 << 62  # microseconds since 1970: after any deadline


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


class _Case:
    """A live case's part of the answer that the clock does not change, from its document: its row,
    its deadlines as kept in the board's order (due, case id, key, place among its steps), its dues."""

    __slots__ = ("key", "row", "deadlines", "dues", "first_due", "flagged", "case_id")

    def __init__(self, key: str, case: Doc) -> None:
        self.key = key
        self.row, items, self.flagged = case_rows(case)
        self.case_id = self.row["case_id"]
        self.deadlines = [(i["due"], self.case_id, key, n, _us(datetime.fromisoformat(i["due"])), i)
                          for n, i in enumerate(items) if i["due"]]
        self.dues = sorted(d[4] for d in self.deadlines)
        self.first_due = self.dues[0] if self.dues else NEVER


class LiveBoard:
    """The live cases of one store's `live_cases`, as last read, with their parts of the answer."""

    def __init__(self, view: str, below: str, live: Any) -> None:
        self.view, self.below, self.live = view, below, live
        self.position: int | None = None  # the view's change position last read
        self.cases: dict[str, _Case] = {}  # by key
        self.ordered: list[_Case] = []  # in case id order (then key)
        self.deadlines: list[tuple[str, str, str, int, int, dict[str, Any]]] = []  # in the answer's order
        self.clock: WorkingClock | None = None
        self.lock = threading.Lock()

    def refresh(self, documents: Documents) -> None:
        changed = documents.changes(self.view, self.position, self.below)  # type: ignore[attr-defined]
        if changed.position == self.position:
            return
        if changed.whole:
            self.cases, self.deadlines, self.ordered = {}, [], []
        else:
            for key in [*changed.gone, *(k for k, _ in changed.docs)]:
                self._drop(key)
        added = [_Case(key, doc) for key, doc in ((k, json.loads(text)) for k, text in changed.docs) if self.live(doc)]
        for case in added:
            self._add(case, bulk=changed.whole)
        if changed.whole:  # the rows copied at each query, made again side by side in the order they are read
            self.deadlines = [(*d[:5], d[5].copy()) for d in sorted(self.deadlines)]  # (due, case id, key, n): each once
            self.ordered = sorted(self.cases.values(), key=_in_order)
            for c in self.ordered:
                c.row = c.row.copy()
        self.position = changed.position
        clock = self.clock
        if clock is not None and not all(clock.covers_us(d) for c in added for d in (c.dues[:1] + c.dues[-1:])):
            self.clock = None  # deadlines beyond the running total's days: made again for them

    def _drop(self, key: str) -> None:
        case = self.cases.pop(key, None)
        if case is None:
            return
        for d in case.deadlines:
            del self.deadlines[bisect_left(self.deadlines, d[:4])]  # the first from (due, case id, key, n): it
        del self.ordered[bisect_left(self.ordered, _in_order(case), key=_in_order)]

    def _add(self, case: _Case, bulk: bool) -> None:
        self.cases[case.key] = case
        if bulk:  # sorted once, after every case is in
            self.deadlines += case.deadlines
            return
        for d in case.deadlines:
            insort(self.deadlines, d)
        insort(self.ordered, case, key=_in_order)

    def _span(self) -> tuple[int, int]:
        dues = [d[4] for d in self.deadlines]
        return min(dues), max(dues)

    def answer(self, now: datetime, calendar: WorkingCalendar) -> dict[str, Any]:
        clock = self.clock
        if clock is None or clock.calendar is not calendar or not clock.covers(now):
            first, last = (EPOCH + d * US for d in self._span()) if self.deadlines else (now, now)
            clock = self.clock = WorkingClock(calendar, min(now, first).date() - timedelta(days=7),
                                              max(now, last).date() + timedelta(days=91))  # room for new cases
        at = _us(now)
        rows, risk = self._rows(at)
        return {"as_at": now.isoformat(), "live_cases": rows, "deadlines": self._deadlines(at, clock),
                "cases_with_open_risk_beyond_timescale": risk}

    def _deadlines(self, at: int, clock: WorkingClock) -> list[dict[str, Any]]:
        """Every deadline at `at` (microseconds): the overdue first, each part in the board's order. The
        working time left walks the clock's days alongside the dues (in order, bar different UTC offsets)."""
        opens, closes, before, low, high = clock.opens, clock.closes, clock.before, clock.low, clock.high
        last = len(opens) - 1
        day = bisect_right(opens, at) - 1
        start = 0 if day < 0 else before[day] + (at if at < closes[day] else closes[day]) - opens[day]
        late, coming = [], []
        for _, _, _, _, due, item in self.deadlines:  # seconds as int(timedelta.total_seconds()) gives them
            row = item.copy()
            row["time_left_s"] = int((due - at) / 1_000_000)
            if due <= at:
                row["overdue"], row["working_time_left_s"] = True, 0
                late.append(row)
                continue
            if not low <= due <= high:
                row["working_time_left_s"] = clock.seconds(at, due)
            else:
                if day < last and opens[day + 1] <= due:
                    day += 1
                    while day < last and opens[day + 1] <= due:
                        day += 1
                elif day >= 0 and opens[day] > due:  # out of order: looked up
                    day = bisect_right(opens, due) - 1
                end = 0 if day < 0 else before[day] + (due if due < closes[day] else closes[day]) - opens[day]
                row["working_time_left_s"] = int((end - start) / 1_000_000)
            coming.append(row)
        late += coming
        return late

    def _rows(self, at: int) -> tuple[list[dict[str, Any]], list[str]]:
        """The cases: those with deadlines overdue at `at` first, most overdue first, then the others,
        in case id order within each count."""
        late, others = [], []
        for c in self.ordered:
            if c.first_due <= at:
                row = c.row.copy()
                row["overdue"] = bisect_right(c.dues, at)
                row["open_risk_beyond_timescale"] = True
                late.append(row)
            elif c.flagged:
                row = c.row.copy()
                row["open_risk_beyond_timescale"] = True
                others.append(row)
            else:
                others.append(c.row.copy())
        late.sort(key=_most_overdue)
        risk = [r["case_id"] for r in late]
        risk += [r["case_id"] for r in others if r["open_risk_beyond_timescale"]]
        late += others
        return late, risk


def _in_order(case: _Case) -> tuple[str, str]:
    return case.case_id, case.key


def _most_overdue(row: dict[str, Any]) -> int:
    return -row["overdue"]


@contextmanager
def left_unwalked() -> Iterator[None]:
    """Python's cycle collector kept from walking what is made inside (the board's rows: 30,000 new
    dicts, no cycles; and what a refresh keeps): collected as far as it would be first (the young
    generations), paused, and then what was made is moved among the old objects, as surviving
    collections would move it, without a walk (`gc.freeze` then `gc.unfreeze`: a walk cost as much
    as the rest of the query). Left as it is if something else froze objects (then none are moved)."""
    was = gc.isenabled()
    if was:
        gc.collect(1)
        gc.disable()
    try:
        yield
    finally:
        if was:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def board_of(documents: Documents, make: Any) -> LiveBoard | None:
    """The store's board, kept with its documents (None: documents kept in memory, folded as at an instant)."""
    if not hasattr(documents, "changes"):
        return None
    board = documents.__dict__.get("_live_board")
    if board is None:
        board = documents.__dict__["_live_board"] = make()
    return board
