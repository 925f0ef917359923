"""The facts Safeguard records, one class per thing that happened: the one schema of the event
store (`eventstore/events.py` stores these classes as they are) and of the read models.

The case's decider (`domain/case/`) decides them; an activity appends them to the store under
the case's stream, fact n at position n. Every fact carries `at`, the instant it happened on
the case's clock, and any deadline, decision or table it was decided with, so the store alone
can reproduce the case.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from domain.alerts import AlertPolicy
from domain.concern import ConcernBody
from domain.deadlines import HolidayTable, WorkingCalendar
from domain.fact import Fact  # noqa: F401 (imported from here by every module that stores facts)
from domain.governance import AuditResult
from domain.policy import Step
from domain.services import SERVICE_FACTS
from domain.threshold import ThresholdDecision

EscalationCause = Literal["missed_deadline", "still_open", "trigger"]


class ConcernRaised(Fact):
    type: Literal["ConcernRaised"] = "ConcernRaised"
    case_id: str
    concern: ConcernBody
    pathway: str
    pathway_version: str
    calendar: WorkingCalendar  # the working calendar in force, as data
    threshold_profile: str
    holidays: HolidayTable | None = None  # the bank holidays its deadlines count (absent before 2026-11-23)


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
    channel: str | None = None  # cli, api or web (absent before issue 9)
    os_user: str | None = None  # the operating-system user, from the CLI
    request_id: str | None = None  # the sender's key, when given: sent again, it is answered from this fact


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
    channel: str | None = None
    os_user: str | None = None
    request_id: str | None = None


class DevelopmentRecorded(Fact):
    type: Literal["DevelopmentRecorded"] = "DevelopmentRecorded"
    development: int
    kind: str
    summary: str
    actor: str | None = None
    role: str | None = None
    channel: str | None = None
    os_user: str | None = None
    request_id: str | None = None  # the sender's key, when given: the same key never records a second development


class NoteAdded(Fact):
    """A note on a case by someone who may read it: what they want on the record beside the steps."""

    type: Literal["NoteAdded"] = "NoteAdded"
    note: int  # its number on the case: 1, 2, ...
    text: str
    actor: str
    role: str
    channel: str | None = None
    os_user: str | None = None
    request_id: str | None = None


class CaseStopped(Fact):
    """The case's workflow ended without the case closing (terminated, failed, timed out or
    cancelled, from outside Safeguard): its deadlines are not kept until someone recovers it.
    Recorded by the worker's watch, once for each run that stopped."""

    type: Literal["CaseStopped"] = "CaseStopped"
    run_id: str
    status: str  # terminated, failed, timed_out, canceled


class CaseRecovered(Fact):
    """The case's workflow restarted from the event store's facts, by whom and why."""

    type: Literal["CaseRecovered"] = "CaseRecovered"
    actor: str
    role: str | None = None
    reason: str
    stopped_run_id: str | None = None
    channel: str | None = None
    os_user: str | None = None


class ThresholdDecisionFiled(Fact):
    type: Literal["ThresholdDecisionFiled"] = "ThresholdDecisionFiled"
    decision: ThresholdDecision


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


class AuditCompleted(Fact, AuditResult):
    """A governance audit (001 step 5 of each example), recorded once per kind and period.
    `at` is the period's end: the instant the audit speaks for."""

    type: Literal["AuditCompleted"] = "AuditCompleted"

    @field_serializer("at", "period_start", "period_end", "recorded_at")
    def _as_written(self, instant: datetime) -> str:
        return instant.isoformat()  # audits have always stored instants this way ("+00:00", not "Z")


class EvidenceExported(Fact):
    """Evidence was handed out: a case's evidence pack, or every case of one adult for a subject
    access request. Who generated it, when, what it covered, and a digest of each file written.
    Recorded in a single-event stream of its own (`evidence/exports.py`)."""

    type: Literal["EvidenceExported"] = "EvidenceExported"
    export_id: str
    kind: Literal["case_pack", "subject_access"]
    subject: str  # the case id, or the adult's id
    cases: list[str]
    as_at: datetime | None = None
    generated_by: str
    files: dict[str, str]  # file name -> SHA-256 of its content


