"""The governance audits' Temporal Schedules: `ensure_schedules` creates, or brings up to date,
one Schedule per audit in `domain/governance.py`. The worker (and `safeguard dev`) calls it at
start, so the schedules follow the data and creating them again changes nothing."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from configuration.settings import Settings
from domain.governance import AUDITS, AuditDefinition, AuditRequest
from workflows.audit import GovernanceAuditWorkflow

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def schedule_spec(definition: AuditDefinition) -> ScheduleSpec:
    s = definition.schedule
    hour, minute = [ScheduleRange(s.at.hour)], [ScheduleRange(s.at.minute)]
    if s.every == "week":
        # Temporal counts weekdays from Sunday = 0; the data counts from Monday = 0
        cal = ScheduleCalendarSpec(hour=hour, minute=minute, day_of_week=[ScheduleRange((s.day_of_week + 1) % 7)], comment=s.note)
        return ScheduleSpec(calendars=[cal], time_zone_name=s.time_zone)
    if s.every == "month":
        cal = ScheduleCalendarSpec(hour=hour, minute=minute, day_of_month=[ScheduleRange(s.day_of_month)], comment=s.note)
        return ScheduleSpec(calendars=[cal], time_zone_name=s.time_zone)
    # every 14 days: interval specs count from the Unix epoch in absolute time (no time zone)
    every = timedelta(days=14)
    first = datetime.combine(s.anchor, s.at, tzinfo=timezone.utc)
    return ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every, offset=(first - _EPOCH) % every)])


def audit_schedule(definition: AuditDefinition, task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            GovernanceAuditWorkflow.run,
            AuditRequest(kind=definition.kind, requested_by=f"schedule {definition.schedule.schedule_id}"),
            id=definition.schedule.schedule_id,  # Temporal appends each run's scheduled time
            task_queue=task_queue,
        ),
        spec=schedule_spec(definition),
        # one run at a time; after an outage, run what was missed in the last three days
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=3)),
    )


async def ensure_schedules(client: Client, settings: Settings) -> list[str]:
    """Create each audit's schedule, or update it to match the data (keeping it paused if someone paused it)."""
    ids = []
    for definition in AUDITS.values():
        schedule = audit_schedule(definition, settings.task_queue)
        schedule_id = definition.schedule.schedule_id
        try:
            await client.create_schedule(schedule_id, schedule)
        except ScheduleAlreadyRunningError:
            def keep_state(current: ScheduleUpdateInput, wanted: Schedule = schedule) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=dataclasses.replace(wanted, state=current.description.schedule.state))

            await client.get_schedule_handle(schedule_id).update(keep_state)
        ids.append(schedule_id)
    return ids
