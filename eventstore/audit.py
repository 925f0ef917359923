"""Governance audits in the event store: one small aggregate per audit run.

An audit's id is derived from its kind and `as_of` date (the local date its period ends),
so running the same audit for the same period again finds the one already recorded: it is
recorded once, and every later run returns the stored record unchanged. Audits are saved
through the same `SafeguardingRecords` application as the cases, so they appear in its
notification log beside the facts they counted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from domain.governance import AuditDefinition, AuditRecord, RaisedAction, GOVERNANCE_VERSION
from eventstore.application import SafeguardingRecords

AUDIT_NAMESPACE = uuid5(NAMESPACE_URL, "https://safeguard.invalid/governance-audit")


def audit_id(kind: str, as_of: date) -> UUID:
    return uuid5(AUDIT_NAMESPACE, f"{kind}:{as_of.isoformat()}")


class GovernanceAudit(Aggregate):
    """Arguments are JSON-ready (instants and dates as ISO strings), like the Concern's."""

    @staticmethod
    def create_id(kind: str, as_of: str, **_: Any) -> UUID:
        return audit_id(kind, date.fromisoformat(as_of))

    @event("AuditCompleted")
    def __init__(
        self, kind: str, as_of: str, at: str, period_start: str, period_end: str, title: str, seed: str,
        figures: dict[str, Any], thresholds: list[dict[str, Any]], actions: list[dict[str, Any]],
        requested_by: str, governance_version: str, recorded_at: str,
    ) -> None:
        # `at` is the period's end: the instant the audit speaks for (what "as at" folding reads)
        self.kind, self.as_of, self.at = kind, as_of, at
        self.period_start, self.period_end = period_start, period_end
        self.title, self.seed = title, seed
        self.figures, self.thresholds, self.actions = figures, thresholds, actions
        self.requested_by, self.governance_version, self.recorded_at = requested_by, governance_version, recorded_at


def stored_audit(records: SafeguardingRecords, kind: str, as_of: date) -> AuditRecord | None:
    try:
        audit = records.repository.get(audit_id(kind, as_of))
    except AggregateNotFoundError:
        return None
    return audit_record(audit)


def record_audit(
    records: SafeguardingRecords, definition: AuditDefinition, as_of: date, period: tuple[datetime, datetime],
    figures: dict[str, Any], actions: list[RaisedAction], requested_by: str, recorded_at: datetime,
) -> AuditRecord:
    """Record the audit unless this period's is already stored; either way return the stored one."""
    existing = stored_audit(records, definition.kind, as_of)
    if existing is not None:
        return existing
    audit = GovernanceAudit(
        kind=definition.kind, as_of=as_of.isoformat(), at=period[1].isoformat(),
        period_start=period[0].isoformat(), period_end=period[1].isoformat(), title=definition.title,
        seed=definition.seed, figures=figures, thresholds=[t.model_dump(mode="json") for t in definition.triggers],
        actions=[a.model_dump(mode="json") for a in actions], requested_by=requested_by,
        governance_version=GOVERNANCE_VERSION, recorded_at=recorded_at.isoformat(),
    )
    try:
        records.save(audit)
    except IntegrityError:
        pass  # a concurrent run recorded this period first: theirs is the record
    stored = stored_audit(records, definition.kind, as_of)
    assert stored is not None
    return stored


def audit_record(audit: GovernanceAudit) -> AuditRecord:
    return AuditRecord(
        audit_id=str(audit.id), kind=audit.kind, title=audit.title, seed=audit.seed,
        as_of=date.fromisoformat(audit.as_of), period_start=datetime.fromisoformat(audit.period_start),
        period_end=datetime.fromisoformat(audit.period_end), figures=audit.figures, thresholds=audit.thresholds,
        actions=[RaisedAction.model_validate(a) for a in audit.actions], requested_by=audit.requested_by,
        governance_version=audit.governance_version, recorded_at=datetime.fromisoformat(audit.recorded_at),
    )
