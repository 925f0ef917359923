"""A case's state, and `evolve`: how each fact changes it.

The state is what the decider needs to decide the next facts: what is open and when it is
due, what is done, what has been escalated. It changes only by facts, so it always agrees with
the event store, and `replay` of a case's facts from `new_case` gives it back exactly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from domain.case.policy import CasePolicy
from domain.concern import ConcernBody
from domain.alerts import AlertPolicy
from domain.facts import (
    AlertNotDelivered,
    DeadlineApproaching,
    AlertPolicyAdopted,
    AlertRaised,
    AlertSent,
    CaseClosed,
    CaseConcluded,
    CaseRecovered,
    DeadlineMissed,
    DecisionReviewed,
    DevelopmentRecorded,
    Escalated,
    EscalationAcknowledged,
    Fact,
    NoteAdded,
    ServiceHistoryAttached,
    StepAmended,
    StepCompleted,
    StepOpened,
    StepWithdrawn,
    ThresholdDecisionFiled,
)
from domain.amendments import CLOSURE, REVIEW_STEP, THRESHOLD_LEVEL
from domain.facts import EscalationCause
from domain.policy import Cadence, Step
from domain.threshold import ThresholdDecision


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpenStep(Model):
    step: str
    occurrence: int
    role: str
    opened_at: datetime
    due: datetime | None
    deadline: str
    missed: bool = False
    escalated_to: tuple[str, ...] = ()
    next_escalation_due: datetime | None = None

    @property
    def can_complete(self) -> tuple[str, ...]:
        return (self.role, *self.escalated_to)

    def is_(self, step: str, occurrence: int) -> bool:
        return (self.step, self.occurrence) == (step, occurrence)


class OpenEscalation(Model):
    escalation_id: str
    at: datetime
    step: str
    occurrence: int
    cause: EscalationCause
    reason: str
    to_role: str


class Scheduled(Model):
    """A recurring step's next occurrence, opening at `at` (its clock runs from then)."""

    step: str
    at: datetime


class Done(Model):
    """A step's completion: its record as it stands (amendments applied), and who completed it."""

    at: datetime
    occurrence: int
    record: dict[str, Any]
    actor: str | None = None  # absent in states carried over from before amendments (issue 22)
    role: str | None = None


class Review(Model):
    """A decision's review opened by an amendment, while it is open: the step as the amendment
    recorded it, and the decision's step (the one amended)."""

    occurrence: int
    amendment: int
    decision: str
    step: Step
    of_step: str
    of_occurrence: int


class OpenAlert(Model):
    """An alert raised on the case: delivered (or found to reach nobody) once its outcome is recorded."""

    alert_id: str
    escalation_id: str  # "" for a deadline approaching
    rung: int
    to_role: str
    acknowledge_by: datetime | None  # None: nothing to acknowledge (a deadline approaching)
    delivered: bool = False
    step: str | None = None  # a deadline approaching: the step's occurrence told, and when it is due
    occurrence: int | None = None
    due: datetime | None = None


