"""What a case shows: its status (the workflow's query) and the receipt for a completed step."""

from __future__ import annotations

from datetime import datetime

from domain.case.state import CaseState, Model, OpenEscalation
from domain.concern import RaisedBy
from domain.facts import CaseClosed, CaseConcluded, Escalated, Fact, StepOpened
from domain.threshold import ThresholdDecision


class StepView(Model):
    step: str
    occurrence: int
    role: str
    due: datetime | None
    deadline: str
    missed: bool
    can_complete: list[str]


class CaseStatus(Model):
    case_id: str
    status: str
    service_id: str
    pathway_version: str
    events_recorded: int
    open_steps: list[StepView]
    completed_steps: list[str]
    escalations: list[OpenEscalation]
    threshold_decision: ThresholdDecision | None
    outcome: str | None
    summary: str = ""
    identified_at: datetime | None = None
    raised_by: RaisedBy | None = None


class StepReceipt(Model):
    case_id: str
    step: str
    occurrence: int
    completed_at: datetime
    due: datetime | None
    on_time: bool | None
    opened: list[str]
    escalations: list[str]
    status: str


def status_of(s: CaseState) -> CaseStatus:
    return CaseStatus(
        case_id=s.case_id, status=s.status, service_id=s.concern.service.id,
        pathway_version=s.policy.pathway.version, events_recorded=s.seq,
        open_steps=[
            StepView(step=o.step, occurrence=o.occurrence, role=o.role, due=o.due, deadline=o.deadline,
                     missed=o.missed, can_complete=list(o.can_complete))
            for o in sorted(s.open_steps, key=lambda o: (o.due is None, o.due or o.opened_at))
        ],
        completed_steps=list(s.completed), escalations=list(s.escalations),
        threshold_decision=s.threshold_decision, outcome=s.outcome,
        summary=s.concern.summary, identified_at=s.concern.identified_at, raised_by=s.concern.raised_by,
    )


def receipt_of(after: CaseState, facts: list[Fact]) -> StepReceipt:
    """The receipt for a completion, from the facts it recorded (the first is its StepCompleted)."""
    return _receipt(after.case_id, facts, after.status)


def _receipt(case_id: str, facts: list[Fact], status: str) -> StepReceipt:
    done = facts[0]
    return StepReceipt(
        case_id=case_id, step=done.step, occurrence=done.occurrence, completed_at=done.at, due=done.due,
        on_time=done.on_time, opened=[f"{f.step}#{f.occurrence}" for f in facts if isinstance(f, StepOpened)],
        escalations=[f"{f.reason} -> {f.to_role}" for f in facts if isinstance(f, Escalated)], status=status,
    )


def recorded_receipt(case_id: str, until: list[Fact], batch: list[Fact]) -> StepReceipt:
    """The receipt a completion was answered with, read back from what it recorded: `batch` is the
    facts it recorded (its StepCompleted first), `until` every fact of the case up to the batch's end."""
    status = "closed" if any(isinstance(f, CaseClosed) for f in until) else \
        "concluded" if any(isinstance(f, CaseConcluded) for f in until) else "open"
    return _receipt(case_id, batch, status)