class RetentionErased(Fact):
    """A closed case's personal data was erased under retention: its key destroyed (crypto-shredding),
    so its events, kept for the hash chain, can no longer be read. Recorded in a stream of its own."""

    type: Literal["RetentionErased"] = "RetentionErased"
    case_id: str
    closed_at: datetime
    retention_years: int
    erased_on: date
    actor: str


# ---- governance actions tracked to closure (issue 12): one stream per action an audit raised


class GovernanceActionRaised(Fact):
    """An action an audit raised, now tracked work: its owner and due instant, computed when raised
    from the definition's due rule and the provider's calendar (recorded, so it never moves)."""

    type: Literal["GovernanceActionRaised"] = "GovernanceActionRaised"
    ref: str  # "<kind>-<as of>-<action>": one per audit and action
    audit_id: str
    kind: str
    as_of: str
    action: str
    title: str
    owner: str
    because: str
    seed: str
    due: datetime
    deadline: str  # the rule in words
    evidence_asked: str


class GovernanceActionEscalated(Fact):
    type: Literal["GovernanceActionEscalated"] = "GovernanceActionEscalated"
    ref: str
    cause: Literal["missed_deadline", "still_open"]
    from_role: str
    to_role: str
    due: datetime
    next_escalation_due: datetime | None = None


class GovernanceActionCompleted(Fact):
    type: Literal["GovernanceActionCompleted"] = "GovernanceActionCompleted"
    ref: str
    role: str
    actor: str
    evidence: str
    on_time: bool
    request_id: str | None = None


ACTION_FACTS: tuple[type[Fact], ...] = (GovernanceActionRaised, GovernanceActionEscalated, GovernanceActionCompleted)


# ---- alerts (issue 20): who was told of an escalation, when and how; never an address -------------


class AlertPolicyAdopted(Fact):
    """The alert policy the case alerts under from now on, recorded when alerts first apply to it
    (a case raised before alerts adopts it the first time its workflow runs with them)."""

    type: Literal["AlertPolicyAdopted"] = "AlertPolicyAdopted"
    policy: AlertPolicy


class AlertRaised(Fact):
    """The intent to tell the people holding `to_role` of an escalation (rung 1), or the next role up
    when it was not acknowledged by `acknowledge_by` or nobody could be reached (rung 2 and on)."""

    type: Literal["AlertRaised"] = "AlertRaised"
    alert_id: str  # "<escalation id>.<rung>"
    escalation_id: str
    rung: int
    to_role: str
    acknowledge_by: datetime


class DeadlineApproaching(Fact):
    """The intent to tell the people who can complete a step that its deadline is near: once per
    step's occurrence, delivered as an alert (`AlertSent`); nothing climbs if nobody is reached, as
    the deadline itself escalates when missed."""

    type: Literal["DeadlineApproaching"] = "DeadlineApproaching"
    alert_id: str  # "<step>.<occurrence>.approaching"
    step: str
    occurrence: int
    to_role: str
    due: datetime


class AlertDelayed(Fact):
    """The alert's channel failed before it was sent (a mail server away, Notify at its limit): the
    failed attempts, each in words, recorded with the delivery that followed them."""

    type: Literal["AlertDelayed"] = "AlertDelayed"
    alert_id: str
    failed_attempts: int
    failures: tuple[str, ...] = ()  # why, as each failed attempt reported it (never an address)


class AlertSent(Fact):
    type: Literal["AlertSent"] = "AlertSent"
    alert_id: str
    user_id: str  # the staff id told, never their address
    channel: Literal["email", "text"]
    via: str
    reference: str  # the Message-ID or Notify's id: what the provider can be asked about


