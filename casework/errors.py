"""Temporal's failures, said in the words of casework."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode


class CaseworkError(Exception):
    """A request that could not be carried out; the message says why."""


class Unavailable(CaseworkError):
    """Temporal (or the event store) could not be reached."""


@asynccontextmanager
async def plain_errors(case_id: str | None = None) -> AsyncIterator[None]:
    try:
        yield
    except WorkflowUpdateFailedError as e:
        cause = e.__cause__
        raise CaseworkError(getattr(cause, "message", None) or str(cause or e)) from None
    except ApplicationError as e:
        raise CaseworkError(e.message) from None
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            if "completed" in e.message.lower() or "already" in e.message.lower():
                raise CaseworkError(f"case {case_id} is closed") from None
            raise CaseworkError(f"no case {case_id}") from None
        if e.status == RPCStatusCode.ALREADY_EXISTS:
            raise CaseworkError(f"case {case_id} already exists") from None
        if e.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise Unavailable(f"Temporal is unavailable: {e.message}") from None
        raise CaseworkError(f"Temporal refused the request: {e.message}") from None
