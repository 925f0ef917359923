"""The governance audit's I/O: bring the governance read model up to date, count the period's
figures, and record the audit (once per kind and period). `run_audit` is the whole of it, so
`safeguard audit run` does exactly what the scheduled workflow's activity does, without Temporal."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from pydantic import BaseModel, ConfigDict

from configuration.settings import Settings
from domain.case.rejection import Rejected
from domain.deadlines import WorkingCalendar
from domain.governance import AuditRecord, AuditRequest, action_definition, audit_definition, evaluate, local_date
from domain.governance_actions import (
    ActionCompletion,
    ActionState,
    decide_action_clock,
    decide_action_completion,
    raise_action,
    raise_service_review,
    replay_action,
    service_review_ref,
)
from domain.pathway import current_pathway
from domain.facts import WorkAlerted
from eventstore.application import SafeguardingRecords, Superseded
from eventstore.audit import action_stream, record_audit, stored_audit
from projections import registry
from projections.feed import ProjectionFeed
from projections.governance import GovernanceActions, GovernanceFacts, audit_figures, carried_actions

log = structlog.get_logger("safeguard.audits")


def run_audit(records: SafeguardingRecords, request: AuditRequest, now: datetime | None = None,
              calendar: WorkingCalendar | None = None) -> AuditRecord:
    """Run the audit for the period ending at the start of `request.as_of` (the day it is requested,
    London, if absent), or at `request.until` (run now: the day's cases count). `now` is when it is recorded; the request's own instant, if given, is its clock.
    The actions it raises are recorded as tracked work, due by `calendar` (the provider's)."""
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    definition = audit_definition(request.kind)
    requested = request.requested_at or now
    until = request.until
    as_of: date = local_date(until) if until else request.as_of or local_date(requested)
    if until and until > requested:
        raise ValueError(f"until {until.isoformat()} is in the future: an audit run now ends its period when it is run")
    if as_of > local_date(requested):
        # recorded once means recorded for good: never audit a period that has not ended
        raise ValueError(f"as of {as_of.isoformat()} is in the future: its period ends at the start of that day")
    stored = stored_audit(records, definition.kind, as_of, until)
    if stored is not None:
        log.info("audit already recorded", audit=definition.id, as_of=as_of.isoformat())
        raise_actions(records, stored, calendar)  # in case the run that recorded it stopped before this
        return stored
    feed = ProjectionFeed(records, registry.open_documents(records), [GovernanceFacts(), GovernanceActions()])
    feed.catch_up()
    # run now: its last days up to the instant (today's cases count); else up to the start of as_of
    period = (definition.period.bounds(as_of + timedelta(days=1))[0], until) if until else definition.period.bounds(as_of)
    figures = audit_figures(feed.documents, definition.kind, *period)
    actions = evaluate(definition, figures)
    carried = carried_actions(feed.documents, definition.kind, *period)
    record = record_audit(records, definition, as_of, period, figures, actions, request.requested_by, now, carried, until)
    raise_actions(records, record, calendar)
    log.info("audit recorded", audit=definition.id, as_of=as_of.isoformat(), actions=[a.action for a in record.actions])
    return record


def with_holidays(calendar: WorkingCalendar | None, at: datetime) -> WorkingCalendar:
    calendar = calendar or WorkingCalendar()
    return calendar.with_holidays(calendar.holidays_for(at.year, at.year + 2))


def raise_actions(records: SafeguardingRecords, record: AuditRecord, calendar: WorkingCalendar | None) -> list[str]:
    """Each action the audit raised, recorded once as tracked work (its own stream); returns the refs."""
    refs = []
    for action in record.actions:
        raised = raise_action(record, action, record.recorded_at, with_holidays(calendar, record.recorded_at))
        if raised is not None:
            records.append(action_stream(raised.ref), [raised], 1, label=f"action {raised.ref}")
            refs.append(raised.ref)
    return refs


def raise_service_reviews(records: SafeguardingRecords, records_by_service: list[dict], now: datetime,
                          calendar: WorkingCalendar | None) -> list[str]:
    """Each review the pattern rules raised (004 line 117; the commissioner records' `service_reviews`),
    recorded once as tracked work. Returns the refs still open, whose workflows should be running."""
    open_refs = []
    for record in records_by_service:
        for r in record["service_reviews"]:
            ref = service_review_ref(record["service_id"], r["rule"], r["case_id"])
            state = replay_action([e.fact for e in records.stream(action_stream(ref))])
            if state is None:
                raised = raise_service_review(record["service_id"], r["rule"], r["title"], r["case_id"], len(r["cases"]),
                                              datetime.fromisoformat(r["raised_at"]), now, with_holidays(calendar, now))
                try:
                    records.append(action_stream(ref), [raised], 1, label=f"action {ref}")
                    log.info("service review raised", action=ref)
                except Superseded:
                    pass  # another worker raised it first
                state = action_state(records, ref)
            if state.status == "open":
                open_refs.append(ref)
    return open_refs


# ---- a governance action's I/O (GovernanceActionWorkflow keeps the timer) -------------------------


class ActionClock(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    ref: str
    now: datetime


class ActionCommand(ActionClock):
    completion: ActionCompletion


class ActionAlert(BaseModel):
    """An escalation of the action told (issue 20), to record in its stream."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    ref: str
    fact: WorkAlerted


def record_action_alert(records: SafeguardingRecords, ref: str, fact: WorkAlerted) -> ActionState:
    """Recorded once: a retry (or a twin) finding it told already stores nothing."""
    for _ in range(3):
        state = action_state(records, ref)
        if fact.alert_id in state.alerted:
            return state
        try:
            records.append(action_stream(ref), [fact], state.seq + 1, label=f"action {ref}")
        except Superseded:  # the clock or a completion took the position: read again
            continue
        return action_state(records, ref)
    raise ApplicationError(f"action {ref} kept changing while its alert was recorded; trying again")


def action_state(records: SafeguardingRecords, ref: str) -> ActionState:
    state = replay_action([r.fact for r in records.stream(action_stream(ref))])
    if state is None:
        raise ValueError(f"no governance action {ref!r} recorded")
    return state


def action_clock(records: SafeguardingRecords, ref: str, now: datetime, calendar: WorkingCalendar | None) -> ActionState:
    """Record any miss or escalation due by `now` (pure decisions, recorded once); the state after."""
    state = action_state(records, ref)
    definition = action_definition(state.kind, state.action)
    facts = decide_action_clock(state, now, current_pathway().role_above,
                                lambda at: definition.due.due(at, with_holidays(calendar, at)))
    if facts:
        records.append(action_stream(ref), facts, state.seq + 1, label=f"action {ref}")
        state = action_state(records, ref)
        log.warning("governance action escalated", action=ref, to_role=facts[-1].to_role)
    return state


def complete_action(records: SafeguardingRecords, ref: str, c: ActionCompletion, now: datetime,
                    calendar: WorkingCalendar | None) -> ActionState:
    """The clock first (a late completion is recorded after its miss), then the completion."""
    state = action_clock(records, ref, now, calendar)
    if (state.status, state.completed_at, state.completed_by, state.evidence) == ("completed", now, c.role, c.evidence.strip()):
        return state  # a retry of this very completion, recorded by the attempt whose answer was lost
    facts = decide_action_completion(state, c, now)  # Rejected: nothing recorded
    records.append(action_stream(ref), facts, state.seq + 1, label=f"action {ref}")
    log.info("governance action completed", action=ref, on_time=facts[0].on_time)
    return action_state(records, ref)


class AuditActivities:
    def __init__(self, records: SafeguardingRecords, settings: Settings) -> None:
        self.records = records
        self.settings = settings

    @activity.defn(name="run_governance_audit")
    def run_governance_audit(self, request: AuditRequest) -> AuditRecord:
        try:
            return run_audit(self.records, request, calendar=self.settings.calendar)
        except ValueError as e:  # an unknown kind or a period not yet ended: retrying cannot help
            raise ApplicationError(str(e), type="AuditRequestError", non_retryable=True) from e

    @activity.defn(name="governance_action_clock")
    def governance_action_clock(self, request: ActionClock) -> ActionState:
        return action_clock(self.records, request.ref, request.now, self.settings.calendar)

    @activity.defn(name="record_action_alert")
    def record_action_alert(self, request: ActionAlert) -> ActionState:
        return record_action_alert(self.records, request.ref, request.fact)

    @activity.defn(name="complete_governance_action")
    def complete_governance_action(self, request: ActionCommand) -> ActionState:
        try:
            return complete_action(self.records, request.ref, request.completion, request.now, self.settings.calendar)
        except Rejected as e:
            raise ApplicationError(str(e), e.kind, type="Rejected", non_retryable=True) from None
