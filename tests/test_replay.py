"""Workflow code changes must not break running cases: recorded histories replay on today's code.

A failure here means a change to workflows/ would make live cases fail on their next task.
Guard such a change with `workflow.patched(...)` rather than re-recording the histories."""

import asyncio
import time
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from domain.pathway import current_pathway
from tests.conftest import concern
from tests.histories.record_histories import WORKFLOW_REVISION
from tests.stories import missed_and_escalated
from bootstrap import WORKFLOWS
from workflows.concern import ALERTS_AT_OPEN, ALERTS_FROM_START
from encryption.payload_codec import data_converter

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def replayer(converter: DataConverter = pydantic_data_converter) -> Replayer:
    return Replayer(workflows=WORKFLOWS, data_converter=converter)


@pytest.mark.unit
@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path, records):
    """Histories recorded before Temporal's payloads were encrypted replay through the codec too."""
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())
    result = await replayer(data_converter(records.keys)).replay_workflow(history)
    assert result.replay_failure is None


@pytest.mark.unit
def test_histories_cover_the_main_shapes_of_every_pathway_version():
    shapes = {"full_pathway", "missed_and_escalated", "continued_as_new"}
    versions = {p.stem.split("@")[1] for p in HISTORIES}
    assert {v.split("+")[0] for v in versions} >= {"2026.11.1", current_pathway().version}
    assert f"{current_pathway().version}+{WORKFLOW_REVISION}" in versions
    for v in versions:
        assert {p.stem.split("@")[0] for p in HISTORIES if p.stem.endswith("@" + v)} - {
            "alerted", "amended", "corrected_closed"} == shapes
    # a case that alerts (issue 20): told, up the ladder, a deadline approaching, from 2026.12.2
    assert any(p.stem.startswith("alerted@2026.12.2") for p in HISTORIES)
    # records corrected and decisions reviewed (issue 22), from 2026.12.3
    assert any(p.stem.startswith("amended@2026.12.3") for p in HISTORIES)
    # a closed case's correction in a run of its own, its closure reviewed (issue 22), from 2026.12.3
    assert any(p.stem.startswith("corrected_closed@2026.12.3") for p in HISTORIES)


async def test_a_fresh_history_replays(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await missed_and_escalated(case)
    history = await case.handle.fetch_history()
    await replayer(driver.env.client.data_converter).replay_workflow(history)
    # alerting is marked in the run's first task, before any activity: never by a marker keyed by
    # the fact count, which a replay could ask for in an earlier task than it was recorded in
    patches = [(e.event_id, e.marker_recorded_event_attributes.SerializeToString())
               for e in history.events if e.marker_recorded_event_attributes.marker_name == "core_patch"]
    first_activity = next(e.event_id for e in history.events
                          if e.marker_recorded_event_attributes.marker_name == "core_local_activity"
                          or e.HasField("activity_task_scheduled_event_attributes"))
    for patch in (ALERTS_FROM_START, ALERTS_AT_OPEN):
        marked = [at for at, data in patches if patch.encode() in data]
        assert marked and marked[0] < first_activity, patch
    assert not [data for _, data in patches if b"alerts@" in data or b"alerts-asked-again@" in data]
    # a case just raised asked for the alert policy as it opened, not in a local activity of its own
    # (one that escalates with no channel set up asks again then)
    raised = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", case_id="RP-2"))
    deadline = time.monotonic() + 60  # a bound for a wait, not a speed target
    while time.monotonic() < deadline:  # until it rests: its service's history attached, its last task done
        events = (await raised.handle.fetch_history()).events
        if "ServiceHistoryAttached" in raised.types() and events[-1].HasField("workflow_task_completed_event_attributes"):
            break
        await asyncio.sleep(0.05)
    assert "ServiceHistoryAttached" in raised.types()
    local = [e.marker_recorded_event_attributes.SerializeToString() for e in events
             if e.marker_recorded_event_attributes.marker_name == "core_local_activity"]
    assert len(local) == 2 and not [m for m in local if b"alert_policy" in m]  # opened, history attached; no more


@pytest.mark.unit
async def test_replaying_a_decider_case_never_reads_the_holiday_package(monkeypatch):
    """Its deadlines count the holiday table its history holds, so a newer `holidays` package cannot move them."""
    import domain.deadlines as deadlines

    def withdrawn(*_):
        raise AssertionError("the holidays package was read while replaying")

    monkeypatch.setattr(deadlines, "_holiday_dates", withdrawn)
    decider = [p for p in HISTORIES if p.stem.endswith(f"+{WORKFLOW_REVISION}")]
    assert len(decider) >= 3
    for path in decider:
        history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())
        assert (await replayer().replay_workflow(history, raise_on_replay_failure=False)).replay_failure is None


# ---- the provider-concern process (004) -----------------------------------------------------

PROCESS_HISTORIES = sorted((Path(__file__).parent / "histories" / "provider_process").glob("*.json"))


@pytest.mark.unit
def test_process_histories_cover_its_main_shapes():
    assert {p.stem.split("@")[0] for p in PROCESS_HISTORIES} >= {"caution_to_continue", "suspended_and_escalated", "continued_as_new"}


@pytest.mark.unit
@pytest.mark.parametrize("path", PROCESS_HISTORIES, ids=[p.stem for p in PROCESS_HISTORIES])
async def test_recorded_process_history_replays(path, monkeypatch):
    """On today's code, and never reading the holidays package: its deadlines count the table in its history."""
    import domain.deadlines as deadlines

    def withdrawn(*_):
        raise AssertionError("the holidays package was read while replaying")

    monkeypatch.setattr(deadlines, "_holiday_dates", withdrawn)
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())
    result = await replayer().replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None

AUDIT_HISTORIES = sorted((Path(__file__).parent / "histories" / "audits").glob("*.json"))


@pytest.mark.unit
@pytest.mark.parametrize("path", AUDIT_HISTORIES, ids=[p.stem for p in AUDIT_HISTORIES])
async def test_recorded_audit_history_replays(path):
    """Governance audits recorded before actions were tracked (issue 12) and after: both replay."""
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())
    assert (await replayer().replay_workflow(history)).replay_failure is None


@pytest.mark.unit
def test_audit_histories_cover_before_and_after_tracked_actions():
    assert {p.stem for p in AUDIT_HISTORIES} >= {"weekly_audit_before_tracked_actions", "weekly_audit_tracked_actions"}
