"""A decision's review (opened by a correction, issue 22) is due within 2 working days, and its time
left is told in working time, as every step due in working days is (found by the issue 22 walk: My
work and the review's page said '47 hours 59 min left' for 'within 2 working days', and over a
weekend they would count the weekend)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.amendments import REVIEW_DEADLINE, REVIEW_STEP
from domain.deadlines import WorkingCalendar
from domain.pathway import counts_working_time
from web.pages.formats import countdown

pytestmark = pytest.mark.unit


def test_a_reviews_time_left_is_told_in_working_time():
    calendar = WorkingCalendar()
    now = datetime(2027, 1, 15, 15, 0, tzinfo=timezone.utc)  # a Friday afternoon
    due = REVIEW_DEADLINE.due(now, calendar)
    assert due.weekday() == 1  # Tuesday: two working days on, over the weekend
    assert counts_working_time(REVIEW_STEP)
    c = countdown(REVIEW_STEP, due, now, calendar)
    assert c["windows"] is not None and c["text"].endswith("working hours left"), c["text"]
    assert not counts_working_time("no_such_step")
