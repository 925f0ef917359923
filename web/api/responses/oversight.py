"""What those who oversee read: deadlines, the dashboard, governance audits and actions, the national return."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from domain.governance import AuditRecord
from web.api.responses.base import Answer, Count


class Stopped(Answer):
    """The case's workflow ended without the case closing: its deadlines are not being kept."""

    at: str
    status: str
    run_id: str | None = None


class Deadline(Answer):
    case_id: str
    service_id: str
    step: str
    occurrence: int
    role: str
    escalated_to: list[str]
    due: str
    overdue: bool
    working_time_left_s: int | None
    working_time: bool
    time_left_s: int | None
    stopped: Stopped | None
    can_complete: list[str] = Field(default_factory=list, description="the roles that may complete it now")


class ServiceDetails(Answer):
    id: str
    name: str
    provider: str
    company: str | None = Field(description="the registered company, where it differs from the provider's name")
    client_group: str


class AlertMessage(Answer):
    """One message an alert sent: to whom (a staff id, never an address), by which channel."""

    user_id: str
    channel: str = Field(description='"email" or "text"')
    via: str = Field(description="what sent it: smtp or notify")
    at: str


class NotDelivered(Answer):
    reason: str
    at: str


class Alert(Answer):
    """One rung of an escalation's alerts: raised to a role, then sent to people or to nobody."""

    alert_id: str
    rung: int = Field(description="1: the role escalated to; 2 and on: each role up the ladder")
    to_role: str
    at: str
    acknowledge_by: str
    sent: list[AlertMessage]
    not_delivered: NotDelivered | None = Field(description="nobody could be reached: the alert went one role up at once")


class Acknowledgement(Answer):
    by: str
    role: str
    at: str


class Escalation(Answer):
    escalation_id: str
    at: str
    step: str
    cause: str
    reason: str
    to_role: str
    key: str
    alerts: list[Alert] = Field(description="who was alerted, rung by rung (none before alerts were set up)")
    acknowledged: Acknowledgement | None = Field(description="who acknowledged it and when; None while outstanding")


class OnCallWarning(Answer):
    service_id: str
    service_name: str
    role: str
    role_above: str | None = Field(description="where an alert then goes at once; None: it reaches nobody")
    holders_unreachable: bool = Field(description="in working hours nobody who holds the role there can be alerted")
    gaps: list[dict[str, str]] = Field(description="each stretch out of working hours with nobody reachable on call, "
                                                   "start and end")
    words: str


class OnCall(Answer):
    alerts_set_up: bool = Field(description="an email or text message channel is configured")
    warnings: list[OnCallWarning] = Field(description="where an alert in the next 7 days would reach nobody")
    words: str | None = Field(description="said when alerts are not set up")


class LiveCase(Answer):
    case_id: str
    service: ServiceDetails
    adult_at_risk: str
    alleged_source: str
    status: str
    identified_at: str
    threshold_level: str | None
    current_steps: list[str]
    overdue: int
    escalations_outstanding: list[Escalation]
    escalations_acknowledged: list[Escalation] = Field(default_factory=list, description="the case's last few acknowledged")
    live_case_oversight: dict[str, Any]
    open_risk_beyond_timescale: bool
    stopped: Stopped | None


class Dashboard(Answer):
    as_at: str
    live_cases: list[LiveCase]
    deadlines: list[Deadline]
    cases_with_open_risk_beyond_timescale: list[str]
    on_call: OnCall | None = Field(None, description="alert cover for the services shown; None as at a past instant")


class StoredAudit(Answer):
    audit_id: str
    kind: str
    title: str
    as_of: str
    period_start: str
    period_end: str
    figures: dict[str, Any]
    thresholds: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    requested_by: str | None = None
    recorded_at: str | None = None


class TrackedActionRow(Answer):
    ref: str
    kind: str
    title: str
    owner: str
    raised_at: str
    due: str
    completed_at: str | None
    completed_by: str | None
    evidence: str | None
    on_time: bool | None


class Governance(Answer):
    audits: list[StoredAudit]
    open_actions: list[dict[str, Any]] = Field(description="actions the latest audit of each kind raised")
    actions: list[TrackedActionRow] = Field(description="every action an audit raised, tracked to closure")


class AuditRun(AuditRecord):
    """The audit as recorded (a period audited already: the record stored then), and its actions."""

    tracked_actions: list[str] = Field(description="actions whose deadlines a workflow now keeps")
    untracked_actions: list[str] = Field(description="actions raised while Temporal did not answer")


class Period(Answer):
    start: str
    end: str


Figure = int | str  # a count; "[c]" where suppressed for outside the organisation
Figures = dict[str, Figure]


class SacMsp(Answer):
    asked: Figures
    achieved: Figures


class SacCaseDetails(Answer):
    """SG2 to SG4 over the enquiries that concluded in the year (docs/sac.md)."""

    concluded: Figure
    sg2a_type_by_source: dict[str, Figures] = Field(description="type of risk x source of risk; each type a case has counts")
    sg2b_location_by_source: dict[str, Figures]
    sg2c_risk_assessment_outcome: Figures
    sg2e_risk_outcome: Figures = Field(description="where a risk was identified: remained, reduced, removed")
    sg3a_capacity: Figures = Field(description='lacked capacity yes, no, dont_know, not_recorded; "supported": of the yes, '
                                               "supported by an advocate, family or friend")
    sg4a_making_safeguarding_personal: SacMsp


class SacService(Answer):
    service_id: str
    concerns_raised: int
    concerns_received: int
    section_42_enquiries: int
    enquiries_concluded: int


class NationalReturn(Answer):
    year: str = Field(description='the collection year, e.g. "2027-28"')
    period: Period
    sg1f: Figures = Field(description="concerns the local authority received, section 42 and other enquiries it started")
    section_42: SacCaseDetails = Field(description="concluded section 42 enquiries (the collection's mandatory part)")
    other_enquiries: SacCaseDetails = Field(description="concluded other enquiries (the collection's optional part)")
    not_produced: list[str] = Field(description="the collection's tables this return does not produce, and why")
    provider: dict[str, Figure | Figures] = Field(description="the provider's own figures, apart from the collection")
    services: list[SacService] | None = Field(default=None, description="per service; absent outside the organisation")
    suppressed: bool = Field(description="small counts suppressed for outside the organisation")