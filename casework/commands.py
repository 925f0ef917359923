"""What staff do to a case, sent to its workflow. Each returns what the workflow recorded."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from casework.errors import CaseworkError, plain_errors
from domain.concern import Acknowledgement, ConcernBody, Development, StepCompletion
from domain.case import CaseStatus, StepReceipt
from workflows.case_input import CaseInput
from workflows.concern import SafeguardingConcernWorkflow


def new_case_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"SG-{now:%Y%m%d}-{secrets.token_hex(3).upper()}"


CLOCK_SKEW = timedelta(minutes=5)


async def raise_concern(client: Client, task_queue: str, concern: ConcernBody, now: datetime | None = None,
                        clock_offset: timedelta = timedelta(0), history_limit: int | None = None) -> CaseStatus:
    """Start the case's workflow and answer once the concern is recorded, in one call (update-with-start).

    Idempotent: raising the same concern again (same case id and body) answers with the case as it
    stands and starts nothing; the same case id with a different body is refused."""
    now = now or datetime.now(timezone.utc)
    if concern.identified_at > now + CLOCK_SKEW:
        raise CaseworkError(f"identified_at {concern.identified_at.isoformat()} is in the future")
    case_id = concern.case_id or new_case_id(now)
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
    async with plain_errors(case_id, client):
        return await client.execute_update_with_start_workflow(
            SafeguardingConcernWorkflow.concern_raised, concern, start_workflow_operation=start)


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
