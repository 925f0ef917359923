"""Governance audits in the event store: one single-event stream per audit run.

An audit's stream id is derived from its kind and `as_of` date (the local date its period
ends), so running the same audit for the same period again finds the one already recorded: it
is recorded once, and every later run returns the stored record unchanged. Audits are saved
through the same `SafeguardingRecords` application as the cases, so they appear in its
notification log beside the facts they counted. An audit run now (issue 21) ends its period at
the instant it was asked for, so today's cases count: its id names that instant too.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.facts import AuditCompleted
from domain.governance import AuditDefinition, AuditRecord, RaisedAction, GOVERNANCE_VERSION
from eventstore.application import SafeguardingRecords, Superseded

AUDIT_NAMESPACE = uuid5(NAMESPACE_URL, "https://safeguard.invalid/governance-audit")


def audit_id(kind: str, as_of: date, until: datetime | None = None) -> UUID:
    if until is not None:  # run now: a period ending at that instant, not at the start of as_of
        return uuid5(AUDIT_NAMESPACE, f"{kind}:{as_of.isoformat()}:until:{until.isoformat()}")
    return uuid5(AUDIT_NAMESPACE, f"{kind}:{as_of.isoformat()}")


def stored_audit(records: SafeguardingRecords, kind: str, as_of: date, until: datetime | None = None) -> AuditRecord | None:
    stream = audit_id(kind, as_of, until)
    found = records.stream(stream)
    return audit_record(stream, found[0].fact) if found else None


def record_audit(
    records: SafeguardingRecords, definition: AuditDefinition, as_of: date, period: tuple[datetime, datetime],
    figures: dict[str, Any], actions: list[RaisedAction], requested_by: str, recorded_at: datetime,
    carried_actions: list[dict[str, Any]] | None = None, until: datetime | None = None,
) -> AuditRecord:
    """Record the audit unless this period's is already stored; either way return the stored one."""
    existing = stored_audit(records, definition.kind, as_of, until)
    if existing is not None:
        return existing
    fact = AuditCompleted(
        at=period[1], kind=definition.kind, as_of=as_of, period_start=period[0], period_end=period[1],
        title=definition.title, seed=definition.seed, figures=figures,
        thresholds=[t.model_dump(mode="json") for t in definition.triggers], actions=actions,
        requested_by=requested_by, governance_version=GOVERNANCE_VERSION, recorded_at=recorded_at,
        carried_actions=carried_actions or [],
    )
    try:
        records.append(audit_id(definition.kind, as_of, until), [fact], 1, label=f"the {definition.kind} audit of {as_of}")
    except Superseded:
        pass  # a concurrent run recorded this period first, and theirs is the record
    stored = stored_audit(records, definition.kind, as_of, until)
    assert stored is not None
    return stored


def action_stream(ref: str) -> UUID:
    """A governance action's stream (issue 12), from its ref (`<kind>-<as of>-<action>`)."""
    return uuid5(AUDIT_NAMESPACE, f"action:{ref}")


def audit_record(stream: UUID, audit: AuditCompleted) -> AuditRecord:
    return AuditRecord(audit_id=str(stream), **audit.model_dump(exclude={"type", "at"}))
