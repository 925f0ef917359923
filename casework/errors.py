"""Temporal's failures, said in the words of casework."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import AsyncIterator

from pydantic import ValidationError
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.inputs import describe


def describe_validation(e: ValidationError, what: str) -> str:
    return describe(e, what)  # the domain's words, as a case's validators say them


DESCRIBE_TIMEOUT = timedelta(seconds=3)
# transport failures, as the SDK words them when a call is cut (a server stopping, a network down)
TRANSPORT = ("context canceled", "transport", "connection", "broken pipe", "connect error")


class CaseworkError(Exception):
    """A request that could not be carried out; the message says why."""


class Unavailable(CaseworkError):
    """Temporal (or the event store) could not be reached."""


class NotYetRecorded(Unavailable):
    """A request the case holds but no worker has recorded in time. `accepted`: the case's
    workflow took it (its validator passed), so it will be recorded as soon as the event store
    takes it; otherwise no worker answered. A raise is kept either way once its workflow exists,
    as the concern is the workflow's input."""

    def __init__(self, case_id: str, what: str, accepted: bool, within_s: int, raised: bool = False) -> None:
        self.case_id, self.what, self.accepted, self.within_s, self.raised = case_id, what, accepted, within_s, raised
        super().__init__(self.explain("the event store", "its task queue"))

    def explain(self, store: str, task_queue: str) -> str:
        check = f"check with `safeguard concern status {self.case_id}`"
        failing = (f"the event store ({store}) is failing or too slow (the worker could not write to it within "
                   f"{self.within_s} s)")
        if self.raised:
            again = "do not raise it again (the same body raised again answers with this case, never a second one)"
            if self.accepted:
                return (f"case {self.case_id}: the concern is accepted but not yet recorded: {failing}. It will be "
                        f"recorded when the store recovers, with nothing more to do: {again}; {check}")
            return (f"case {self.case_id}: the concern is accepted (its workflow is started) but not yet recorded: no "
                    f"worker answered within {self.within_s} s on task queue {task_queue}. It will be recorded when a "
                    f"worker runs (`safeguard worker`), with nothing more to do: {again}; {check}")
        if self.accepted:
            return (f"case {self.case_id}: {self.what} was accepted but is not yet recorded: {failing}. It will be "
                    f"recorded when the store recovers, unless the case has moved on meanwhile: {check} rather than "
                    "sending it again")
        return (f"case {self.case_id}: {self.what} was not accepted: no worker answered within {self.within_s} s on "
                f"task queue {task_queue} (start one with `safeguard worker`). Nothing of it is recorded yet, but "
                f"Temporal may still hand it to a worker that starts: {check} before sending it again")


async def _why_not_found(client: Client | None, case_id: str | None) -> str:
    """The server says 'not found' both for a case that never existed and for an update sent
    to a closed one; ask which."""
    if client is None or case_id is None:
        return f"no case {case_id}"
    try:
        desc = await client.get_workflow_handle(case_id).describe(rpc_timeout=DESCRIBE_TIMEOUT)
    except RPCError:
        return f"no case {case_id}"
    if desc.status == WorkflowExecutionStatus.COMPLETED:
        return f"case {case_id} is closed"
    if desc.status == WorkflowExecutionStatus.RUNNING:
        return f"case {case_id} did not accept the request; try again"
    return f"case {case_id} is no longer running ({desc.status.name.lower() if desc.status else 'unknown'})"


@asynccontextmanager
async def plain_errors(case_id: str | None = None, client: Client | None = None) -> AsyncIterator[None]:
    try:
        yield
    except WorkflowUpdateFailedError as e:
        cause = e.__cause__
        raise CaseworkError(getattr(cause, "message", None) or str(cause or e)) from None
    except ApplicationError as e:
        raise CaseworkError(e.message) from None
    except WorkflowQueryFailedError as e:
        raise CaseworkError(e.message) from None
    except (asyncio.TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise Unavailable("Temporal did not answer in time: is it running and reachable?") from None
    except WorkflowAlreadyStartedError:
        raise CaseworkError(f"case {case_id} already exists") from None
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND or "already completed" in e.message.lower():
            raise CaseworkError(await _why_not_found(client, case_id)) from None
        if e.status == RPCStatusCode.ALREADY_EXISTS:
            raise CaseworkError(f"case {case_id} already exists") from None
        if "no poller seen" in e.message.lower():
            raise Unavailable("no worker is polling the case's task queue (Temporal: no poller seen for task queue "
                              "recently): start one with `safeguard worker` (or `./scripts/dev`)") from None
        if (e.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)
                or any(t in e.message.lower() for t in TRANSPORT)):
            raise Unavailable(f"Temporal is unavailable: {e.message}") from None
        raise CaseworkError(f"Temporal refused the request: {e.message}") from None