class CaseState(Model):
    case_id: str
    concern: ConcernBody
    policy: CasePolicy
    status: Literal["open", "concluded", "closed"] = "open"
    seq: int = 0  # facts recorded so far: the next is fact seq + 1
    open_steps: tuple[OpenStep, ...] = ()
    completed: dict[str, Done] = {}  # each step's latest completion
    # the completions a later occurrence of the same step superseded, by "step#occurrence": an
    # amendment can still correct them (issue 22)
    earlier: dict[str, Done] = {}
    occurrences: dict[str, int] = {}  # the latest occurrence opened, by step
    scheduled: tuple[Scheduled, ...] = ()
    escalations: tuple[OpenEscalation, ...] = ()  # outstanding
    escalations_raised: int = 0
    developments: int = 0
    development_requests: dict[str, int] = {}  # a development's number by the request id it was sent with
    requests: tuple[str, ...] = ()  # the request ids of completions, acknowledgements and notes recorded
    recovered: tuple[str, ...] = ()  # the stopped runs it was recovered from (CaseRecovered)
    notes: int = 0
    threshold_decision: ThresholdDecision | None = None
    outcome: str | None = None
    history_attached: bool = False  # ServiceHistoryAttached recorded
    alert_policy: AlertPolicy | None = None  # AlertPolicyAdopted: alerts apply (issue 20)
    alerts: tuple[OpenAlert, ...] = ()
    amendments: int = 0  # StepAmended recorded (issue 22)
    reviews: tuple[Review, ...] = ()  # decisions' reviews open

    @model_validator(mode="before")
    @classmethod
    def _from_earlier_revision(cls, data: Any) -> Any:
        # state carried across continue-as-new by the workflow before the decider: it kept the
        # workflow's clock settings inside (CaseInput carries them now) and attached the
        # service's history when the case was raised, if at all
        if isinstance(data, dict) and "clock_offset" in data:
            data = {k: v for k, v in data.items() if k not in ("clock_offset", "history_limit")}
            data["history_attached"] = True
        return data

    def find_open(self, step: str, occurrence: int | None = None) -> OpenStep | None:
        return next((o for o in self.open_steps if o.step == step and occurrence in (None, o.occurrence)), None)

    def step(self, step_id: str, occurrence: int | None = None) -> Step | None:
        """The step: the recorded pathway's, or an open decision's review (its `occurrence`, or the
        earliest open) as the amendment that opened it recorded it."""
        if step_id == REVIEW_STEP:
            return next((r.step for r in self.reviews if occurrence in (None, r.occurrence)), None)
        return self.policy.pathway.step(step_id)

    def review(self, occurrence: int) -> Review | None:
        return next((r for r in self.reviews if r.occurrence == occurrence), None)

    def done(self, step: str, occurrence: int) -> Done | None:
        """The completion of the step's occurrence, its record as it now stands, if it was completed."""
        latest = self.completed.get(step)
        if latest is not None and latest.occurrence == occurrence:
            return latest
        return self.earlier.get(f"{step}#{occurrence}")


def new_case(case_id: str, concern: ConcernBody, policy: CasePolicy) -> CaseState:
    """A case before its first fact."""
    return CaseState(case_id=case_id, concern=concern, policy=policy)


