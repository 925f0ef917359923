"""A long case's summary stays short: a recurring step is one task (its open occurrence, else its
latest), the others folded under it (issue 21: a case with 150 developments listed 150 chronology updates)."""

import pytest

from web.pages.case import grouped

pytestmark = pytest.mark.unit


def task(step: str, occurrence: int, status: str) -> dict:
    return {"step": step, "occurrence": occurrence, "status": status, "title": step}


def test_a_recurring_step_is_one_task_showing_its_open_occurrence_with_the_rest_folded():
    steps = [task("record_concern", 1, "done")] + [task("chronology_development", n, "done") for n in range(1, 150)] + \
        [task("chronology_development", 150, "overdue"), task("live_case_oversight", 1, "done")]
    rows = grouped(steps)
    assert [(r["step"], r["occurrence"], r["status"], len(r["earlier"])) for r in rows] == [
        ("record_concern", 1, "done", 0), ("chronology_development", 150, "overdue", 149), ("live_case_oversight", 1, "done", 0)]


def test_a_recurring_step_all_done_shows_its_latest():
    rows = grouped([task("live_case_oversight", n, "done") for n in (1, 2, 3)])
    assert [(r["occurrence"], [e["occurrence"] for e in r["earlier"]]) for r in rows] == [(3, [1, 2])]
