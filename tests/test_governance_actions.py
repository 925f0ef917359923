"""Governance actions tracked to closure (issue 12): an action an audit raises has an owner role,
a due instant from data, escalation when missed as a case step has, and a completion with its
evidence; the next audit of the kind reports it. Pure rules first, then the workflow on the
time-skipping server."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from temporalio.client import WorkflowUpdateFailedError

from activities.audit_activities import run_audit
from domain.case import Rejected
from domain.deadlines import WorkingCalendar
from domain.governance import AUDITS, IMPROVEMENT_PLANNING, PRACTICE_CORRECTION, TARGETED_RETRAINING, AuditRequest, ActionDue
from domain.governance_actions import (
    ActionCompletion,
    check_action_completion,
    decide_action_clock,
    decide_action_completion,
    evolve_action,
    replay_action,
)
from domain.pathway import current_pathway
from eventstore.audit import action_stream
from projections.feed import ProjectionFeed
from projections.governance import GovernanceActions, tracked_actions
from projections.registry import open_documents
from simulation.runner import CaseClock
from tests.conftest import concern
from tests.pure_case import PureCase
from workflows.audit import GovernanceAuditWorkflow
from workflows.governance_action import ActionInput, GovernanceActionWorkflow, action_workflow_id

UTC = timezone.utc
CAL = WorkingCalendar().with_holidays(WorkingCalendar().holidays_for(2027, 2029))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.unit
def test_every_audit_action_has_an_owner_a_due_rule_and_the_evidence_it_asks_for():
    assert [(a.id, a.owner, a.due.describe()) for d in AUDITS.values() for a in d.actions] == [
        ("immediate_practice_correction", "quality_safeguarding_lead", "within 5 working days"),
        ("targeted_retraining", "quality_safeguarding_lead", "within 20 working days"),
        ("service_wide_improvement_planning", "operations_director", "within 1 month"),
    ]
    assert all(a.evidence for a in (PRACTICE_CORRECTION, TARGETED_RETRAINING, IMPROVEMENT_PLANNING))
    # a month is a calendar month, in London: 31 January -> 28 February
    assert IMPROVEMENT_PLANNING.due.due(at("2027-01-31T07:00:00+00:00"), CAL) == at("2027-02-28T07:00:00+00:00")
    with pytest.raises(ValueError, match="one of them"):
        ActionDue(working_days=5, months=1)


def missed_seriousness_case(records, identified_at: str) -> str:
    """A case whose same-day seriousness assessment is missed (the weekly audit's 0 of 1), stored as decided."""
    pure = PureCase(concern(identified_at, case_id=f"GA-{uuid.uuid4().hex[:8]}"))
    pure.at(pure.now + timedelta(minutes=5)).complete("record_concern")
    pure.at(pure.now + timedelta(hours=2))
    records.record(pure.state.case_id, 1, pure.facts)
    return pure.state.case_id


def weekly(records, as_of: date):
    seven = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC) + timedelta(hours=7)  # GMT in February
    return run_audit(records, AuditRequest(kind="weekly", as_of=as_of, requested_by="test", requested_at=seven), seven, CAL)


@pytest.mark.unit
def test_the_action_decisions_miss_escalate_and_complete_as_a_case_step(records):
    case_id = missed_seriousness_case(records, "2027-02-02T16:00:00+00:00")
    record = weekly(records, date(2027, 2, 8))
    (raised,) = [r.fact for r in records.stream(action_stream("weekly-2027-02-08-immediate_practice_correction"))]
    assert (raised.owner, raised.due, raised.deadline) == ("quality_safeguarding_lead", at("2027-02-12T17:00:00+00:00"),
                                                           "within 5 working days")
    assert record.figures["cases"]["seriousness_not_same_day"] == [case_id]
    state = evolve_action(None, raised)
    role_above = current_pathway().role_above
    again = lambda t: PRACTICE_CORRECTION.due.due(t, CAL)  # noqa: E731
    assert decide_action_clock(state, at("2027-02-12T16:59:00+00:00"), role_above, again) == []
    (esc,) = decide_action_clock(state, at("2027-02-12T17:00:00+00:00"), role_above, again)
    assert (esc.cause, esc.from_role, esc.to_role, esc.next_escalation_due) == (
        "missed_deadline", "quality_safeguarding_lead", "operations_director", at("2027-02-19T17:00:00+00:00"))
    state = evolve_action(state, esc)
    (again_esc,) = decide_action_clock(state, at("2027-02-19T17:00:00+00:00"), role_above, again)
    assert (again_esc.cause, again_esc.to_role, again_esc.next_escalation_due) == ("still_open", "nominated_individual", None)

    for c, message in [(ActionCompletion(role="team_leader", actor="TL-1", evidence="x"), "cannot complete"),
                       (ActionCompletion(role="operations_director", actor="OD-1", evidence="  "), "give the evidence")]:
        with pytest.raises(Rejected, match=message):
            check_action_completion(state, c)
    (done,) = decide_action_completion(state, ActionCompletion(role="operations_director", actor="OD-1",
                                                               evidence="record-keeping refresher for RM-1, RM-2"),
                                       at("2027-02-15T10:00:00+00:00"))
    assert done.on_time is False
    finished = replay_action([raised, esc, done])
    assert (finished.status, finished.next_wakeup()) == ("completed", None)
    assert weekly(records, date(2027, 2, 8)).audit_id == record.audit_id  # recorded once; its action too
    assert len(records.stream(action_stream("weekly-2027-02-08-immediate_practice_correction"))) == 1