def evolve(state: CaseState, fact: Fact) -> CaseState:
    """The state after `fact`. Pure: `state` is not changed."""
    s = state
    changes: dict[str, Any] = {}
    match fact:
        case StepOpened():
            scheduled = tuple(x for x in s.scheduled if not (x.step == fact.step and x.at <= fact.clock_from))
            step = s.policy.pathway.step(fact.step)
            if step is not None and isinstance(step.repeat, Cadence) and fact.due is not None:
                scheduled += (Scheduled(step=fact.step, at=fact.due),)  # the next occurrence opens when this falls due
            changes = dict(
                occurrences={**s.occurrences, fact.step: fact.occurrence}, scheduled=scheduled,
                open_steps=(*s.open_steps, OpenStep(step=fact.step, occurrence=fact.occurrence, role=fact.role,
                                                    opened_at=fact.at, due=fact.due, deadline=fact.deadline)),
            )
        case StepCompleted():
            changes = _closed(s, fact.step, fact.occurrence)
            changes["completed"] = {**s.completed, fact.step: Done(at=fact.at, occurrence=fact.occurrence, record=fact.record,
                                                                   actor=fact.actor, role=fact.role)}
            if (before := s.completed.get(fact.step)) is not None and before.occurrence != fact.occurrence:
                changes["earlier"] = {**s.earlier, f"{fact.step}#{before.occurrence}": before}
            changes.update(_requested(s, fact.request_id))
        case StepWithdrawn():
            changes = _closed(s, fact.step, fact.occurrence)
            if fact.step == REVIEW_STEP:
                changes["reviews"] = tuple(r for r in s.reviews if r.occurrence != fact.occurrence)
        case StepAmended():
            changes = {"amendments": fact.amendment, **_requested(s, fact.request_id),
                       **_amended(s, fact.step, fact.occurrence, {c.field: c.new for c in fact.changes})}
            if fact.review is not None:
                review = Review(occurrence=s.occurrences.get(REVIEW_STEP, 0) + 1, amendment=fact.amendment,
                                decision=fact.decisions[0], step=fact.review, of_step=fact.step, of_occurrence=fact.occurrence)
                changes["reviews"] = (*s.reviews, review)
        case DecisionReviewed():
            changes = {"reviews": tuple(r for r in s.reviews if r.amendment != fact.amendment)}
            new = {c.field: c.new for c in fact.changes}
            if THRESHOLD_LEVEL in new and s.threshold_decision is not None:  # the level decided anew, by its maker
                changes["threshold_decision"] = s.threshold_decision.model_copy(update={"level": new.pop(THRESHOLD_LEVEL)})
            if fact.decision == CLOSURE and fact.changes and s.status == "closed":  # the outcome decided anew
                changes["outcome"] = fact.changes[0].new
            if new:
                changes.update(_amended(s, fact.step, fact.occurrence, new))
        case DeadlineMissed():
            changes = {"open_steps": _changed(s, fact.step, fact.occurrence, missed=True)}
        case Escalated():
            escalation = OpenEscalation(escalation_id=fact.escalation_id, at=fact.at, step=fact.step, occurrence=fact.occurrence,
                                        cause=fact.cause, reason=fact.reason, to_role=fact.to_role)
            changes = dict(escalations_raised=s.escalations_raised + 1, escalations=(*s.escalations, escalation))
            if fact.cause != "trigger" and (o := s.find_open(fact.step, fact.occurrence)):
                changes["open_steps"] = _changed(s, fact.step, fact.occurrence, escalated_to=(*o.escalated_to, fact.to_role),
                                                 next_escalation_due=fact.next_escalation_due)
        case EscalationAcknowledged():
            changes = {"escalations": tuple(e for e in s.escalations if e.escalation_id != fact.escalation_id),
                       **_requested(s, fact.request_id)}
        case NoteAdded():
            changes = {"notes": fact.note, **_requested(s, fact.request_id)}
        case CaseRecovered():
            changes = {"recovered": (*s.recovered, fact.stopped_run_id or "")}
        case DevelopmentRecorded():
            changes = {"developments": fact.development}
            if fact.request_id:
                changes["development_requests"] = {**s.development_requests, fact.request_id: fact.development}
        case ThresholdDecisionFiled():
            changes = {"threshold_decision": fact.decision}
        case ServiceHistoryAttached():
            changes = {"history_attached": True}
        case CaseConcluded():
            changes = {"status": "concluded"}
        case CaseClosed():
            changes = {"status": "closed", "outcome": fact.outcome, "scheduled": ()}
        case AlertPolicyAdopted():
            changes = {"alert_policy": fact.policy}
        case AlertRaised():
            changes = {"alerts": (*s.alerts, OpenAlert(alert_id=fact.alert_id, escalation_id=fact.escalation_id, rung=fact.rung,
                                                       to_role=fact.to_role, acknowledge_by=fact.acknowledge_by))}
        case DeadlineApproaching():
            changes = {"alerts": (*s.alerts, OpenAlert(alert_id=fact.alert_id, escalation_id="", rung=1, to_role=fact.to_role,
                                                       acknowledge_by=None, step=fact.step, occurrence=fact.occurrence,
                                                       due=fact.due))}
        case AlertSent() | AlertNotDelivered():
            changes = {"alerts": tuple(a.model_copy(update={"delivered": True}) if a.alert_id == fact.alert_id else a
                                       for a in s.alerts)}
    return s.model_copy(update={**changes, "seq": s.seq + 1})


def replay(state: CaseState, facts: Iterable[Fact]) -> CaseState:
    for fact in facts:
        state = evolve(state, fact)
    return state


def _amended(s: CaseState, step: str, occurrence: int, values: dict[str, Any]) -> dict[str, Any]:
    """The completion's record with `values` in place (None: the answer taken away)."""
    done = s.done(step, occurrence)
    if done is None:
        return {}
    record = {k: v for k, v in {**done.record, **values}.items() if v is not None}
    amended = done.model_copy(update={"record": record})
    if s.completed.get(step) is done:
        return {"completed": {**s.completed, step: amended}}
    return {"earlier": {**s.earlier, f"{step}#{occurrence}": amended}}


def _requested(s: CaseState, request_id: str | None) -> dict[str, Any]:
    return {"requests": (*s.requests, request_id)} if request_id else {}


def _changed(s: CaseState, step: str, occurrence: int, **update: Any) -> tuple[OpenStep, ...]:
    return tuple(o.model_copy(update=update) if o.is_(step, occurrence) else o for o in s.open_steps)


def _closed(s: CaseState, step: str, occurrence: int) -> dict[str, Any]:
    return dict(
        open_steps=tuple(o for o in s.open_steps if not o.is_(step, occurrence)),
        # a deadline escalation ends with its step; a trigger escalation waits for acknowledgement
        escalations=tuple(e for e in s.escalations
                          if e.cause == "trigger" or (e.step, e.occurrence) != (step, occurrence)),
    )
