"""FROZEN: the state of a case begun before the decider, as that workflow kept it (applied in
place, with the workflow's clock settings inside). Only `workflows/legacy/case_v1.py` uses it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from domain.case import CasePolicy, CaseState as DeciderState
from domain.concern import ConcernBody
from domain.policy import Cadence
from domain.facts import (
    CaseClosed,
    CaseConcluded,
    DeadlineMissed,
    DevelopmentRecorded,
    Escalated,
    EscalationAcknowledged,
    Fact,
    StepCompleted,
    StepOpened,
    StepWithdrawn,
    ThresholdDecisionFiled,
)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenStep(Model):
    step: str
    occurrence: int
    role: str
    opened_at: datetime
    due: datetime | None
    deadline: str
    missed: bool = False
    escalated_to: list[str] = []
    next_escalation_due: datetime | None = None


class OpenEscalation(Model):
    escalation_id: str
    at: datetime
    step: str
    occurrence: int
    cause: str
    reason: str
    to_role: str


class Scheduled(Model):
    """A recurring step's next occurrence, opening at `at` (its clock runs from then)."""

    step: str
    at: datetime


class CaseState(Model):
    case_id: str
    concern: ConcernBody
    policy: CasePolicy
    clock_offset: timedelta = timedelta(0)  # simulations run a case on a scenario's clock
    history_limit: int = 10_000  # continue-as-new beyond this many history events
    status: Literal["open", "concluded", "closed"] = "open"
    seq: int = 0  # facts recorded so far (= the Concern aggregate's version)
    open_steps: list[OpenStep] = []
    completed: dict[str, dict[str, Any]] = {}  # step -> {"at", "record"} of its latest completion
    occurrences: dict[str, int] = {}
    scheduled: list[Scheduled] = []
    escalations: list[OpenEscalation] = []
    escalations_raised: int = 0
    developments: int = 0
    threshold_decision: dict[str, Any] | None = None
    outcome: str | None = None

    def find_open(self, step: str, occurrence: int | None = None) -> OpenStep | None:
        for o in self.open_steps:
            if o.step == step and (occurrence is None or o.occurrence == occurrence):
                return o
        return None

    def apply(self, fact: Fact) -> None:
        if isinstance(fact, StepOpened):
            self.occurrences[fact.step] = fact.occurrence
            # a recurring review's next occurrence is scheduled for when this one falls due
            self.scheduled = [x for x in self.scheduled if not (x.step == fact.step and x.at <= fact.clock_from)]
            step = self.policy.pathway.step(fact.step)
            if step is not None and isinstance(step.repeat, Cadence) and fact.due is not None:
                self.scheduled.append(Scheduled(step=fact.step, at=fact.due))
            self.open_steps.append(OpenStep(
                step=fact.step, occurrence=fact.occurrence, role=fact.role,
                opened_at=fact.at, due=fact.due, deadline=fact.deadline,
            ))
        elif isinstance(fact, StepCompleted):
            self._close_step(fact.step, fact.occurrence)
            self.completed[fact.step] = {"at": fact.at, "record": fact.record, "occurrence": fact.occurrence}
        elif isinstance(fact, StepWithdrawn):
            self._close_step(fact.step, fact.occurrence)
        elif isinstance(fact, DeadlineMissed):
            if o := self.find_open(fact.step, fact.occurrence):
                o.missed = True
        elif isinstance(fact, Escalated):
            self.escalations_raised += 1
            self.escalations.append(OpenEscalation(
                escalation_id=fact.escalation_id, at=fact.at, step=fact.step, occurrence=fact.occurrence,
                cause=fact.cause, reason=fact.reason, to_role=fact.to_role,
            ))
            if fact.cause != "trigger" and (o := self.find_open(fact.step, fact.occurrence)):
                o.escalated_to.append(fact.to_role)
                o.next_escalation_due = fact.next_escalation_due
        elif isinstance(fact, EscalationAcknowledged):
            self.escalations = [e for e in self.escalations if e.escalation_id != fact.escalation_id]
        elif isinstance(fact, DevelopmentRecorded):
            self.developments = fact.development
        elif isinstance(fact, ThresholdDecisionFiled):
            self.threshold_decision = fact.decision.model_dump(mode="json")
        elif isinstance(fact, CaseConcluded):
            self.status = "concluded"
        elif isinstance(fact, CaseClosed):
            self.status = "closed"
            self.outcome = fact.outcome
            self.scheduled = []
        self.seq += 1

    def _close_step(self, step: str, occurrence: int) -> None:
        self.open_steps = [o for o in self.open_steps if not (o.step == step and o.occurrence == occurrence)]
        # a deadline escalation ends with its step; a trigger escalation waits for acknowledgement
        self.escalations = [
            e for e in self.escalations
            if e.cause == "trigger" or not (e.step == step and e.occurrence == occurrence)
        ]


def from_resumed(resumed: DeciderState, clock_offset: timedelta, history_limit: int) -> "CaseState":
    """A run this workflow continued as new carried its state; read back in the decider's shape."""
    data = resumed.model_dump(exclude={"history_attached"})
    return CaseState.model_validate({**data, "clock_offset": clock_offset, "history_limit": history_limit})


def to_resumable(state: "CaseState") -> DeciderState:
    return DeciderState.model_validate(state.model_dump(mode="json"))
