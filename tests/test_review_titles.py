"""A decision's review (issue 22) is named by the title its amendment recorded ("Review the threshold
decision after a correction"), never by its step's id put in words ("Decision review"): on My work,
on the board (its deadline and its escalation) and in the dashboard the pages read; the live fold,
one fact at a time and a rebuild give the same documents.

The facts are the decider's own (a case run without Temporal); the pages are the real app over a
store of the test's own."""

from __future__ import annotations

import re

import pytest

from domain.access import Assignment
from domain.case import decide_amendment
from domain.concern import StepAmendment
from domain.deadlines import WorkingCalendar
from eventstore.accounts import Accounts
from projections.dashboard import LiveCases, dashboard
from projections.documents import MemoryDocuments
from projections.feed import fold
from tests.conftest import concern
from tests.pure_case import PureCase
from tests.test_board_alerts import at, events, signed_in, text_of
from tests.browser_support import PASSWORD
from web.app import create_app

pytestmark = pytest.mark.unit

TITLE = "Review the threshold decision after a correction"
DSL, RM = "designated_safeguarding_lead", "registered_manager"
NOW = at("2027-01-19T12:00:00+00:00")  # the review's 2 working days passed: its deadline missed, escalated
HUMANISED = re.compile(r"decision[ _]review", re.I)


def reviewed_late() -> PureCase:
    """The seriousness assessment's notes corrected: the threshold level rested on them, so its
    review opens for the registered manager; not done in 2 working days, it escalates to the DSL."""
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="RV-1"))
    case.at("2027-01-12T09:40:00+00:00")
    for step in ("record_concern", "peer_risk_review", "seriousness_assessment"):
        case.complete(step, actor="RM-1" if step == "seriousness_assessment" else "STAFF-1")
    case.at("2027-01-14T10:00:00+00:00")
    case._record(decide_amendment(case.state, StepAmendment(
        step="seriousness_assessment", occurrence=1, changes={"notes": "fear at lunch too"}, reason="left out",
        actor="RM-1", role=RM), case.now))
    case.at(NOW)
    return case


def test_the_review_is_named_by_its_recorded_title_in_the_dashboard():
    case = reviewed_late()
    assert [(f.type, f.step) for f in case.facts if f.type in ("Escalated", "DeadlineMissed")
            and f.step == "decision_review"] == [("DeadlineMissed", "decision_review"), ("Escalated", "decision_review")]
    log = events(case)
    at_once, one_by_one = MemoryDocuments(), MemoryDocuments()
    fold(LiveCases(), at_once, log, log[-1].position)
    for e in log:
        fold(LiveCases(), one_by_one, [e], e.position)
    assert dict(one_by_one.scan("live_cases")) == dict(at_once.scan("live_cases"))
    view = dashboard(at_once, NOW, WorkingCalendar())
    [row] = [d for d in view["deadlines"] if d["step"] == "decision_review"]
    assert row["title"] == TITLE and row["overdue"]
    [escalated] = [e for e in view["live_cases"][0]["escalations_outstanding"] if e["step"] == "decision_review"]
    assert (escalated["step"], escalated["title"], escalated["to_role"]) == ("decision_review", TITLE, DSL)
    # a step of the pathway has no title of its own: the pathway names it, as before
    assert not [d for d in view["deadlines"] if d["step"] != "decision_review" and "title" in d]


async def test_my_work_and_the_board_name_the_review_by_its_title(settings, records):
    case = reviewed_late()
    records.record(case.state.case_id, 1, case.facts)
    accounts = Accounts(records)
    for user, role in (("RM-1", RM), ("DSL-2", DSL)):
        accounts.add_user(user, f"User {user}", PASSWORD, by="test")
        accounts.grant(user, Assignment(role, "SVC-ELM"), by="test")
    app = create_app(settings, records=records, now=lambda: NOW)

    rm = await signed_in(app, "RM-1")
    home = text_of((await rm.get("/")).text)
    assert f"{TITLE} " in home.split("Steps you can complete", 1)[1]
    board = text_of((await rm.get("/board")).text)
    assert f"RV-1 (SVC-ELM): {TITLE} to the designated safeguarding lead" in board  # its escalation
    assert board.count(TITLE) >= 2  # and its deadline
    dsl = await signed_in(app, "DSL-2")
    home = text_of((await dsl.get("/")).text)
    assert f"RV-1 at SVC-ELM: {TITLE} escalated to the designated safeguarding lead" in home
    assert f"It ends when the step {TITLE} is done" in home
    # why it was raised, in words, as the evidence pack says it: the step is named beside it
    assert f"{TITLE} to the designated safeguarding lead — Its deadline was missed (due Mon 18 Jan 2027, 10:00 GMT)" in board
    assert "Its deadline was missed (due Mon 18 Jan 2027, 10:00 GMT)" in home
    # the case's own page and the escalation's page
    [escalation] = [f.escalation_id for f in case.facts if f.type == "Escalated" and f.step == "decision_review"]
    summary = text_of((await dsl.get("/cases/RV-1")).text)
    assert f"{TITLE} to the designated safeguarding lead" in summary
    alone = text_of((await dsl.get(f"/cases/RV-1/escalations/{escalation}")).text)
    assert f"Escalation: {TITLE}" in alone and f"it ends when the step {TITLE} is done" in alone
    for page in (home, board, summary, alone):
        assert not HUMANISED.search(page), HUMANISED.findall(page)
