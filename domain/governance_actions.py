"""Governance actions tracked to closure (issue 12): an action an audit raises (001 lines 17, 31,
45) is work with an owner, a due instant, escalation when missed "as for a case step", and a
completion with its evidence.

Pure, like the case's decider: `raise_action` (the fact that starts it), `evolve_action`,
`decide_action_clock` (misses and escalations by `now`) and `decide_action_completion`. The
calendar (with its bank holidays) and the escalation chain come in as arguments; the store
holds one stream per action (eventstore/audit.py), and `GovernanceActionWorkflow` keeps its timer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.case.rejection import Rejected
from domain.deadlines import WorkingCalendar
from domain.facts import Fact, GovernanceActionCompleted, GovernanceActionEscalated, GovernanceActionRaised, WorkAlerted
from domain.governance import SERVICE_REVIEW, SERVICE_REVIEW_KIND, AuditRecord, RaisedAction, audit_definition


class ActionCompletion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: str
    actor: str
    evidence: str  # who was retrained, what changed
    request_id: str | None = None  # the sender's key (casework/idempotency.py): sent again, answered, not recorded
    seal: str | None = Field(default=None, repr=False)  # proof it came through Safeguard (domain/seal.py)


class ActionState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: str
    kind: str
    action: str
    title: str
    owner: str
    raised_at: datetime
    due: datetime
    deadline: str
    status: Literal["open", "completed"] = "open"
    missed: bool = False
    escalated_to: tuple[str, ...] = ()
    next_escalation_due: datetime | None = None
    completed_at: datetime | None = None
    completed_by: str | None = None
    evidence: str | None = None
    on_time: bool | None = None
    request_id: str | None = None  # the completion's
    alerted: tuple[str, ...] = ()  # the escalations told (WorkAlerted), by alert id
    service: str | None = None  # a service review's service (None: the organisation's work)
    seq: int = 0

    @property
    def can_complete(self) -> tuple[str, ...]:
        return (self.owner, *self.escalated_to)

    def next_wakeup(self) -> datetime | None:
        if self.status == "completed":
            return None
        return self.next_escalation_due if self.missed else self.due


def action_ref(record: AuditRecord, action: RaisedAction) -> str:
    return f"{record.kind}-{record.as_of.isoformat()}-{action.action}"


def raise_action(record: AuditRecord, action: RaisedAction, raised_at: datetime,
                 calendar: WorkingCalendar) -> GovernanceActionRaised | None:
    """The action as tracked work, due by its definition's rule from `raised_at` (None: the
    definition gives no due rule, so it is not tracked)."""
    definition = audit_definition(record.kind).action(action.action)
    if definition.due is None:
        return None
    return GovernanceActionRaised(
        at=raised_at, ref=action_ref(record, action), audit_id=record.audit_id, kind=record.kind,
        as_of=record.as_of.isoformat(), action=action.action, title=action.title, owner=action.owner,
        because=action.because, seed=action.seed, due=definition.due.due(raised_at, calendar),
        deadline=definition.due.describe(), evidence_asked=definition.evidence,
    )


def service_review_ref(service_id: str, rule: str, case_id: str) -> str:
    """One per service, pattern rule and the concern that completed the pattern."""
    return f"{SERVICE_REVIEW_KIND}-{service_id}-{rule}-{case_id}"


def raise_service_review(service_id: str, rule: str, title: str, case_id: str, concerns: int, pattern_at: datetime,
                         raised_at: datetime, calendar: WorkingCalendar) -> GovernanceActionRaised:
    """A review a pattern rule raised (004 line 117), as tracked work: owner and due instant recorded."""
    d = SERVICE_REVIEW
    return GovernanceActionRaised(
        at=raised_at, ref=service_review_ref(service_id, rule, case_id), audit_id=f"pattern-{service_id}",
        kind=SERVICE_REVIEW_KIND, as_of=pattern_at.isoformat(), action=d.id, title=f"{d.title}: {service_id}",
        owner=d.owner, because=f"{title} ({concerns} concerns, the pattern complete at {pattern_at.isoformat()})",
        seed=d.seed, due=d.due.due(raised_at, calendar), deadline=d.due.describe(), evidence_asked=d.evidence,
    )


def evolve_action(state: ActionState | None, fact: Fact) -> ActionState:
    match fact:
        case GovernanceActionRaised():
            return ActionState(ref=fact.ref, kind=fact.kind, action=fact.action, title=fact.title, owner=fact.owner,
                               raised_at=fact.at, due=fact.due, deadline=fact.deadline, seq=1,
                               service=fact.audit_id.removeprefix("pattern-") if fact.audit_id.startswith("pattern-") else None)
        case GovernanceActionEscalated():
            state = state.model_copy(update=dict(missed=True, escalated_to=(*state.escalated_to, fact.to_role),
                                                 next_escalation_due=fact.next_escalation_due))
        case WorkAlerted():
            state = state.model_copy(update=dict(alerted=(*state.alerted, fact.alert_id)))
        case GovernanceActionCompleted():
            state = state.model_copy(update=dict(status="completed", completed_at=fact.at, completed_by=fact.role,
                                                 evidence=fact.evidence, on_time=fact.on_time, next_escalation_due=None,
                                                 request_id=fact.request_id))
    return state.model_copy(update={"seq": state.seq + 1})


def replay_action(facts: list[Fact]) -> ActionState | None:
    state = None
    for f in facts:
        state = evolve_action(state, f)
    return state


def decide_action_clock(state: ActionState, now: datetime, role_above: Callable[[str], str | None],
                        again: Callable[[datetime], datetime]) -> list[Fact]:
    """A missed due instant escalated one role up; still open after that, one role higher each time
    the action's rule elapses again (`again(now)`), as a case step does."""
    if state.status == "completed":
        return []
    if not state.missed and state.due <= now:
        cause, from_role = "missed_deadline", state.owner
    elif state.missed and state.next_escalation_due and state.next_escalation_due <= now:
        cause, from_role = "still_open", state.escalated_to[-1]
    else:
        return []
    to_role = role_above(from_role)
    if to_role is None:
        return []
    return [GovernanceActionEscalated(at=now, ref=state.ref, cause=cause, from_role=from_role, to_role=to_role,
                                      due=state.due, next_escalation_due=again(now) if role_above(to_role) else None)]


