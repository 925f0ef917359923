"""The workflow's I/O: reading the policy in force, computing deadlines against the holiday
table, and appending facts to the event store. Results land in workflow history, so a
replay reuses them rather than recomputing against newer data."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.models import (
    CasePolicy,
    ComputedDeadline,
    DeadlineRequests,
    FactBatch,
    ServiceHistoryRequest,
    ThresholdRequest,
)
from configuration.settings import Settings
from domain.pathway import current_pathway
from domain.threshold import PriorConcerns, assess, load_profile
from eventstore.application import OutOfSequence, SafeguardingRecords
from projections import commissioner
from projections.commissioner import CommissionerRecords
from projections.feed import ProjectionFeed
from projections.registry import open_documents
from projections.concern_index import prior_concerns

log = structlog.get_logger("safeguard.activities")


class CaseActivities:
    def __init__(self, records: SafeguardingRecords, settings: Settings) -> None:
        self.records = records
        self.settings = settings
        self._feed: ProjectionFeed | None = None

    def _documents(self):
        return self._commissioner_feed().documents

    def _commissioner_feed(self) -> ProjectionFeed:
        if self._feed is None:  # opened once: it creates its table on first use
            self._feed = ProjectionFeed(self.records, open_documents(self.records), [CommissionerRecords()])
        return self._feed

    @activity.defn(name="load_case_policy")
    def load_case_policy(self, service_id: str | None = None) -> CasePolicy:
        return CasePolicy(
            pathway=current_pathway(),
            calendar=self.settings.calendar,
            threshold_profile=self.settings.threshold_profile_for(service_id),
        )

    @activity.defn(name="service_history")
    def service_history(self, request: ServiceHistoryRequest) -> dict[str, Any] | None:
        """The service's commissioner record of earlier concerns, from the read model brought up to date."""
        feed = self._commissioner_feed()
        feed.catch_up()
        return commissioner.service_history(feed.documents, request.service_id, exclude_case=request.case_id)

    @activity.defn(name="assess_threshold")
    def assess_threshold(self, request: ThresholdRequest) -> dict[str, Any]:
        """The service's threshold tool applied to the facts, with earlier concerns counted from the store."""
        try:
            profile = load_profile(request.profile)
            prior = prior_concerns(self.records, self._documents(), request.case_id, request.adult_id, request.source_id,
                                   request.service_id, request.identified_at, profile.low_level.lookback_days)
            decision = assess(profile, request.category, merged_facts(profile, request), prior)
        except ValueError as e:  # unknown profile, category or fact; wrong type
            raise ApplicationError(str(e), type="ThresholdFactsError", non_retryable=True) from e
        log.info("threshold decision", case_id=request.case_id, step="seriousness_assessment",
                 threshold_level=decision.level, profile=decision.profile, profile_version=decision.profile_version)
        return decision.model_dump(mode="json")

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
            version = self.records.record(batch.case_id, batch.first_seq, batch.facts)[-1].seq
        except OutOfSequence as e:
            raise ApplicationError(str(e), type="OutOfSequence", non_retryable=True) from e
        for seq, fact in enumerate(batch.facts, start=batch.first_seq):
            log.info("fact recorded", case_id=batch.case_id, seq=seq, fact=fact.type, step=getattr(fact, "step", None))
        return version


def merged_facts(profile: Any, request: ThresholdRequest) -> dict[str, Any]:
    cat = profile.category(request.category)
    vocabulary = set(cat.vocabulary) if cat else set()
    answered = {k: v for k, v in request.answered_by_record.items() if k in vocabulary}
    return {**answered, **request.facts}


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
