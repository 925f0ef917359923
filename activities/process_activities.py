"""The provider-concern process workflow's I/O (004): the policy in force with its bank holidays,
the service's commissioner record, the append to the event store. Each result lands in workflow
history, so a replay reuses it. They run as local activities: short, idempotent, in the worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.exceptions import ApplicationError

from configuration.settings import Settings
from domain.deadlines import HolidayTable, WorkingCalendar
from domain.process_facts import AnyProcessFact
from domain.provider_concerns import ProviderConcernProcess, provider_concern_process
from eventstore.application import OutOfSequence, SafeguardingRecords, Superseded
from projections import commissioner
from projections.commissioner import CommissionerRecords
from projections.feed import ProjectionFeed

log = structlog.get_logger("safeguard.activities")
HOLIDAY_YEARS = 3  # a process takes the bank holidays of the year it opens and the two after


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ContextRequest(Message):
    service_id: str
    at: datetime  # on the process's clock


class ProcessContext(Message):
    """The policy in force, and the service's commissioner record, when opening or deciding."""

    process: ProviderConcernProcess
    calendar: WorkingCalendar
    holidays: HolidayTable
    history: dict[str, Any] | None


class ProcessBatch(Message):
    process_id: str
    first_seq: int
    facts: list[AnyProcessFact]


class StoredProcessBatch(Message):
    facts: list[AnyProcessFact]
    superseded: bool = False  # see activities/models.py StoredBatch


class ProcessActivities:
    def __init__(self, records: SafeguardingRecords, settings: Settings, feed: ProjectionFeed) -> None:
        self.records, self.settings, self.feed = records, settings, feed

    @activity.defn(name="provider_process_context")
    def context(self, request: ContextRequest) -> ProcessContext:
        calendar = self.settings.calendar
        self.feed.catch_up(only=CommissionerRecords.name)  # every concern recorded so far
        return ProcessContext(
            process=provider_concern_process(self.settings.provider_written_notice_working_days), calendar=calendar,
            holidays=calendar.holidays_for(request.at.year, request.at.year + HOLIDAY_YEARS - 1),
            history=commissioner.service_history(self.feed.documents, request.service_id))

    @activity.defn(name="append_process_facts")
    def append(self, batch: ProcessBatch) -> StoredProcessBatch:
        """Append at their positions, all or nothing; a retry of a batch already stored stores nothing."""
        try:
            stored = self.records.record_process(batch.process_id, batch.first_seq, batch.facts)
        except Superseded as e:
            log.warning("batch superseded by a lost attempt's", process_id=batch.process_id, seq=batch.first_seq)
            return StoredProcessBatch(facts=[r.fact for r in e.stored], superseded=True)
        except OutOfSequence as e:
            raise ApplicationError(str(e), type="OutOfSequence", non_retryable=True) from e
        for r in stored:
            log.info("fact recorded", process_id=batch.process_id, seq=r.seq, fact=r.type, step=getattr(r.fact, "step", None))
        return StoredProcessBatch(facts=[r.fact for r in stored])
