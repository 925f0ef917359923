"""Amendments on a real case's workflow (issue 22), on the time-skipping server: the `amend_step`
update records a correction under the case's lock, refuses a bad one before anything is recorded,
answers a request sent again without recording it twice, and the review a corrected decision opens
is a step like any other: its deadline escalates when missed."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from tests.conftest import concern
from tests.stories import amended


def refusal(e: pytest.ExceptionInfo) -> tuple[str, str]:
    cause = e.value.cause
    return cause.type, str(cause.message)


async def test_records_are_corrected_and_a_corrected_decision_is_reviewed(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", case_id="AMEND-1"))
    await amended(case)
    facts = [f.fact for f in case.facts()]
    amendments = [f for f in facts if f.type == "StepAmended"]
    assert [(a.amendment, a.step, a.decisions) for a in amendments] == [
        (1, "record_concern", ()), (2, "external_referral", ()), (3, "route_decision", ("route",)),
        (4, "seriousness_assessment", ("threshold_level",))]
    assert [(c.field, c.old, c.new) for c in amendments[0].changes] == [
        ("behaviour_observed", "blocked the lounge door", "blocked the lounge door and shouted"),
        ("initiated_by", "A-204", "A-300")]
    assert [(c.old, c.new) for c in amendments[1].changes] == [("2027-01-12T11:00:00+00:00", "2027-01-12T10:50:00+00:00")]
    opened = [f for f in facts if f.type == "StepOpened" and f.step == "decision_review"]
    assert [(o.occurrence, o.role, o.deadline) for o in opened] == [
        (1, "designated_safeguarding_lead", "within 2 working days"), (2, "registered_manager", "within 2 working days")]
    escalated = [f for f in facts if f.type == "Escalated" and f.step == "decision_review"]
    assert [(e.occurrence, e.from_role, e.to_role) for e in escalated] == [(2, "registered_manager", "designated_safeguarding_lead")]
    reviewed = [f for f in facts if f.type == "DecisionReviewed"]
    assert [(r.amendment, r.decision, r.outcome, [(c.field, c.old, c.new) for c in r.changes]) for r in reviewed] == [
        (3, "route", "changed", [("external_threshold_met", True, False)]), (4, "threshold_level", "confirmed", [])]
    status = await case.status()
    assert "decision_review" in status.completed_steps and not [o for o in status.open_steps if o.step == "decision_review"]

    # the same request sent again: refused as recorded already, never recorded twice
    with pytest.raises(WorkflowUpdateFailedError) as again:
        await case.amend("record_concern", "a resident's name was typed in", actor="SSW-1", request_id="SSW-1:a-1",
                         behaviour_observed="blocked the lounge door and shouted", initiated_by="A-300")
    assert "already recorded" in refusal(again)[1]
    # a decision field, or another's record without the role: refused, nothing recorded
    before = len(case.facts())
    with pytest.raises(WorkflowUpdateFailedError) as decision:
        await case.amend("route_decision", external_threshold_met=True)
    assert "'external_threshold_met' cannot be corrected" in refusal(decision)[1]
    with pytest.raises(WorkflowUpdateFailedError) as other:
        await case.amend("record_concern", role="team_leader", actor="TL-9", notes="x")
    assert "only the person who completed record_concern (SSW-1)" in refusal(other)[1]
    assert len(case.facts()) == before
    assert len([f for f in case.facts() if f.fact.type == "StepAmended"]) == 4
