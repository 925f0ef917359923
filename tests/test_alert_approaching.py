"""A deadline approaching (issue 20), decided on the case alone: told once to the step's role when
a quarter of its time is left (5 minutes, under an hour), never after the deadline, and not at all
for a case that adopted the first alert policy (2026.12.1), which did not tell of deadlines near."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.alerts import ALERTS
from domain.case import decide_alert_outcome, decide_alerts_adopted, next_wakeup, replay
from domain.oncall import Person, who_to_remind
from tests.conftest import concern
from tests.pure_case import PureCase

pytestmark = pytest.mark.unit


def alerting(policy=ALERTS, **over) -> PureCase:
    case = PureCase(concern("2027-03-15T10:00:00+00:00", case_id="AP-1"))  # a Monday: record_concern due in 15 minutes
    case._record(decide_alerts_adopted(case.state, policy, case.now))
    return case


def told(case: PureCase) -> list:
    return [f for f in case.facts if f.type == "DeadlineApproaching"]


def test_the_step_is_told_once_five_minutes_before_a_short_deadline():
    case = alerting()
    record = next(o for o in case.state.open_steps if o.step == "record_concern")
    assert next_wakeup(case.state) == record.due - timedelta(minutes=5)
    case.at(record.due - timedelta(minutes=6))
    assert told(case) == []
    case.at(record.due - timedelta(minutes=1))
    [fact] = told(case)
    assert (fact.step, fact.occurrence, fact.to_role, fact.due, fact.at) == (
        "record_concern", 1, "senior_support_worker", record.due, record.due - timedelta(minutes=5))
    case.at(record.due - timedelta(seconds=1))
    assert len(told(case)) == 1  # once
    # delivered to nobody: recorded, and nothing climbs (the deadline escalates if it is missed)
    outcome = decide_alert_outcome(case.state, fact.alert_id, [], True, "nobody who would be alerted could be reached", case.now)
    assert [f.type for f in outcome] == ["AlertNotDelivered"]
    state = replay(case.state, outcome)
    assert decide_alert_outcome(state, fact.alert_id, [], True, "again", case.now) == []


def test_a_case_under_the_first_alert_policy_is_not_told_and_replays_so():
    case = alerting(ALERTS.model_copy(update={"version": "2026.12.1", "tells_approaching": False}))
    case.at("2027-03-15T10:14:00+00:00")
    assert told(case) == []


def test_a_step_the_pathway_says_is_never_told_is_not():
    case = alerting()
    pathway = case.state.policy.pathway
    steps = tuple(s.model_copy(update={"approaching_share": 0}) if s.id == "record_concern" else s for s in pathway.steps)
    case.state = case.state.model_copy(update={"policy": case.state.policy.model_copy(
        update={"pathway": pathway.model_copy(update={"steps": steps})})})
    case.at("2027-03-15T10:14:00+00:00")
    assert told(case) == []


def test_a_deadline_passed_in_an_outage_is_not_told_late():
    case = alerting()
    case.now = case.now + timedelta(hours=2)  # the worker was away: the clock wakes once, after the deadline
    from domain.case import decide_clock
    facts = decide_clock(case.state, case.now)
    assert "DeadlineApproaching" not in [f.type for f in facts] and "DeadlineMissed" in [f.type for f in facts]


def test_reminders_go_to_the_steps_role_at_the_service_unless_turned_off():
    people = [Person("S-1", {"SVC-ELM": ("senior_support_worker",)}, "s1@example.org"),
              Person("S-2", {"SVC-ELM": ("senior_support_worker",)}, "s2@example.org", approaching_alerts=False),
              Person("S-3", {"SVC-OAK": ("senior_support_worker",)}, "s3@example.org"),
              Person("S-4", {"SVC-ELM": ("senior_support_worker",)})]  # no contact details
    assert [r.user_id for r in who_to_remind("senior_support_worker", "SVC-ELM", people)] == ["S-1"]


def test_failed_attempts_are_recorded_before_the_delivery_they_delayed():
    from domain.case import decide_alert_outcome
    case = alerting()
    case.at("2027-03-15T10:11:00+00:00")
    [fact] = told(case)
    outcome = decide_alert_outcome(case.state, fact.alert_id, [("S-1", "email", "smtp", "<m@x>")], False, "", case.now,
                                   ("the mail server said try again later (451)",) * 2, attempt=3)
    assert [(f.type, getattr(f, "failed_attempts", None)) for f in outcome] == [("AlertDelayed", 2), ("AlertSent", None)]
