"""Logs carry case ids and steps, never a summary, a record's text or anything but ids."""

import asyncio
import io
import json
import logging
import uuid

import pytest
import structlog
from pydantic import ValidationError
from temporalio import activity

from activities.case_activities import CaseActivities
from activities.models import FactBatch, StoredBatch
from bootstrap import build_worker
from configuration.logging import build_handler, configure_logging
from configuration.redaction import forget_personal
from domain.concern import ConcernBody
from domain.facts import ConcernRaised, StepCompleted
from tests.cases import CaseDriver
from tests.conftest import concern

SECRET_SUMMARY = "Mrs Example was pushed by Mr Sample near the piano"
SECRET_RECORD = "Mr Sample shouted at Mrs Example"


async def test_logs_name_cases_and_steps_but_hold_no_personal_detail(driver, caplog):
    caplog.set_level(logging.DEBUG)
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", summary=SECRET_SUMMARY))
    await case.at("2027-01-12T10:00:00+00:00")  # missed: an escalation is logged
    await case.complete("record_concern", role="team_leader", behaviour_observed=SECRET_RECORD)
    records = [r for r in caplog.records if r.name.startswith(("safeguard", "temporalio.workflow"))]
    assert any(getattr(r, "case_id", None) == case.id and getattr(r, "step", None) == "record_concern" for r in records)
    dumped = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert SECRET_SUMMARY not in dumped and SECRET_RECORD not in dumped
    assert "Mrs Example" not in dumped


FAILED_ATTEMPTS = 3  # each failing activity fails this many times, then succeeds (1 + 2 + 4 s of retries)


class LeakyStore(CaseActivities):
    """A store that fails the way a broken one might, for the cases in `failing`: its error
    carries the concern's text in its message, and the activity's locals hold it too (rendered
    tracebacks used to show them)."""

    failing: set[str] = set()
    attempts: dict[str, int] = {}

    @activity.defn(name="append_facts")
    def append_facts(self, batch: FactBatch) -> StoredBatch:
        summary = next((f.concern.summary for f in batch.facts if isinstance(f, ConcernRaised)), None)
        record = next((f.record for f in batch.facts if isinstance(f, StepCompleted)), None)
        if batch.case_id in LeakyStore.failing and (summary or record):
            kind = activity.info().activity_type
            LeakyStore.attempts[kind] = LeakyStore.attempts.get(kind, 0) + 1
            if activity.info().attempt <= FAILED_ATTEMPTS:
                raise RuntimeError(f"store unavailable: {summary or record['behaviour_observed']} in {batch!r}")
        return super().append_facts(batch)


def capture_both_formats() -> tuple[io.StringIO, io.StringIO]:
    """Console and JSON logs of this process at once, as `configure_logging` sets each up."""
    streams = []
    handlers = []
    for fmt in ("console", "json"):
        configure_logging(fmt, level=logging.INFO)
        handler = logging.getLogger().handlers[0]
        stream = io.StringIO()
        handler.setStream(stream)
        streams.append(stream)
        handlers.append(handler)
    logging.getLogger().handlers[:] = handlers
    return streams[0], streams[1]


