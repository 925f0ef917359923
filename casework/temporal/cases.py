"""The case's workflow, as the use cases reach it: raising, each update, the status query. Each
returns what the workflow recorded (or holds).

Given `within` (the CLI gives ANSWER_WITHIN), each answers within that time: a request the case's
workflow accepted but has not recorded by then raises NotYetRecorded(accepted=True) (it will be
recorded as soon as the event store takes it: the local activity keeps retrying); one no worker
took up raises NotYetRecorded(accepted=False). Without it (tests, simulation, benchmarks on their
own servers), each waits for the answer.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateHandle,
    WorkflowUpdateStage,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from casework.refusals import Invalid, NotYetRecorded, Unavailable
from casework.temporal.availability import RPC_TIMEOUT, timed_out
from casework.temporal.failures import STILL_OPENING, plain_errors
from domain.concern import Acknowledgement, CaseNote, ConcernBody, Development, StepAmendment, StepCompletion
from domain.case import CaseStatus, StepReceipt
from domain.governance_actions import ActionCompletion
from workflows.case_input import CaseInput
from workflows.concern import SafeguardingConcernWorkflow
from workflows.governance_action import ActionInput, GovernanceActionWorkflow, action_workflow_id


def case_id_for(concern: ConcernBody) -> str:
    """The case id of a concern raised without one: its UTC date identified and a digest of the body,
    so raising the same body again (a retry after a late or lost answer) is the same case, never a
    second one."""
    digest = hashlib.sha256(concern.model_dump_json(exclude={"case_id"}).encode()).hexdigest()[:10].upper()
    return f"SG-{concern.identified_at.astimezone(timezone.utc):%Y%m%d}-{digest}"


def case_id_for_request(concern: ConcernBody, request: str) -> str:
    """The case id of a concern raised with an idempotency key: from the key (its request id), so the
    key sent again is the same case, and sent with another concern is refused as the same id."""
    digest = hashlib.sha256(request.encode()).hexdigest()[:10].upper()
    return f"SG-{concern.identified_at.astimezone(timezone.utc):%Y%m%d}-{digest}"


CLOCK_SKEW = timedelta(minutes=5)
RESULT_AT_LEAST = 1.0  # seconds left to wait for the answer once a request is accepted


async def raise_concern(client: Client, task_queue: str, concern: ConcernBody, now: datetime | None = None,
                        clock_offset: timedelta = timedelta(0), history_limit: int | None = None,
                        within: timedelta | None = None) -> CaseStatus:
    """Start the case's workflow and answer once the concern is recorded, in one call (update-with-start).

    Idempotent: raising the same concern again (same case id and body; a body without a case id
    gets one from its content) answers with the case as it stands and starts nothing; the same
    case id with a different body is refused."""
    now = now or datetime.now(timezone.utc)
    if concern.identified_at > now + CLOCK_SKEW:
        raise Invalid(f"identified_at {concern.identified_at.isoformat()} is in the future")
    case_id = concern.case_id or case_id_for(concern)
    concern = concern.model_copy(update={"case_id": case_id})
    start = WithStartWorkflowOperation(
        SafeguardingConcernWorkflow.run,
        CaseInput(case_id=case_id, concern=concern, clock_offset=clock_offset,
                  **({"history_limit": history_limit} if history_limit else {})),
        id=case_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )
    try:
        return await _raise(client, concern, start, case_id, within)
    finally:
        _read_start(start)


def _read_start(start: WithStartWorkflowOperation) -> None:
    """Read a failed start's outcome, which the SDK keeps in a future of its own: unread, asyncio logs
    it as an error of no one's ("Future exception was never retrieved"), after the asker was answered."""
    outcome = getattr(start, "_workflow_handle", None)
    if isinstance(outcome, asyncio.Future) and outcome.done() and not outcome.cancelled():
        outcome.exception()


async def _raise(client: Client, concern: ConcernBody, start: WithStartWorkflowOperation, case_id: str,
                 within: timedelta | None) -> CaseStatus:
    async with plain_errors(case_id, client, command="concern_raised"):
        if within is None:
            return await client.execute_update_with_start_workflow(
                SafeguardingConcernWorkflow.concern_raised, concern, start_workflow_operation=start)
        try:
            return await _bounded(lambda rpc_timeout: client.start_update_with_start_workflow(
                SafeguardingConcernWorkflow.concern_raised, concern, start_workflow_operation=start,
                wait_for_stage=WorkflowUpdateStage.ACCEPTED, rpc_timeout=rpc_timeout), case_id, "the concern", within)
        except NotYetRecorded as e:
            # The workflow is started before the update is sent, with the concern as its input: once
            # it exists, the concern will be recorded whether or not this update is ever taken up.
            if e.accepted or await _running(client, case_id):
                raise NotYetRecorded(case_id, e.what, e.accepted, e.within_s, raised=True) from None
            raise Unavailable(f"Temporal did not start case {case_id} within {e.within_s} s: nothing was raised; "
                              "try again") from None


