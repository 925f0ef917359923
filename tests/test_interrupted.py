"""Ctrl-C while a command waits on Temporal (found by a trial): it was reported as "no worker
answered within 8 s ... Nothing of it is recorded yet", though the step was recorded and no 8 s had
passed. An interrupted call is a cancellation, and the command says it may or may not be recorded."""

from __future__ import annotations

import asyncio

import pytest
import typer
from temporalio.service import RPCError, RPCStatusCode

from casework.temporal.availability import timed_out
from cli import runtime

pytestmark = pytest.mark.unit


async def test_a_call_cut_short_by_an_interrupt_is_not_taken_for_a_silent_worker():
    seen = []

    async def waiting_on_temporal():
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:  # the SDK answers the cancelled call with RPCError CANCELLED
            try:
                seen.append(timed_out(RPCError("cancelled", RPCStatusCode.CANCELLED, b"")))
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise

    task = asyncio.create_task(waiting_on_temporal())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == ["cancelled"]
    assert timed_out(RPCError("deadline", RPCStatusCode.DEADLINE_EXCEEDED, b""))  # a real timeout still is one


def test_the_command_says_it_was_interrupted_and_what_to_check(offline, capsys):
    async def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(typer.Exit) as done:
        runtime.use(interrupted)
    assert done.value.exit_code == 130
    assert "interrupted before Safeguard answered: what you sent may or may not be recorded" in capsys.readouterr().err