async def test_a_failing_activity_logs_no_personal_text_and_does_not_flood(env, settings, records):
    LeakyStore.attempts, LeakyStore.failing = {}, set()
    console, json_log = capture_both_formats()
    try:
        async with build_worker(env.client, records, settings, acts=LeakyStore(records, settings)):
            driver = CaseDriver(env, settings, records)
            recorded = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", case_id="LEAK-1"))
            LeakyStore.failing = {"LEAK-1", "LEAK-2"}
            # at once: a raise whose recording fails, and a completion whose recording fails
            await asyncio.gather(
                driver.raise_concern(concern("2027-01-12T09:30:00+00:00", case_id="LEAK-2", summary=SECRET_SUMMARY)),
                recorded.complete("record_concern", behaviour_observed=SECRET_RECORD))
            await driver.terminate_open_cases()
    finally:
        configure_logging(level=logging.WARNING)  # as the session's fixture left it
    assert LeakyStore.attempts == {"open_case": FAILED_ATTEMPTS + 1, "append_facts": FAILED_ATTEMPTS + 1}
    for text in (console.getvalue(), json_log.getvalue()):
        assert "Completing activity as failed" in text and "RuntimeError" in text  # the failure is still logged
        for secret in (SECRET_SUMMARY, SECRET_RECORD, "Mrs Example", "Mr Sample"):
            assert secret not in text
    # each failing activity is logged once however often it is retried (a minute's window)
    entries = [json.loads(line) for line in json_log.getvalue().splitlines()]
    failures = [e for e in entries if e["event"] == "Completing activity as failed"]
    assert len(failures) == 2, failures
    assert console.getvalue().count("Completing activity as failed") == 2
    assert len(console.getvalue()) < 20_000  # was 900 KB: rich tracebacks with every local variable


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def structured_logger(fmt: str, clock: Clock | None = None) -> tuple[logging.Logger, io.StringIO]:
    """A logger of its own, rendered by the handler `configure_logging` installs."""
    stream = io.StringIO()
    logger = logging.getLogger(f"safeguard.test.{uuid.uuid4().hex[:6]}")
    logger.propagate = False
    logger.handlers[:] = [build_handler(fmt, stream, clock=clock or Clock())]
    logger.setLevel(logging.INFO)
    return logger, stream


@pytest.mark.unit
def test_a_repeated_failure_is_logged_once_a_minute_with_a_count():
    clock = Clock()
    stdlib, stream = structured_logger("json", clock)
    log = structlog.wrap_logger(stdlib, processors=[structlog.stdlib.add_log_level,
                                                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
                                wrapper_class=structlog.stdlib.BoundLogger)

    def fail(case_id: str) -> None:
        try:
            raise ConnectionError("store unreachable")
        except ConnectionError:
            log.exception("projection pass failed", case_id=case_id)

    for second in range(120):  # a failure every half second for a minute
        clock.now = second / 2
        fail("C-1")
    fail("C-2")  # another case's failure is its own
    stdlib.info("no exception: never held back")
    stdlib.info("no exception: never held back")
    clock.now = 61
    fail("C-1")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["event"], e.get("case_id"), e.get("repeats_suppressed")) for e in lines] == [
        ("projection pass failed", "C-1", None), ("projection pass failed", "C-2", None),
        ("no exception: never held back", None, None), ("no exception: never held back", None, None),
        ("projection pass failed", "C-1", 119)]
    assert "ConnectionError: store unreachable" in lines[0]["exception"]


@pytest.mark.unit
def test_personal_fields_are_masked_at_any_depth_and_tracebacks_hold_no_locals():
    forget_personal()  # only the key-based layers here
    for fmt in ("console", "json"):
        stdlib, stream = structured_logger(fmt)
        log = structlog.wrap_logger(stdlib, processors=[structlog.stdlib.add_log_level,
                                                        structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
                                    wrapper_class=structlog.stdlib.BoundLogger)
        log.warning("odd request", case_id="C-1", summary=SECRET_SUMMARY,
                    detail={"record": {"behaviour_observed": SECRET_RECORD}, "steps": [{"notes": SECRET_RECORD}]})
        stdlib.warning("from a library: %s", {"summary": SECRET_SUMMARY})
        try:
            ConcernBody.model_validate({**concern("2027-01-12T09:30:00+00:00"), "summary": 7, "note": SECRET_SUMMARY})
        except ValidationError:
            stdlib.exception("invalid")  # pydantic quotes the input it was given
        try:
            secret_local = SECRET_RECORD  # noqa: F841 (rich showed every frame's locals)
            raise KeyError("behaviour_observed")
        except KeyError:
            stdlib.exception("lookup failed")
        text = stream.getvalue()
        assert "case_id" in text and "C-1" in text and "KeyError: 'behaviour_observed'" in text
        assert "odd request" in text and "from a library" in text and "ValidationError" in text
        assert SECRET_SUMMARY not in text and SECRET_RECORD not in text and "Mrs Example" not in text, text
