"""What supervisors and inspectors ask: a case's status, every pending deadline, a chronology."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

from temporalio.client import Client, WorkflowQueryFailedError

from casework.availability import timed_out
from casework.errors import CaseworkError, Unavailable, plain_errors
from domain.deadlines import WorkingCalendar
from eventstore.application import SafeguardingRecords
from eventstore.keys import Erased
from projections.case_history import chronology
from projections.dashboard import dashboard
from projections.documents import Documents
from workflows.concern import SafeguardingConcernWorkflow
from domain.case import CaseStatus


async def case_status(client: Client, case_id: str, within: timedelta | None = None, task_queue: str = "") -> CaseStatus:
    """The case as its workflow holds it (a worker answers the query). Given `within`, Unavailable
    if no worker answers in that time."""
    async with plain_errors(case_id, client):
        handle = client.get_workflow_handle(case_id)
        if within is None:
            return await handle.query(SafeguardingConcernWorkflow.status)
        try:
            async with asyncio.timeout(within.total_seconds()):
                return await handle.query(SafeguardingConcernWorkflow.status, rpc_timeout=within)
        except WorkflowQueryFailedError as e:
            if "still being raised" in e.message:  # its workflow runs; the worker has not stored the concern yet
                raise Unavailable(f"case {case_id} is accepted but not yet recorded: the worker is still writing it to "
                                  "the event store (if this lasts, the store is failing; the worker keeps trying); "
                                  "try again in a moment") from None
            raise
        except Exception as e:
            if timed_out(e):
                raise Unavailable(f"no worker answered within {round(within.total_seconds())} s on task queue "
                                  f"{task_queue}: is one running? start one with `safeguard worker` (or `./scripts/dev`)") from None
            raise


def pending_deadlines(documents: Documents, calendar: WorkingCalendar, now: datetime | None = None,
                      role: str | None = None, service: str | None = None) -> list[dict[str, Any]]:
    """Every open step with a due instant, of every live case, soonest (or most overdue) first, with time left.

    Answered from the event store's `live_cases` read model (the caller catches it up first), not by
    querying each case's workflow. The store holds the same open steps, as each case recorded them,
    and a supervisor needs this list most when no worker runs (nothing is then recorded as missed or
    escalated): it answers then, in one read rather than one workflow task per live case, and it
    agrees with the dashboard. Asking the workflows instead could only say "no answer" for a case
    whose worker is down, which is never "no deadlines"."""
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    rows = dashboard(documents, now, calendar)["deadlines"]
    for r in rows:
        r["can_complete"] = [r["role"], *r["escalated_to"]]
    return [r for r in rows if (role is None or role in r["can_complete"]) and (service is None or r["service_id"] == service)]


def case_chronology(records: SafeguardingRecords, case_id: str) -> list[dict[str, Any]]:
    try:
        facts = records.stored_facts(case_id)
    except Erased as e:
        raise CaseworkError(f"case {case_id}: erased under retention on {e.on}") from None
    if not facts:
        raise CaseworkError(f"no case {case_id} in the event store")
    return chronology(facts)
