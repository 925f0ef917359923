"""The provider-concern process's workflow (004), as the use cases reach it: open or propose a
service's process, record its steps, decide, read its status. One workflow per provider service
(`process_workflow_id`); each process it runs has its own id and event stream. The worker's loop
that proposes processes as the commissioner records call for them is here too.

Like casework/temporal/cases.py: given `within`, each answers within that time or raises
NotYetRecorded; without it (tests), each waits for the answer.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Callable

import structlog
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateStage
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from casework.refusals import NotFound, NotOpen
from activities.audit_activities import raise_service_reviews
from casework.temporal.cases import _bounded, track_governance_actions
from domain.deadlines import WorkingCalendar
from eventstore.application import SafeguardingRecords
from casework.temporal.failures import plain_errors
from domain.provider_concerns import PROPOSING_LEVELS
from domain.provider_process import Decide, DismissProposal, OpenProcess, ProcessStatus, ProposeProcess, RecordStep
from projections.commissioner import commissioner_records
from projections.documents import Documents
from workflows.provider_process import ProcessInput, ProviderConcernProcessWorkflow

log = structlog.get_logger("safeguard.provider_process")
PROPOSE_EVERY = timedelta(minutes=1)  # how often the worker looks for services Appendix A points at


def process_workflow_id(service_id: str) -> str:
    """The service's process workflow: one at a time per service; a new one may follow a closed one."""
    return f"provider-process-{service_id}"


def new_process_id(service_id: str, now: datetime) -> str:
    return f"PCP-{service_id}-{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"


async def _start_with(client: Client, task_queue: str, service_id: str, update: Callable, arg: Any, now: datetime | None,
                      clock_offset: timedelta, within: timedelta | None, history_limit: int | None = None) -> ProcessStatus:
    now = now or datetime.now(timezone.utc)
    wf = process_workflow_id(service_id)
    start = WithStartWorkflowOperation(
        ProviderConcernProcessWorkflow.run,
        ProcessInput(process_id=new_process_id(service_id, now), service_id=service_id, clock_offset=clock_offset,
                     **({"history_limit": history_limit} if history_limit else {})),
        id=wf, task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,  # the running process takes the request
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,  # after a closed one, a new process
    )
    async with plain_errors(wf, client, command=update.__name__):
        if within is None:
            return await client.execute_update_with_start_workflow(update, arg, start_workflow_operation=start)
        return await _bounded(lambda rpc_timeout: client.start_update_with_start_workflow(
            update, arg, start_workflow_operation=start, wait_for_stage=WorkflowUpdateStage.ACCEPTED,
            rpc_timeout=rpc_timeout), wf, f"the process request for {service_id}", within)


async def open_process(client: Client, task_queue: str, c: OpenProcess, now: datetime | None = None,
                       clock_offset: timedelta = timedelta(0), within: timedelta | None = None,
                       history_limit: int | None = None) -> ProcessStatus:
    """Open the service's process (a commissioner): a proposed one is opened; an open one refuses."""
    return await _start_with(client, task_queue, c.service_id, ProviderConcernProcessWorkflow.open_process, c, now,
                             clock_offset, within, history_limit)


async def propose_process(client: Client, task_queue: str, p: ProposeProcess, now: datetime | None = None,
                          clock_offset: timedelta = timedelta(0), within: timedelta | None = None) -> ProcessStatus:
    """Record a proposal (Appendix A); a process already proposed or open is left as it is."""
    return await _start_with(client, task_queue, p.service_id, ProviderConcernProcessWorkflow.propose, p, now,
                             clock_offset, within)


async def record_step(client: Client, service_id: str, c: RecordStep, within: timedelta | None = None) -> ProcessStatus:
    return await _update(client, service_id, ProviderConcernProcessWorkflow.record_step, c, c.step, within)


async def decide(client: Client, service_id: str, c: Decide, within: timedelta | None = None) -> ProcessStatus:
    return await _update(client, service_id, ProviderConcernProcessWorkflow.decide, c, f"the decision {c.outcome}", within)


async def dismiss_proposal(client: Client, service_id: str, c: DismissProposal,
                           within: timedelta | None = None) -> ProcessStatus:
    """A commissioner decides not to open a proposed process: proposed again only for later concerns."""
    return await _update(client, service_id, ProviderConcernProcessWorkflow.dismiss, c, "the dismissal", within)


