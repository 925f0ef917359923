"""The governance audit's I/O: bring the governance read model up to date, count the period's
figures, and record the audit (once per kind and period). `run_audit` is the whole of it, so
`safeguard audit run` does exactly what the scheduled workflow's activity does, without Temporal."""

from __future__ import annotations

from datetime import date, datetime, timezone

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from configuration.settings import Settings
from domain.governance import AuditRecord, AuditRequest, audit_definition, evaluate, local_date
from eventstore.application import SafeguardingRecords
from eventstore.audit import record_audit, stored_audit
from projections import registry
from projections.feed import ProjectionFeed
from projections.governance import GovernanceFacts, audit_figures

log = structlog.get_logger("safeguard.audits")


def run_audit(records: SafeguardingRecords, request: AuditRequest, now: datetime | None = None) -> AuditRecord:
    """Run the audit for the period ending at the start of `request.as_of` (the day it is requested,
    London, if absent). `now` is when it is recorded; the request's own instant, if given, is its clock."""
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    definition = audit_definition(request.kind)
    requested = request.requested_at or now
    as_of: date = request.as_of or local_date(requested)
    if as_of > local_date(requested):
        # recorded once means recorded for good: never audit a period that has not ended
        raise ValueError(f"as of {as_of.isoformat()} is in the future: its period ends at the start of that day")
    stored = stored_audit(records, definition.kind, as_of)
    if stored is not None:
        log.info("audit already recorded", audit=definition.id, as_of=as_of.isoformat())
        return stored
    feed = ProjectionFeed(records, registry.open_documents(records), [GovernanceFacts()])
    feed.catch_up()
    period = definition.period.bounds(as_of)
    figures = audit_figures(feed.documents, definition.kind, *period)
    actions = evaluate(definition, figures)
    record = record_audit(records, definition, as_of, period, figures, actions, request.requested_by, now)
    log.info("audit recorded", audit=definition.id, as_of=as_of.isoformat(), actions=[a.action for a in record.actions])
    return record


class AuditActivities:
    def __init__(self, records: SafeguardingRecords, settings: Settings) -> None:
        self.records = records
        self.settings = settings

    @activity.defn(name="run_governance_audit")
    def run_governance_audit(self, request: AuditRequest) -> AuditRecord:
        try:
            return run_audit(self.records, request)
        except ValueError as e:  # an unknown kind or a period not yet ended: retrying cannot help
            raise ApplicationError(str(e), type="AuditRequestError", non_retryable=True) from e
