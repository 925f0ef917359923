"""How long a member of staff waits on Temporal, and whether a worker is there to answer.

Every call the CLI makes is bounded: a command answers within about ten seconds, whether
Temporal, the worker or the event store is down. A request Temporal holds but no worker has
recorded within that time is reported for what it is (see `NotYetRecorded`), never as a failure
it is not.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from casework.refusals import Unavailable
from configuration.settings import Settings
from casework.temporal.failures import plain_errors

# What a member of staff waits, at most, for an answer; with the command's own start-up (about a
# second) and the worker check, about ten seconds in all.
ANSWER_WITHIN = timedelta(seconds=Settings.model_fields["answer_within_seconds"].default)
RPC_TIMEOUT = timedelta(seconds=5)  # a call that needs no worker (describe, count)
# An idle worker long-polls its task queue for up to a minute, so its last poll may be 60 s old
# and still be live; a worker that stopped within this window is caught by ANSWER_WITHIN instead.
# (The poll times are the server's clock: a CLI clock more than 30 s off would misjudge.)
WORKER_SEEN_WITHIN = timedelta(seconds=90)


def no_worker(task_queue: str) -> str:
    return f"no worker is polling task queue {task_queue}: start one with `safeguard worker` (or `./scripts/dev`)"


class NoWorker(Unavailable):
    """No worker has polled the task queue lately."""


def timed_out(e: BaseException) -> bool:
    """The SDK's ways of saying an RPC, or our bound around it, ran out of time. A call cut short
    because the person interrupted the command (Ctrl-C) did not run out of time: its cancellation is
    raised again, never reported as a worker that did not answer."""
    task = asyncio.current_task() if _in_loop() else None
    if task is not None and task.cancelling():
        raise asyncio.CancelledError from None
    if isinstance(e, (asyncio.TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError)):
        return True
    return isinstance(e, RPCError) and e.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)


def _in_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def require_worker(client: Client, task_queue: str, now: datetime | None = None) -> None:
    """Unavailable unless a worker has polled the task queue lately: asking a case with no worker
    to answer would only wait. Checked from the task queue's description (its pollers and when
    each last polled), before an update or a query is sent."""
    request = DescribeTaskQueueRequest(namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
                                       task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
    async with plain_errors():
        async with asyncio.timeout(RPC_TIMEOUT.total_seconds()):
            found = await client.workflow_service.describe_task_queue(request, retry=True, timeout=RPC_TIMEOUT)
    cutoff = (now or datetime.now(timezone.utc)) - WORKER_SEEN_WITHIN
    if not any(p.last_access_time.ToDatetime(tzinfo=timezone.utc) >= cutoff for p in found.pollers):
        raise NoWorker(no_worker(task_queue))


async def worker_polling(client: Client, task_queue: str) -> bool:
    try:
        await require_worker(client, task_queue)
    except NoWorker:
        return False
    return True


async def running_cases(client: Client) -> int:
    """How many cases Temporal has running (one cheap count)."""
    query = "WorkflowType = 'SafeguardingConcernWorkflow' AND ExecutionStatus = 'Running'"
    async with asyncio.timeout(RPC_TIMEOUT.total_seconds()):
        return (await client.count_workflows(query, rpc_timeout=RPC_TIMEOUT)).count