async def complete_step(client: Client, case_id: str, completion: StepCompletion,
                        within: timedelta | None = None) -> StepReceipt:
    return await _update(client, case_id, SafeguardingConcernWorkflow.complete_step, completion, completion.step, within)


async def record_development(client: Client, case_id: str, development: Development,
                             within: timedelta | None = None) -> int:
    return await _update(client, case_id, SafeguardingConcernWorkflow.record_development, development,
                         "the development", within)


async def acknowledge_escalation(client: Client, case_id: str, ack: Acknowledgement,
                                 within: timedelta | None = None) -> None:
    await _update(client, case_id, SafeguardingConcernWorkflow.acknowledge_escalation, ack,
                  f"the acknowledgement of {ack.escalation_id}", within)


async def add_note(client: Client, case_id: str, note: CaseNote, within: timedelta | None = None) -> int:
    return await _update(client, case_id, SafeguardingConcernWorkflow.add_note, note, "the note", within)


async def amend_step(client: Client, case_id: str, amendment: StepAmendment, within: timedelta | None = None) -> int:
    """A completed step's record corrected (issue 22); answers the amendment's number."""
    return await _update(client, case_id, SafeguardingConcernWorkflow.amend_step, amendment,
                         f"the correction of {amendment.step}", within)


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
            if STILL_OPENING in e.message:  # its workflow runs; the worker has not stored the concern yet
                raise Unavailable(f"case {case_id} is accepted but not yet recorded: the worker is still writing it to "
                                  "the event store (if this lasts, the store is failing; the worker keeps trying); "
                                  "try again in a moment") from None
            raise
        except Exception as e:
            if timed_out(e):
                raise Unavailable(f"no worker answered within {round(within.total_seconds())} s on task queue "
                                  f"{task_queue}: is one running? start one with `safeguard worker` (or `./scripts/dev`)") from None
            raise


async def track_governance_actions(client: Client, task_queue: str, refs: list[str]) -> list[str]:
    """Start the workflow that keeps each action's deadline (issue 12), unless it runs already
    (an audit run straight against the store, without Temporal, records its actions untracked)."""
    started = []
    for ref in refs:
        try:
            await client.start_workflow(GovernanceActionWorkflow.run, ActionInput(ref=ref), id=action_workflow_id(ref),
                                        task_queue=task_queue, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
            started.append(ref)
        except WorkflowAlreadyStartedError:
            pass
    return started


async def complete_governance_action(client: Client, ref: str, completion: ActionCompletion,
                                     within: timedelta | None = None) -> Any:
    """Complete an action a governance audit raised (issue 12), with its evidence."""
    return await _update(client, action_workflow_id(ref), GovernanceActionWorkflow.complete, completion,
                         f"the completion of {ref}", within)


async def _update(client: Client, case_id: str, update: Callable, arg: Any, what: str, within: timedelta | None) -> Any:
    async with plain_errors(case_id, client, command=update.__name__):
        handle = client.get_workflow_handle(case_id)
        if within is None:
            return await handle.execute_update(update, arg)
        return await _bounded(lambda rpc_timeout: handle.start_update(
            update, arg, wait_for_stage=WorkflowUpdateStage.ACCEPTED, rpc_timeout=rpc_timeout), case_id, what, within)


async def _bounded(start: Callable[[timedelta], Any], case_id: str, what: str, within: timedelta) -> Any:
    """Send an update, wait until the case's workflow accepts it (its validator passed: the handler
    runs, and will record it), then wait for its answer, all within `within`. Acceptance reaches
    Temporal when the workflow task that took it ends: within a second or so even while the event
    store fails, as a failing local activity retries on a timer rather than holding the task open
    (`LOCAL` in workflows/concern.py; held open, the task would end only every 8 s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within.total_seconds()
    seconds = round(within.total_seconds())
    accept_within = within.total_seconds() - RESULT_AT_LEAST
    try:
        async with asyncio.timeout(accept_within):
            handle: WorkflowUpdateHandle = await start(timedelta(seconds=accept_within))
    except Exception as e:
        if timed_out(e):
            raise NotYetRecorded(case_id, what, accepted=False, within_s=seconds) from None
        raise
    left = max(deadline - loop.time(), RESULT_AT_LEAST)
    try:
        async with asyncio.timeout(left):
            return await handle.result(rpc_timeout=timedelta(seconds=left))
    except Exception as e:
        if timed_out(e):
            raise NotYetRecorded(case_id, what, accepted=True, within_s=seconds) from None
        raise


async def _running(client: Client, case_id: str) -> bool:
    try:
        async with asyncio.timeout(RPC_TIMEOUT.total_seconds()):
            desc = await client.get_workflow_handle(case_id).describe(rpc_timeout=RPC_TIMEOUT)
    except (RPCError, asyncio.TimeoutError):
        return False
    return desc.status == WorkflowExecutionStatus.RUNNING