class AlertNotDelivered(Fact):
    """Nobody the alert would reach could be reached (no one on call, no contact details, every
    channel refusing): it goes one role up at once."""

    type: Literal["AlertNotDelivered"] = "AlertNotDelivered"
    alert_id: str
    reason: str


class Told(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    user_id: str  # the staff id told, never their address
    channel: Literal["email", "text"]
    via: str
    reference: str


class WorkAlerted(Fact):
    """An escalation of a governance action or a provider process (issue 20), told to the people
    holding `to_role`: who was told, and how; or why nobody was (the work's own re-escalation then
    takes it one role up when its rule next elapses)."""

    type: Literal["WorkAlerted"] = "WorkAlerted"
    alert_id: str
    to_role: str
    told: tuple[Told, ...] = ()
    not_delivered: str | None = None


# ---- amendments (issue 22): a completed step's record corrected by an addendum; the original stays --


class FieldAmended(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    field: str  # the record field (or "threshold_level" in a review of the threshold decision)
    old: Any = None  # None: it was not answered before
    new: Any = None  # None: the answer is taken away


class StepAmended(Fact):
    """A completed step's record corrected, as an addendum: who, when, why, and each field changed
    from what to what. The original StepCompleted stays as it was; read models use the amended
    values from this fact on, and "as at" an earlier instant shows the record as it stood then.
    When a decision rested on the original record (`decisions`), it is not re-decided: a review
    step (`review`) opens for the role that made it."""

    type: Literal["StepAmended"] = "StepAmended"
    amendment: int  # its number on the case: 1, 2, ...
    step: str
    occurrence: int
    changes: tuple[FieldAmended, ...]
    reason: str
    actor: str
    role: str
    decisions: tuple[str, ...] = ()  # the decisions that rested on the original: threshold_level, route, closure
    # the review step opened for their maker to confirm or change them, as data: recorded, so an open
    # review keeps the fields, role and deadline it opened with whatever the code says later
    review: Step | None = None
    channel: str | None = None
    os_user: str | None = None
    request_id: str | None = None


class DecisionReviewed(Fact):
    """The maker of a decision that rested on an amended record confirmed it, or recorded a new one,
    with a reason. `step`/`occurrence` name the step whose record held the decision; `changes` are
    its decision fields as decided anew (empty when confirmed), which read models use from here on."""

    type: Literal["DecisionReviewed"] = "DecisionReviewed"
    amendment: int
    decision: str  # threshold_level, route or closure
    step: str
    occurrence: int
    outcome: Literal["confirmed", "changed"]
    changes: tuple[FieldAmended, ...] = ()
    reason: str
    actor: str
    role: str


AMENDMENT_FACTS: tuple[type[Fact], ...] = (StepAmended, DecisionReviewed)


ALERT_FACTS: tuple[type[Fact], ...] = (AlertPolicyAdopted, AlertRaised, DeadlineApproaching, AlertDelayed, AlertSent,
                                         AlertNotDelivered)


CASE_FACTS: tuple[type[Fact], ...] = (
    ConcernRaised,
    ServiceHistoryAttached,
    StepOpened,
    StepCompleted,
    DeadlineMissed,
    Escalated,
    EscalationAcknowledged,
    DevelopmentRecorded,
    NoteAdded,
    CaseStopped,
    CaseRecovered,
    ThresholdDecisionFiled,
    ThresholdDecisionOverridden,
    CaseConcluded,
    StepWithdrawn,
    CaseClosed,
    *ALERT_FACTS,
    *AMENDMENT_FACTS,
)
AnyFact = Annotated[Union[CASE_FACTS], Field(discriminator="type")]  # a case's facts, told apart by `type`

# every class the store holds, by name: a case's facts, the governance audits and their actions,
# the evidence exports, the services (domain/services.py)
FACT_TYPES: dict[str, type[Fact]] = {cls.__name__: cls for cls in (*CASE_FACTS, AuditCompleted, *ACTION_FACTS, WorkAlerted,
                                                                  EvidenceExported, RetentionErased, *SERVICE_FACTS)}
