"""Temporal's failures, said in the words of casework."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from pydantic import ValidationError
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.inputs import describe


def describe_validation(e: ValidationError, what: str) -> str:
    return describe(e, what)  # the domain's words, as a case's validators say them


class CaseworkError(Exception):
    """A request that could not be carried out; the message says why."""


class Unavailable(CaseworkError):
    """Temporal (or the event store) could not be reached."""


async def _why_not_found(client: Client | None, case_id: str | None) -> str:
    """The server says 'not found' both for a case that never existed and for an update sent
    to a closed one; ask which."""
    if client is None or case_id is None:
        return f"no case {case_id}"
    try:
        desc = await client.get_workflow_handle(case_id).describe()
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
    except WorkflowAlreadyStartedError:
        raise CaseworkError(f"case {case_id} already exists") from None
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND or "already completed" in e.message.lower():
            raise CaseworkError(await _why_not_found(client, case_id)) from None
        if e.status == RPCStatusCode.ALREADY_EXISTS:
            raise CaseworkError(f"case {case_id} already exists") from None
        if e.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise Unavailable(f"Temporal is unavailable: {e.message}") from None
        raise CaseworkError(f"Temporal refused the request: {e.message}") from None