async def process_status(client: Client, service_id: str, within: timedelta | None = None) -> ProcessStatus:
    wf = process_workflow_id(service_id)
    async with _in_process_words(service_id), plain_errors(wf, client):
        handle = client.get_workflow_handle(wf)
        if within is None:
            return await handle.query(ProviderConcernProcessWorkflow.status)
        async with asyncio.timeout(within.total_seconds()):
            return await handle.query(ProviderConcernProcessWorkflow.status, rpc_timeout=within)


async def _update(client: Client, service_id: str, update: Callable, arg: Any, what: str, within: timedelta | None) -> Any:
    wf = process_workflow_id(service_id)
    async with _in_process_words(service_id), plain_errors(wf, client, command=update.__name__):
        handle = client.get_workflow_handle(wf)
        if within is None:
            return await handle.execute_update(update, arg)
        return await _bounded(lambda rpc_timeout: handle.start_update(
            update, arg, wait_for_stage=WorkflowUpdateStage.ACCEPTED, rpc_timeout=rpc_timeout), wf, what, within)


@asynccontextmanager
async def _in_process_words(service_id: str) -> AsyncIterator[None]:
    """plain_errors speaks of cases; a service's process workflow is not one."""
    try:
        yield
    except NotFound:
        raise NotFound(f"no provider-concern process for service {service_id}: open one with "
                       f"`safeguard commissioner process open {service_id}`") from None
    except NotOpen as e:
        if e.message != f"case {process_workflow_id(service_id)} is closed":
            raise
        raise NotOpen(f"the provider-concern process for service {service_id} is closed: open a new one with "
                      f"`safeguard commissioner process open {service_id}`") from None


# ---- proposals (Appendix A) ----------------------------------------------------------------


def proposals_due(documents: Documents) -> list[ProposeProcess]:
    """The services whose Appendix A decision reached caution or suspension consideration and that
    have no process since their latest concern (none, or the latest closed before it was raised)."""
    out = []
    for r in commissioner_records(documents):
        level, process = r["decision"]["level"], r.get("process")
        if level not in PROPOSING_LEVELS:
            continue
        if process and (process["status"] != "closed" or process["closed_at"] >= (r["last_concern_at"] or "")):
            continue  # a process under way, or one closed (decided or dismissed) since the latest concern
        out.append(ProposeProcess(service_id=r["service_id"], appendix_a=level,
                                  criteria=tuple(c["id"] for c in r["decision"]["matched"])))
    return out


async def propose_due(client: Client, task_queue: str, documents: Documents, now: datetime | None = None,
                      clock_offset: timedelta = timedelta(0), within: timedelta | None = None) -> list[ProcessStatus]:
    """Record a proposal for every service `proposals_due` finds (idempotent: run it as often as you like)."""
    return [await propose_process(client, task_queue, p, now, clock_offset, within) for p in proposals_due(documents)]


async def track_service_reviews(client: Client, task_queue: str, records: SafeguardingRecords, services: list[dict[str, Any]],
                                now: datetime, calendar: WorkingCalendar | None, tracked: set[str]) -> list[str]:
    """Record each review the pattern rules raised (004 line 117; `services`: the commissioner records)
    as tracked work, and start the workflow that keeps its deadline; `tracked`: the refs already
    started by this worker (each is started once; one running already is left as it is). Returns
    the refs started now."""
    refs = await asyncio.to_thread(raise_service_reviews, records, services, now, calendar)
    started = await track_governance_actions(client, task_queue, [r for r in refs if r not in tracked])
    tracked.update(refs)
    return started


async def keep_proposing(client: Client, task_queue: str, documents: Documents, records: SafeguardingRecords | None = None,
                         calendar: WorkingCalendar | None = None, every: timedelta = PROPOSE_EVERY) -> None:
    """The worker's loop, until cancelled: record proposals as the commissioner records reach them,
    and track each pattern-triggered service review to its outcome."""
    tracked: set[str] = set()
    while True:
        try:
            for s in await propose_due(client, task_queue, documents):
                log.info("provider-concern process proposed", service_id=s.service_id, process_id=s.process_id)
            if records is not None:
                await track_service_reviews(client, task_queue, records, commissioner_records(documents),
                                            datetime.now(timezone.utc), calendar, tracked)
        except Exception:  # Temporal or the store briefly down: the next pass tries again
            log.exception("proposing provider-concern processes failed")
        await asyncio.sleep(every.total_seconds())
