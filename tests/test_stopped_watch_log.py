"""The worker's watch for stopped cases (casework/temporal/stopped.py, `keep_watching`) while
Temporal is down logs one plain warning line a pass, naming the error's kind and status, not a
traceback each pass; an unexpected error keeps its traceback."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest
from temporalio.service import RPCError, RPCStatusCode

from casework.temporal import stopped


def watch_logs(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.name == "safeguard.stopped_cases"]


def has_traceback(record: logging.LogRecord) -> bool:
    return bool(record.exc_info) or (isinstance(record.msg, dict) and bool(record.msg.get("exc_info")))


async def watch_briefly(failure: BaseException, monkeypatch) -> None:
    async def record_stopped(client, records, documents):
        raise failure

    monkeypatch.setattr(stopped, "record_stopped", record_stopped)
    feed = SimpleNamespace(catch_up=lambda only: None, documents=None)
    task = asyncio.create_task(stopped.keep_watching(None, None, feed, every=0.01))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("failure", [RPCError("connection refused to 127.0.0.1:7233", RPCStatusCode.UNAVAILABLE, b""),
                                     ConnectionRefusedError("refused"), TimeoutError()])
async def test_temporal_unreachable_is_one_warning_line_a_pass(failure, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    await watch_briefly(failure, monkeypatch)
    lines = watch_logs(caplog.records)
    assert len(lines) >= 2  # each pass says so
    assert {r.levelno for r in lines} == {logging.WARNING}
    assert not any(has_traceback(r) for r in lines)
    text = " ".join(f"{r.getMessage()}" for r in lines)
    assert "Temporal cannot be reached" in text and type(failure).__name__ in text
    assert "127.0.0.1" not in text  # the error's message (an address, perhaps a case's id) is not logged
    if isinstance(failure, RPCError):
        assert "UNAVAILABLE" in text


async def test_an_unexpected_error_keeps_its_traceback(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    await watch_briefly(ValueError("unexpected"), monkeypatch)
    lines = watch_logs(caplog.records)
    assert lines and all(r.levelno == logging.ERROR and has_traceback(r) for r in lines)
