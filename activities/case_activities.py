"""The workflow's I/O: reading the policy in force, computing deadlines against the holiday
table, and appending facts to the event store. Results land in workflow history, so a
replay reuses them rather than recomputing against newer data."""

from __future__ import annotations

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.models import CasePolicy, ComputedDeadline, DeadlineRequests, FactBatch
from configuration.settings import Settings
from domain.pathway import current_pathway
from eventstore.application import OutOfSequence, SafeguardingRecords

log = structlog.get_logger("safeguard.activities")


class CaseActivities:
    def __init__(self, records: SafeguardingRecords, settings: Settings) -> None:
        self.records = records
        self.settings = settings

    @activity.defn(name="load_case_policy")
    def load_case_policy(self) -> CasePolicy:
        return CasePolicy(
            pathway=current_pathway(),
            calendar=self.settings.calendar,
            threshold_profile=self.settings.threshold_profile,
        )

    @activity.defn(name="compute_deadlines")
    def compute_deadlines(self, batch: DeadlineRequests) -> list[ComputedDeadline]:
        calendar = batch.calendar
        out = []
        for r in batch.requests:
            due = r.rule.due(r.clock_from, calendar)
            out.append(ComputedDeadline(
                step=r.step, occurrence=r.occurrence, due=due,
                deadline=r.rule.describe(), holiday_table=calendar.holiday_table(),
            ))
            log.info("deadline computed", case_id=batch.case_id, step=r.step, occurrence=r.occurrence, due=due.isoformat())
        return out

    @activity.defn(name="record_facts")
    def record_facts(self, batch: FactBatch) -> int:
        try:
            version = self.records.record(batch.case_id, batch.first_seq, batch.facts)
        except OutOfSequence as e:
            raise ApplicationError(str(e), type="OutOfSequence", non_retryable=True) from e
        for seq, fact in enumerate(batch.facts, start=batch.first_seq):
            log.info("fact recorded", case_id=batch.case_id, seq=seq, fact=fact.type, step=getattr(fact, "step", None))
        return version
