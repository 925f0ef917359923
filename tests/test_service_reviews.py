"""A pattern-triggered service review (004 line 117) is tracked to an outcome, with an owner and a
due date (issue 19 §2): raised once per service, rule and completing concern, escalated when
missed as a case step is, and closed by its outcome. The rules first, then the worker's loop on
the time-skipping server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from activities.audit_activities import action_clock, action_state, complete_action, raise_service_reviews
from casework.temporal.processes import track_service_reviews
from domain.case import Rejected
from domain.deadlines import WorkingCalendar
from domain.governance import SERVICE_REVIEW
from domain.governance_actions import ActionCompletion, service_review_ref
from eventstore.audit import action_stream
from workflows.governance_action import GovernanceActionWorkflow, action_workflow_id

UTC = timezone.utc
CAL = WorkingCalendar()


def record(service_id: str, *reviews: tuple[str, str]) -> dict:
    return {"service_id": service_id, "service_reviews": [
        {"rule": rule, "title": "two or more concerns about the same alleged source within 30 days", "case_id": case_id,
         "cases": ["C-1", case_id], "raised_at": "2027-01-11T10:00:00+00:00"} for rule, case_id in reviews]}


@pytest.mark.unit
def test_a_review_is_raised_once_owned_due_escalated_and_closed_by_its_outcome(records):
    assert SERVICE_REVIEW.seed.startswith("004 line 117") and SERVICE_REVIEW.owner == "quality_safeguarding_lead"
    services = [record("SVC-ELM", ("same_source_repeated", "C-2"))]
    now = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)  # a Tuesday
    ref = service_review_ref("SVC-ELM", "same_source_repeated", "C-2")
    assert raise_service_reviews(records, services, now, CAL) == [ref]
    assert raise_service_reviews(records, services, now + timedelta(hours=1), CAL) == [ref]  # raised once
    assert len(list(records.stream(action_stream(ref)))) == 1
    state = action_state(records, ref)
    assert (state.kind, state.owner, state.deadline) == ("service_review", "quality_safeguarding_lead", "within 10 working days")
    assert state.due == datetime(2027, 1, 26, 10, 0, tzinfo=UTC)
    missed = action_clock(records, ref, state.due + timedelta(minutes=1), CAL)
    assert missed.missed and missed.escalated_to == ("operations_director",)  # as a case step escalates
    with pytest.raises(Rejected):
        complete_action(records, ref, ActionCompletion(role="operations_director", actor="OD-1", evidence=" "), missed.due, CAL)
    done = complete_action(records, ref, ActionCompletion(
        role="operations_director", actor="OD-1", evidence="night staffing short on Tuesdays; a second waking night "
                                                           "and a lounge rota agreed with the manager"), state.due + timedelta(days=1), CAL)
    assert (done.status, done.on_time) == ("completed", False)
    assert raise_service_reviews(records, services, now + timedelta(days=30), CAL) == []  # closed: nothing to keep


async def test_the_worker_tracks_a_new_review_and_its_deadline_escalates(env, driver, records):
    now = await env.get_current_time()
    services = [record("SVC-OAK", ("frequent_concerns", "C-9"))]
    ref = service_review_ref("SVC-OAK", "frequent_concerns", "C-9")
    tracked: set[str] = set()
    started = await track_service_reviews(env.client, driver.settings.task_queue, records, services, now, CAL, tracked)
    handle = env.client.get_workflow_handle(action_workflow_id(ref))
    driver.handles.append(handle)
    assert started == [ref] and tracked == {ref}
    assert await track_service_reviews(env.client, driver.settings.task_queue, records, services, now, CAL, tracked) == []
    await env.sleep(timedelta(days=20))  # past ten working days
    state = await handle.query(GovernanceActionWorkflow.status)
    assert state.missed and state.escalated_to[0] == "operations_director"
