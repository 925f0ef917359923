"""The facts a case records, one class per thing that happened.

The workflow decides them; an activity appends them to the event store, where each becomes
an event of the `Concern` aggregate. Every fact carries `at`, the instant it happened on
the case's clock, and any deadline it set, so the store alone can reproduce the case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from domain.concern import ConcernBody

EscalationCause = Literal["missed_deadline", "still_open", "trigger"]


class Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    at: datetime


class ConcernRaised(Fact):
    type: Literal["ConcernRaised"] = "ConcernRaised"
    case_id: str
    concern: ConcernBody
    pathway: str
    pathway_version: str
    calendar: dict[str, Any]  # the working calendar in force, as data
    threshold_profile: str


class ServiceHistoryAttached(Fact):
    """The service's earlier concerns and outcomes, attached when a concern is raised (004:
    "this record system will be interrogated"). Case ids, counts and outcomes; no adult ids."""

    type: Literal["ServiceHistoryAttached"] = "ServiceHistoryAttached"
    service_id: str
    history: dict[str, Any] | None  # None: no earlier concern for this service


class StepOpened(Fact):
    type: Literal["StepOpened"] = "StepOpened"
    step: str
    occurrence: int
    role: str
    clock_from: datetime
    due: datetime | None
    deadline: str  # the rule in words, e.g. "within 4 working hours"
    holiday_table: str | None  # the calendar data the due instant was computed with
    reason: str


class StepCompleted(Fact):
    type: Literal["StepCompleted"] = "StepCompleted"
    step: str
    occurrence: int
    role: str
    actor: str
    record: dict[str, Any]
    due: datetime | None
    on_time: bool | None


class DeadlineMissed(Fact):
    type: Literal["DeadlineMissed"] = "DeadlineMissed"
    step: str
    occurrence: int
    role: str
    due: datetime


class Escalated(Fact):
    type: Literal["Escalated"] = "Escalated"
    escalation_id: str
    step: str
    occurrence: int
    cause: EscalationCause
    reason: str
    from_role: str
    to_role: str
    next_escalation_due: datetime | None = None


class EscalationAcknowledged(Fact):
    type: Literal["EscalationAcknowledged"] = "EscalationAcknowledged"
    escalation_id: str
    role: str
    actor: str
    note: str | None = None


class DevelopmentRecorded(Fact):
    type: Literal["DevelopmentRecorded"] = "DevelopmentRecorded"
    development: int
    kind: str
    summary: str
    actor: str | None = None
    role: str | None = None


class ThresholdDecisionFiled(Fact):
    type: Literal["ThresholdDecisionFiled"] = "ThresholdDecisionFiled"
    decision: dict[str, Any]


class ThresholdDecisionOverridden(Fact):
    """The DSL recorded the route below the threshold tool's level, with a reason."""

    type: Literal["ThresholdDecisionOverridden"] = "ThresholdDecisionOverridden"
    actor: str
    role: str
    tool_level: str
    reason: str


class CaseConcluded(Fact):
    type: Literal["CaseConcluded"] = "CaseConcluded"
    actor: str
    role: str
    reason: str


class StepWithdrawn(Fact):
    type: Literal["StepWithdrawn"] = "StepWithdrawn"
    step: str
    occurrence: int
    reason: str


class CaseClosed(Fact):
    type: Literal["CaseClosed"] = "CaseClosed"
    outcome: str
    actor: str
    role: str


AnyFact = Annotated[
    Union[
        ConcernRaised,
        ServiceHistoryAttached,
        StepOpened,
        StepCompleted,
        DeadlineMissed,
        Escalated,
        EscalationAcknowledged,
        DevelopmentRecorded,
        ThresholdDecisionFiled,
        ThresholdDecisionOverridden,
        CaseConcluded,
        StepWithdrawn,
        CaseClosed,
    ],
    Field(discriminator="type"),
]
