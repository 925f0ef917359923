"""What supervisors and inspectors ask: a case's status, every pending deadline, a chronology."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from temporalio.client import Client

from casework.errors import CaseworkError, plain_errors
from domain.deadlines import WorkingCalendar
from eventstore.application import SafeguardingRecords
from projections.case_history import chronology
from workflows.concern import SafeguardingConcernWorkflow
from domain.case import CaseStatus


async def case_status(client: Client, case_id: str) -> CaseStatus:
    async with plain_errors(case_id, client):
        return await client.get_workflow_handle(case_id).query(SafeguardingConcernWorkflow.status)


async def pending_deadlines(client: Client, calendar: WorkingCalendar, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every open step of every live case, soonest (or most overdue) first, with time left."""
    now = now or datetime.now(timezone.utc)
    rows = []
    async with plain_errors():
        query = "WorkflowType = 'SafeguardingConcernWorkflow' AND ExecutionStatus = 'Running'"
        async for wf in client.list_workflows(query):
            try:
                status = await client.get_workflow_handle(wf.id).query(SafeguardingConcernWorkflow.status)
            except Exception:
                continue  # closed between listing and asking
            for s in status.open_steps:
                rows.append({
                    "case_id": status.case_id, "service_id": status.service_id, "step": s.step,
                    "occurrence": s.occurrence, "role": s.role, "can_complete": s.can_complete, "due": s.due,
                    "overdue": bool(s.due and s.due <= now),
                    "time_left_s": int((s.due - now).total_seconds()) if s.due else None,
                    "working_time_left_s": int(calendar.working_time_between(now, s.due).total_seconds()) if s.due else None,
                    "escalated_to": s.can_complete[1:],
                })
    far = datetime.max.replace(tzinfo=timezone.utc)
    rows.sort(key=lambda r: (r["due"] or far, r["case_id"]))
    return rows


def case_chronology(records: SafeguardingRecords, case_id: str) -> list[dict[str, Any]]:
    facts = records.stored_facts(case_id)
    if not facts:
        raise CaseworkError(f"no case {case_id} in the event store")
    return chronology(facts)
