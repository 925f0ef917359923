"""The governance audits' Temporal Schedules, on the real local dev server (the time-skipping
test server has no Schedules): created once whatever the number of starts, brought back in
line with the data, and a triggered run records its audit in the event store."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest_asyncio
from temporalio.client import ScheduleActionStartWorkflow, ScheduleRange
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.audit_activities import AuditActivities
from configuration.binaries import temporal_cli
from configuration.settings import Settings
from domain.governance import AuditRecord, local_date
from eventstore.audit import stored_audit
from bootstrap import open_records
from bootstrap import ensure_schedules
from workflows.audit import GovernanceAuditWorkflow

IDS = ["governance-weekly-recognition-audit", "governance-fortnightly-protection-audit", "governance-monthly-learning-review"]


@pytest_asyncio.fixture(loop_scope="session")
async def local(tmp_path):
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli(), data_converter=pydantic_data_converter)
    settings = Settings(data_dir=tmp_path, task_queue=f"audits-{uuid.uuid4().hex[:6]}")
    records = open_records(settings)
    acts = AuditActivities(records, settings)
    async with Worker(env.client, task_queue=settings.task_queue, workflows=[GovernanceAuditWorkflow],
                      activities=[acts.run_governance_audit], activity_executor=ThreadPoolExecutor(2)):
        yield env.client, settings, records
    await env.shutdown()


async def test_schedules_are_created_once_kept_in_line_and_a_triggered_run_records_the_audit(local):
    client, settings, records = local
    assert await ensure_schedules(client, settings) == IDS
    assert await ensure_schedules(client, settings) == IDS  # a second start: no error, nothing new
    listed = set()
    for _ in range(50):  # the schedule list is eventually consistent
        listed = {s.id async for s in await client.list_schedules()}
        if set(IDS) <= listed:
            break
        await asyncio.sleep(0.1)
    assert listed == set(IDS)

    weekly, fortnightly, monthly = [(await client.get_schedule_handle(i).describe()).schedule for i in IDS]
    (cal,) = weekly.spec.calendars
    assert (list(cal.day_of_week), list(cal.hour), list(cal.minute), weekly.spec.time_zone_name) == (
        [ScheduleRange(1)], [ScheduleRange(7)], [ScheduleRange(0)], "Europe/London")  # Monday 07:00
    (cal,) = monthly.spec.calendars
    assert (list(cal.day_of_month), list(cal.hour), monthly.spec.time_zone_name) == ([ScheduleRange(1)], [ScheduleRange(7)], "Europe/London")
    (interval,) = fortnightly.spec.intervals
    assert interval.every == timedelta(days=14) and interval.offset == timedelta(days=4, hours=7)  # Mondays, 07:00 UTC
    action = weekly.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert (action.workflow, action.task_queue) == ("GovernanceAuditWorkflow", settings.task_queue)

    # a changed setting is applied to the existing schedule; a pause someone set is kept
    handle = client.get_schedule_handle(IDS[0])
    await handle.pause(note="paused by governance")
    moved = settings.model_copy(update={"task_queue": "elsewhere"})
    await ensure_schedules(client, moved)
    described = await handle.describe()
    assert described.schedule.action.task_queue == "elsewhere" and described.schedule.state.paused
    await ensure_schedules(client, settings)
    await handle.unpause()

    await handle.trigger()
    for _ in range(100):
        recent = (await handle.describe()).info.recent_actions
        if recent:
            break
        await asyncio.sleep(0.1)
    started = recent[0].action
    record = await client.get_workflow_handle(started.workflow_id, result_type=AuditRecord).result()
    assert record.kind == "weekly" and record.requested_by == f"schedule {IDS[0]}"
    assert record.as_of == local_date(recent[0].scheduled_at)  # the run's nominal time decides its period
    assert stored_audit(records, "weekly", record.as_of) == record
