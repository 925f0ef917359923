"""The governance use cases (001, step 5 of each example): run an audit now, and complete an action
an audit raised, with its evidence. Each takes (ports, principal, command, now)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from activities.audit_activities import action_state, raise_actions, run_audit as record_audit
from casework.access import action_decision, allowed, audit
from casework.idempotency import Outcome, key_reused, one_at_a_time, request_id
from casework.inputs import validate
from casework.ports import Ports
from casework.refusals import AlreadyRecorded, Invalid, NotFound
from casework.temporal import cases as temporal
from domain.access import Principal, may_read_governance
from domain.governance import AuditRecord, AuditRequest, audit_definition, local_date
from domain.governance_actions import ActionCompletion, ActionState
from eventstore.audit import stored_audit


@dataclass(frozen=True)
class RunAudit:
    kind: str
    as_of: date | None = None  # the date its period ends (at its start); None: the period ends now


@dataclass(frozen=True)
class AuditRun:
    record: AuditRecord
    new: bool  # recorded by this run (False: the period's audit was recorded already)
    tracked: list[str] = field(default_factory=list)  # actions whose deadlines a workflow now keeps
    untracked: list[str] = field(default_factory=list)  # actions raised while Temporal did not answer


@dataclass(frozen=True)
class CompleteAction:
    ref: str
    evidence: Any
    key: str | None = None


async def run_audit(ports: Ports, principal: Principal, c: RunAudit, now: datetime) -> AuditRun:
    """Run an audit now against the event store and record it; for a period already audited, the
    stored record. Its actions are raised as tracked work, and their workflows started if Temporal answers."""
    allowed(ports, principal, may_read_governance(principal))
    try:
        audit_definition(c.kind)
        # run now, its period ends now: the cases raised today count (not only those before midnight)
        until = None if c.as_of else now.replace(microsecond=0)
        day = c.as_of or local_date(now)
        new = stored_audit(ports.records, c.kind, day, until) is None
        record = record_audit(ports.records, AuditRequest(kind=c.kind, as_of=day, until=until,
                                                          requested_by=principal.user_id), now, ports.settings.calendar)
    except ValueError as e:
        raise Invalid(str(e)) from None
    refs = raise_actions(ports.records, record, ports.settings.calendar)
    try:  # the actions' deadlines are kept by their workflows: started when Temporal answers
        await temporal.track_governance_actions(await ports.temporal(), ports.settings.task_queue, refs)
        tracked, untracked = refs, []
    except Exception:
        tracked, untracked = [], refs
    audit(ports, principal, "write", True, target=record.audit_id)
    return AuditRun(record, new, tracked, untracked)


async def complete_action(ports: Ports, principal: Principal, c: CompleteAction, now: datetime) -> Outcome[ActionState]:
    """Complete an action an audit raised, with its evidence, as its owner's role or one it escalated to."""
    decision = action_decision(ports.records, principal, c.ref)
    if decision is None:
        raise NotFound(f"no governance action {c.ref}")
    role = allowed(ports, principal, decision)
    rid = request_id(principal, c.key)
    completion = validate({"role": role, "actor": principal.actor,
                           "evidence": c.evidence.strip() if isinstance(c.evidence, str) else c.evidence,
                           "request_id": rid}, ActionCompletion, "completion")
    async with one_at_a_time(ports, rid):
        if (answer := _completed(ports, c.ref, completion)) is not None:
            return answer
        try:
            state = await temporal.complete_governance_action(await ports.temporal(worker=True), c.ref, completion,
                                                              within=ports.within)
        except AlreadyRecorded:
            return _completed(ports, c.ref, completion)  # type: ignore[return-value]
        audit(ports, principal, "write", True, target=c.ref)
        return Outcome(state)


def _completed(ports: Ports, ref: str, c: ActionCompletion) -> Outcome[ActionState] | None:
    """The action as this very completion left it, if it is recorded already (None if not)."""
    state = action_state(ports.records, ref)
    if c.request_id is None or state.request_id != c.request_id:
        return None
    if state.evidence != c.evidence:
        raise key_reused(c.request_id)
    return Outcome(state, replayed=True, at=state.completed_at)