def escalations_to_tell(state: ActionState) -> list[tuple[str, str]]:
    """(alert id, role) for each escalation of an open action not yet told (issue 20)."""
    if state.status == "completed":
        return []
    ids = [(f"{state.ref}.E{i}", role) for i, role in enumerate(state.escalated_to, 1)]
    return [(a, role) for a, role in ids if a not in state.alerted]


def check_action_completion(state: ActionState, c: ActionCompletion) -> None:
    if state.status == "completed" and c.request_id and c.request_id == state.request_id:
        raise Rejected(f"this request ({c.request_id}) is already recorded on action {state.ref}", "already_recorded")
    if state.status == "completed":
        raise Rejected(f"action {state.ref} is already completed ({state.completed_at.isoformat()})", "already_done")
    if c.role not in state.can_complete:
        raise Rejected(f"role {c.role} cannot complete action {state.ref}: it is for {' or '.join(state.can_complete)}", "not_permitted")
    if not c.evidence.strip():
        raise Rejected(f"action {state.ref}: give the evidence of its completion (e.g. who was retrained, what changed)")
    if not c.actor.strip():
        raise Rejected(f"action {state.ref}: name the actor (an id)")


def decide_action_completion(state: ActionState, c: ActionCompletion, now: datetime) -> list[Fact]:
    check_action_completion(state, c)
    return [GovernanceActionCompleted(at=now, ref=state.ref, role=c.role, actor=c.actor, evidence=c.evidence.strip(),
                                      on_time=now <= state.due, **({"request_id": c.request_id} if c.request_id else {}))]
