"""Cases whose workflow stopped without the case closing: found, recorded, and restarted.

A case's workflow ends only when the case closes. One that ended otherwise (terminated through
Temporal's own API, failed, timed out, cancelled) keeps no deadline until it is recovered. The
worker looks at every live case on an interval (`stopped_case_check_seconds`): a case the store
holds open whose workflow is not running gets a `CaseStopped` fact (once per run), so the board
and the deadlines show it. `safeguard concern recover` restarts it from the store's facts
(casework/recovery.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import structlog
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionDescription, WorkflowExecutionStatus
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from activities.models import OpenedCase
from casework.temporal.failures import plain_errors
from encryption.seal import restart_body, restart_seal_holds
from domain.case import CaseState, new_case, replay
from configuration.settings import Settings
from domain.case.policy import CasePolicy, policy_from_text
from domain.facts import CaseStopped, ConcernRaised
from eventstore.application import SafeguardingRecords, Superseded
from projections.dashboard import LiveCases, live_documents
from projections.documents import Documents
from workflows.case_input import CaseInput
from workflows.concern import SafeguardingConcernWorkflow

log = structlog.get_logger("safeguard.stopped_cases")
UNREACHABLE = (RPCError, ConnectionError, TimeoutError)  # what Temporal down raises (its message is not logged)
STOPPED = {WorkflowExecutionStatus.TERMINATED: "terminated", WorkflowExecutionStatus.FAILED: "failed",
           WorkflowExecutionStatus.TIMED_OUT: "timed_out", WorkflowExecutionStatus.CANCELED: "canceled"}


@dataclass(frozen=True)
class Stopped:
    case_id: str
    run_id: str
    status: str


async def latest_run(client: Client, case_id: str) -> WorkflowExecutionDescription | None:
    """The case's latest run as Temporal describes it (None: Temporal holds none)."""
    try:
        return await client.get_workflow_handle(case_id).describe()
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def stopped(client: Client, case_id: str) -> Stopped | None:
    """The case's latest run, if it ended without the case closing (None: running, completed, or unknown)."""
    desc = await latest_run(client, case_id)
    if desc is None:
        return None
    status = STOPPED.get(desc.status) if desc.status else None
    return Stopped(case_id, desc.run_id, status) if status else None


async def record_stopped(client: Client, records: SafeguardingRecords, documents: Documents) -> list[Stopped]:
    """Every live case whose workflow stopped, recorded as stopped once for its run."""
    found = []
    for case in list(live_documents(documents)):
        case_id = case["case_id"]
        if case["status"] == "closed":
            continue  # closed: its workflow ends (a correction's run, too, once its reviews are done)
        if (case.get("stopped") or {}).get("run_id"):
            continue  # recorded already (a recovery clears it)
        halted = await stopped(client, case_id)
        if halted is None:
            continue
        facts = records.stored_facts(case_id)
        if not facts or any(isinstance(r.fact, CaseStopped) and r.fact.run_id == halted.run_id for r in facts):
            continue
        try:
            records.record(case_id, len(facts) + 1, [CaseStopped(at=datetime.now(timezone.utc).replace(microsecond=0),
                                                                 run_id=halted.run_id, status=halted.status)])
        except Superseded:
            continue  # a recovery began meanwhile: its facts stand
        log.warning("case stopped without closing", case_id=case_id, status=halted.status)
        found.append(halted)
    return found


async def keep_watching(client: Client, records: SafeguardingRecords, feed: Any, every: float) -> None:
    """The worker's loop: record cases that stopped, until cancelled."""
    while True:
        try:
            feed.catch_up(only=LiveCases.name)
            await record_stopped(client, records, feed.documents)
        except UNREACHABLE as e:  # Temporal down: one line a pass, not a traceback; the next pass tries again
            log.warning("looking for stopped cases failed: Temporal cannot be reached", error=type(e).__name__,
                        status=e.status.name if isinstance(e, RPCError) else None)
        except Exception:  # the store briefly down, or something unexpected: the traceback is kept
            log.exception("looking for stopped cases failed")
        await asyncio.sleep(every)


@dataclass(frozen=True)
class RunSetup:
    """What the stopped run was started with and decided under: its clock and history settings, and
    its policy (the JSON of the state it was continued with, or of what its `open_case` answered)."""

    start: CaseInput
    policy: str


async def run_setup(client: Client, halted: Stopped, key: bytes) -> RunSetup | None:
    """None when Temporal no longer holds the stopped run's history, or the run was not Safeguard's
    (started round it: its `open_case` refused it, or its restart's seal does not hold). Only a run
    Safeguard started, or one the case continued itself, says what policy the case decided under."""
    try:
        history = await client.get_workflow_handle(halted.case_id, run_id=halted.run_id).fetch_history()
    except RPCError:
        return None
    converter, start = client.data_converter, None
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            started = event.workflow_execution_started_event_attributes
            [start] = await converter.decode(started.input.payloads, [CaseInput])
            if start.resume is not None:
                ours = bool(started.continued_execution_run_id) or restart_seal_holds(
                    key, halted.case_id, restart_body(start), start.seal)
                return RunSetup(start, start.resume.policy.as_text()) if ours else None
        elif start is not None and event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            details = event.marker_recorded_event_attributes.details  # a local activity's: what it was, what it answered
            if "data" not in details or "result" not in details or not details["result"].payloads:
                continue
            [about] = await converter.decode(details["data"].payloads)
            if isinstance(about, dict) and about.get("activity_type") == "open_case":
                [opened] = await converter.decode(details["result"].payloads, [OpenedCase])
                return RunSetup(start, opened.policy)
    return None


def setup_from_store(settings: Settings, case_id: str, raised: ConcernRaised) -> RunSetup | None:
    """The policy rebuilt from what the case's raise recorded (its calendar, bank holidays, threshold
    tool) and the pathway in force, if that is still the version it was raised under (None if not):
    for a stopped run whose history Temporal no longer holds, or that was not Safeguard's."""
    pathway = settings.pathway()
    if raised.pathway_version != pathway.version or raised.holidays is None:
        return None
    policy = CasePolicy(pathway=pathway, calendar=raised.calendar, threshold_profile=raised.threshold_profile,
                        holidays=raised.holidays, inputs=settings.input_rules())
    return RunSetup(CaseInput(case_id=case_id, concern=raised.concern), policy.as_text())


def state_from_store(records: SafeguardingRecords, case_id: str, policy: str) -> CaseState:
    facts = [r.fact for r in records.stored_facts(case_id)]
    raised = facts[0]
    assert isinstance(raised, ConcernRaised)
    return replay(new_case(case_id, raised.concern, policy_from_text(policy)), facts)


async def restart(client: Client, task_queue: str, start: CaseInput) -> Any:
    """The case's workflow again, as a new run of the same id (the stopped one is closed)."""
    async with plain_errors(start.case_id, client):
        return await client.start_workflow(
            SafeguardingConcernWorkflow.run, start, id=start.case_id, task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE, id_conflict_policy=WorkflowIDConflictPolicy.FAIL)