async def test_an_action_raised_by_an_audit_completed_late_escalated_then_closed_and_the_next_audit_reports_it(env, driver, records):
    missed_seriousness_case(records, "2027-02-02T16:00:00+00:00")
    raised_at = at("2027-02-08T07:00:00+00:00")
    clock = CaseClock(env, raised_at - await env.get_current_time())
    record = weekly(records, date(2027, 2, 8))
    (action,) = record.actions
    ref = f"weekly-2027-02-08-{action.action}"
    handle = await env.client.start_workflow(GovernanceActionWorkflow.run, ActionInput(ref=ref, clock_offset=clock.offset),
                                             id=action_workflow_id(ref), task_queue=driver.settings.task_queue)
    driver.handles.append(handle)

    await clock.advance_to(at("2027-02-13T10:00:00+00:00"))  # due Friday 12 February 17:00: missed
    state = await handle.query(GovernanceActionWorkflow.status)
    assert (state.status, state.missed, state.escalated_to) == ("open", True, ("operations_director",))

    await clock.advance_to(at("2027-02-15T07:00:00+00:00"))  # the next weekly audit, before it is done
    carried = weekly(records, date(2027, 2, 15)).carried_actions
    assert [(a["ref"], a["state"], [e["to_role"] for e in a["escalations"]]) for a in carried] == [
        (ref, "overdue", ["operations_director"])]

    await clock.advance_to(at("2027-02-15T10:00:00+00:00"))
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(GovernanceActionWorkflow.complete, ActionCompletion(role="quality_safeguarding_lead",
                                                                                         actor="QSL-1", evidence=""))
    assert "give the evidence" in str(e.value.cause)
    done = await handle.execute_update(GovernanceActionWorkflow.complete, ActionCompletion(
        role="quality_safeguarding_lead", actor="QSL-1", evidence="same-day assessment briefing for RM-1 and RM-2"))
    assert (done.status, done.on_time, done.completed_at) == ("completed", False, at("2027-02-15T10:00:00+00:00"))
    assert (await handle.result()).status == "completed"
    types = [r.fact.type for r in records.stream(action_stream(ref))]
    assert types == ["GovernanceActionRaised", "GovernanceActionEscalated", "GovernanceActionCompleted"]

    await clock.advance_to(at("2027-02-22T07:00:00+00:00"))
    (reported,) = weekly(records, date(2027, 2, 22)).carried_actions
    assert (reported["state"], reported["on_time"], reported["completed_by"], reported["evidence"]) == (
        "completed", False, "quality_safeguarding_lead", "same-day assessment briefing for RM-1 and RM-2")
    assert weekly(records, date(2027, 3, 1)).carried_actions == []  # closed before that period: reported once

    feed = ProjectionFeed(records, open_documents(records), [GovernanceActions()])
    feed.catch_up()
    (view,) = tracked_actions(feed.documents, at("2027-03-01T00:00:00+00:00"))
    assert (view["ref"], view["state"], view["owner"]) == (ref, "completed", "quality_safeguarding_lead")
    assert tracked_actions(feed.documents, at("2027-02-14T00:00:00+00:00"))[0]["state"] == "overdue"


async def test_a_scheduled_audit_starts_tracking_each_action_it_raises(env, driver, records):
    today = (await env.get_current_time()).astimezone(timezone.utc).date() - timedelta(days=1)
    as_of = today - timedelta(days=today.weekday())  # a Monday already past on the server's clock
    missed_seriousness_case(records, f"{as_of - timedelta(days=6)}T10:00:00+00:00")  # its Tuesday before
    request = AuditRequest(kind="weekly", as_of=as_of, requested_by="test")
    ids = [f"audit-{uuid.uuid4().hex[:6]}" for _ in range(2)]
    record = await env.client.execute_workflow(GovernanceAuditWorkflow.run, request, id=ids[0], task_queue=driver.settings.task_queue)
    assert [a.action for a in record.actions] == ["immediate_practice_correction"]
    ref = f"weekly-{as_of.isoformat()}-immediate_practice_correction"
    tracked = env.client.get_workflow_handle(action_workflow_id(ref))
    driver.handles.append(tracked)
    for _ in range(100):
        try:
            state = await tracked.query(GovernanceActionWorkflow.status)
            break
        except Exception:
            await env.sleep(timedelta(milliseconds=50))
    assert (state.ref, state.status) == (ref, "open")
    # running the same audit again starts nothing new and fails nothing
    again = await env.client.execute_workflow(GovernanceAuditWorkflow.run, request, id=ids[1], task_queue=driver.settings.task_queue)
    assert again.audit_id == record.audit_id


@pytest.mark.unit
def test_a_retried_completion_answers_with_what_was_recorded_once(records):
    from activities.audit_activities import complete_action

    missed_seriousness_case(records, "2027-02-02T16:00:00+00:00")
    weekly(records, date(2027, 2, 8))
    ref = "weekly-2027-02-08-immediate_practice_correction"
    c = ActionCompletion(role="quality_safeguarding_lead", actor="QSL-1", evidence="briefing for RM-1")
    first = complete_action(records, ref, c, at("2027-02-10T10:00:00+00:00"), WorkingCalendar())
    again = complete_action(records, ref, c, at("2027-02-10T10:00:00+00:00"), WorkingCalendar())
    assert first == again and first.on_time is True
    assert [r.fact.type for r in records.stream(action_stream(ref))] == ["GovernanceActionRaised", "GovernanceActionCompleted"]
    with pytest.raises(Rejected, match="already completed"):
        complete_action(records, ref, c, at("2027-02-11T10:00:00+00:00"), WorkingCalendar())
