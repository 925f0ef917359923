"""Governance audits (001 step 5 of each example) as Temporal Schedules.

`GovernanceAuditWorkflow` decides which period an audit covers and hands the counting and
recording to an activity. `ensure_schedules` creates, or brings up to date, one Schedule per
audit in `domain/governance.py`; the worker calls it at start, so the schedules follow the
data and creating them again changes nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
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

    from activities.audit_activities import AuditActivities
    from configuration.settings import Settings
    from domain.governance import AUDITS, AuditDefinition, AuditRecord, AuditRequest, local_date

# set by Temporal on a workflow a schedule starts: the nominal time of that run, so a run
# that starts late (worker down, catch-up) still audits the period it was scheduled for
SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
ACTIVITY = dict(start_to_close_timeout=timedelta(minutes=10), retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)))


@workflow.defn(name="GovernanceAuditWorkflow")
class GovernanceAuditWorkflow:
    @workflow.run
    async def run(self, request: AuditRequest) -> AuditRecord:
        requested_at = self._nominal_start()
        as_of = request.as_of or local_date(requested_at)
        return await workflow.execute_activity_method(
            AuditActivities.run_governance_audit,
            request.model_copy(update={"as_of": as_of, "requested_at": requested_at}), **ACTIVITY
        )

    def _nominal_start(self) -> datetime:
        return workflow.info().typed_search_attributes.get(SCHEDULED_START) or workflow.now()


# --- the schedules -------------------------------------------------------------------------

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
