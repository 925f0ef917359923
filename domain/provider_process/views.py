"""What a provider-concern process shows: its status (the workflow's query, the CLI's answer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.provider_process.state import Escalation, Model, ProcessState, TrackedAction


class ProcessStepView(Model):
    step: str
    role: str
    due: datetime | None
    deadline: str
    missed: bool
    can_record: list[str]


class ProcessStatus(Model):
    process_id: str
    service_id: str
    status: str
    basis: str | None
    opened_at: datetime | None
    proposed: dict[str, Any] | None  # the Appendix A level and criteria that proposed it
    policy_version: str | None
    events_recorded: int
    open_steps: list[ProcessStepView]
    recorded_steps: dict[str, int]  # step -> times recorded
    actions: list[TrackedAction]
    escalations: list[Escalation]
    decision: str | None
    decided_at: datetime | None
    closed_at: datetime | None = None
    closed_because: str | None = None


def status_of(s: ProcessState) -> ProcessStatus:
    return ProcessStatus(
        process_id=s.process_id, service_id=s.service_id, status=s.status,
        basis=s.opened.basis if s.opened else None, opened_at=s.opened.at if s.opened else None,
        proposed={"appendix_a": s.proposal.appendix_a, "criteria": list(s.proposal.criteria), "at": s.proposal.at.isoformat()}
        if s.proposal else None,
        policy_version=s.opened.process.version if s.opened else None, events_recorded=s.seq,
        open_steps=[ProcessStepView(step=o.step, role=o.role, due=o.due, deadline=o.deadline, missed=o.missed,
                                    can_record=list(o.can_record))
                    for o in sorted(s.open_items, key=lambda o: (o.due is None, o.due or o.opened_at))],
        recorded_steps={k: v.occurrences for k, v in s.recorded.items()},
        actions=list(s.actions), escalations=list(s.escalations),
        decision=s.decision.outcome if s.decision else None, decided_at=s.decision.at if s.decision else None,
        closed_at=s.closed.at if s.closed else None, closed_because=s.closed.reason if s.closed else None,
    )
