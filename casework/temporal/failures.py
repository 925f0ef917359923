"""Temporal's failures, as the refusals of casework/refusals.py.

A workflow refuses with an ApplicationError whose details carry the kind of refusal
(domain/case/rejection.py); the kind picks the class, and the message is kept as the workflow
worded it."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import AsyncIterator

from temporalio import workflow
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from casework.refusals import Conflict, Invalid, NotFound, NotOpen, Refusal, Unavailable, of_kind
from telemetry.instruments import COMMANDS_REFUSED
from workflows.concern import SafeguardingConcernWorkflow
from workflows.governance_action import GovernanceActionWorkflow
from workflows.provider_process import ProviderConcernProcessWorkflow

DESCRIBE_TIMEOUT = timedelta(seconds=3)
# transport failures, as the SDK words them when a call is cut (a server stopping, a network down)
TRANSPORT = ("context canceled", "transport", "connection", "broken pipe", "connect error")
STILL_OPENING = "still being raised"  # a case's status query before its concern is recorded
COMMANDED = (SafeguardingConcernWorkflow, GovernanceActionWorkflow, ProviderConcernProcessWorkflow)


def command_names() -> list[str]:
    """The commands refusals are counted by: every update of the workflows commands are sent to
    (by its method's name, as `plain_errors` is told), and "other"."""
    return sorted({u.fn.__name__ for c in COMMANDED for u in workflow._Definition.must_from_class(c).updates.values()}
                  | {"other"})


for _command in command_names():  # at 0 from the start, so a fresh process has a series to show
    COMMANDS_REFUSED.labels(_command)


def refusal_of(e: ApplicationError) -> Refusal:
    """The refusal a workflow's (or an activity's) ApplicationError stands for: its details name the kind."""
    kind = e.details[0] if e.details and isinstance(e.details[0], str) else None
    return of_kind(kind, e.message)


async def _why_not_found(client: Client | None, case_id: str | None) -> Refusal:
    """The server says 'not found' both for a case that never existed and for an update sent
    to a closed one; ask which."""
    if client is None or case_id is None:
        return NotFound(f"no case {case_id}")
    try:
        desc = await client.get_workflow_handle(case_id).describe(rpc_timeout=DESCRIBE_TIMEOUT)
    except RPCError:
        return NotFound(f"no case {case_id}")
    if desc.status == WorkflowExecutionStatus.COMPLETED:
        return NotOpen(f"case {case_id} is closed")
    if desc.status == WorkflowExecutionStatus.RUNNING:
        return Unavailable(f"case {case_id} did not accept the request; try again")
    return NotOpen(f"case {case_id} is no longer running ({desc.status.name.lower() if desc.status else 'unknown'})")


@asynccontextmanager
async def plain_errors(case_id: str | None = None, client: Client | None = None,
                       command: str = "other") -> AsyncIterator[None]:
    """`command`: the update's name, counted when the workflow refuses it (safeguard_commands_refused_total)."""
    try:
        yield
    except WorkflowUpdateFailedError as e:
        COMMANDS_REFUSED.labels(command).inc()
        cause = e.__cause__
        if isinstance(cause, ApplicationError):
            raise refusal_of(cause) from None
        raise Invalid(getattr(cause, "message", None) or str(cause or e)) from None
    except ApplicationError as e:
        raise refusal_of(e) from None
    except WorkflowQueryFailedError as e:
        if STILL_OPENING in e.message:
            raise Unavailable(e.message) from None
        raise Invalid(e.message) from None
    except (asyncio.TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise Unavailable("Temporal did not answer in time: is it running and reachable?") from None
    except WorkflowAlreadyStartedError:
        raise Conflict(f"case {case_id} already exists") from None
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND or "already completed" in e.message.lower():
            raise await _why_not_found(client, case_id) from None
        if e.status == RPCStatusCode.ALREADY_EXISTS:
            raise Conflict(f"case {case_id} already exists") from None
        if "no poller seen" in e.message.lower():
            raise Unavailable("no worker is polling the case's task queue (Temporal: no poller seen for task queue "
                              "recently): start one with `safeguard worker` (or `./scripts/dev`)") from None
        if (e.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)
                or any(t in e.message.lower() for t in TRANSPORT)):
            raise Unavailable(f"Temporal is unavailable: {e.message}") from None
        raise Invalid(f"Temporal refused the request: {e.message}") from None
