"""A case's steps as a task list (projections/case_tasks.py), from its facts alone: each step
occurrence done, open, overdue, escalated or withdrawn; the pathway's other steps not yet open;
and who each escalation's alerts reached."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from domain.facts import (AlertNotDelivered, AlertRaised, AlertSent, DeadlineMissed, Escalated, EscalationAcknowledged,
                          StepCompleted, StepOpened, StepWithdrawn)
from domain.pathway import current_pathway
from eventstore.events import Recorded
from projections.case_tasks import alerted, not_yet_open, tasks

pytestmark = pytest.mark.unit
T0 = datetime(2027, 1, 12, 9, 30, tzinfo=timezone.utc)


def recorded(*facts) -> list[Recorded]:
    stream = uuid4()
    return [Recorded(stream, i + 1, T0, f) for i, f in enumerate(facts)]


def opened(step: str, minutes: int, occurrence: int = 1) -> StepOpened:
    return StepOpened(at=T0, step=step, occurrence=occurrence, role="team_leader", clock_from=T0,
                      due=T0 + timedelta(minutes=minutes), deadline=f"within {minutes} minutes", holiday_table=None,
                      reason="test")


def test_each_step_occurrence_has_one_status_overdue_before_escalated():
    facts = recorded(
        opened("record_concern", 15), StepCompleted(at=T0 + timedelta(minutes=5), step="record_concern", occurrence=1,
                                                    role="senior_support_worker", actor="SSW-1", record={}, due=None, on_time=True),
        opened("peer_risk_review", 30),  # escalated by a trigger, its deadline not yet passed
        Escalated(at=T0, escalation_id="E1", step="peer_risk_review", occurrence=1, cause="trigger", reason="live risk",
                  from_role="team_leader", to_role="designated_safeguarding_lead"),
        opened("seriousness_assessment", 10),  # missed and escalated: overdue shows
        DeadlineMissed(at=T0 + timedelta(minutes=10), step="seriousness_assessment", occurrence=1, role="registered_manager",
                       due=T0 + timedelta(minutes=10)),
        Escalated(at=T0 + timedelta(minutes=10), escalation_id="E2", step="seriousness_assessment", occurrence=1,
                  cause="missed_deadline", reason="deadline missed", from_role="registered_manager", to_role="operations_director"),
        opened("route_decision", 60),
        opened("mediation", 60), StepWithdrawn(at=T0, step="mediation", occurrence=1, reason="no longer mutual"),
        opened("follow_up_review", 20), opened("follow_up_review", 600, occurrence=2),
    )
    now = T0 + timedelta(minutes=25)
    rows = {(r["step"], r["occurrence"]): r["status"] for r in tasks(facts, current_pathway(), now)}
    assert rows == {("record_concern", 1): "done", ("peer_risk_review", 1): "escalated",
                    ("seriousness_assessment", 1): "overdue", ("route_decision", 1): "open", ("mediation", 1): "withdrawn",
                    ("follow_up_review", 1): "overdue", ("follow_up_review", 2): "open"}
    # acknowledged, the trigger's escalation leaves the step simply open
    acked = facts + recorded(EscalationAcknowledged(at=now, escalation_id="E1", role="designated_safeguarding_lead",
                                                    actor="DSL-1", note="moved A-204"))
    assert {(r["step"]): r["status"] for r in tasks(acked, current_pathway(), now)}["peer_risk_review"] == "open"
    later = {s["step"] for s in not_yet_open(facts, current_pathway())}
    assert "conclude_case" in later and "record_concern" not in later and "follow_up_review" not in later
    assert len(later) == len(current_pathway().steps) - 6  # six steps opened (one twice)


def test_who_each_escalations_alerts_reached():
    facts = recorded(
        AlertRaised(at=T0, alert_id="E1.1", escalation_id="E1", rung=1, to_role="designated_safeguarding_lead",
                    acknowledge_by=T0 + timedelta(minutes=15)),
        AlertSent(at=T0, alert_id="E1.1", user_id="DSL-2", channel="email", via="smtp", reference="m1"),
        AlertSent(at=T0, alert_id="E1.1", user_id="DSL-2", channel="text", via="notify", reference="n1"),
        AlertRaised(at=T0, alert_id="E1.2", escalation_id="E1", rung=2, to_role="operations_director",
                    acknowledge_by=T0 + timedelta(minutes=30)),
        AlertNotDelivered(at=T0, alert_id="E1.2", reason="nobody on call"),
    )
    assert alerted(facts) == [
        {"to_role": "designated_safeguarding_lead", "told": [("DSL-2", "email"), ("DSL-2", "text")], "nobody": False},
        {"to_role": "operations_director", "told": [], "nobody": True}]
