"""What staff do to a case, sent to its workflow. Each returns what the workflow recorded."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta, timezone

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy

from casework.errors import CaseworkError, plain_errors
from domain.concern import Acknowledgement, ConcernBody, Development, StepCompletion
from workflows.concern import SafeguardingConcernWorkflow
from workflows.state import CaseInput, CaseStatus, StepReceipt


def new_case_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"SG-{now:%Y%m%d}-{secrets.token_hex(3).upper()}"


CLOCK_SKEW = timedelta(minutes=5)


async def raise_concern(client: Client, task_queue: str, concern: ConcernBody, now: datetime | None = None) -> CaseStatus:
    now = now or datetime.now(timezone.utc)
    if concern.identified_at > now + CLOCK_SKEW:
        raise CaseworkError(f"identified_at {concern.identified_at.isoformat()} is in the future")
    case_id = concern.case_id or new_case_id(now)
    async with plain_errors(case_id):
        handle = await client.start_workflow(
            SafeguardingConcernWorkflow.run,
            CaseInput(case_id=case_id, concern=concern),
            id=case_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        return await wait_until_raised(handle)


async def wait_until_raised(handle: WorkflowHandle, timeout_s: float = 30.0) -> CaseStatus:
    """The workflow records the concern through an activity; wait for that before answering."""
    waited = 0.0
    while True:
        try:
            status = await handle.query(SafeguardingConcernWorkflow.status)
            if status.events_recorded > 0:
                return status
        except Exception:  # the first workflow task may not have run yet
            pass
        if waited >= timeout_s:
            raise CaseworkError(f"case {handle.id} was started but not recorded within {timeout_s:.0f}s: is a worker running?")
        await asyncio.sleep(0.05)
        waited += 0.05


async def complete_step(client: Client, case_id: str, completion: StepCompletion) -> StepReceipt:
    async with plain_errors(case_id, client):
        handle = client.get_workflow_handle(case_id)
        return await handle.execute_update(SafeguardingConcernWorkflow.complete_step, completion)


async def record_development(client: Client, case_id: str, development: Development) -> int:
    async with plain_errors(case_id, client):
        handle = client.get_workflow_handle(case_id)
        return await handle.execute_update(SafeguardingConcernWorkflow.record_development, development)


async def acknowledge_escalation(client: Client, case_id: str, ack: Acknowledgement) -> None:
    async with plain_errors(case_id, client):
        handle = client.get_workflow_handle(case_id)
        await handle.execute_update(SafeguardingConcernWorkflow.acknowledge_escalation, ack)
