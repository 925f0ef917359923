"""Activities that only cases begun before the decider call (`workflows/legacy/`): their
histories schedule these by name, so they stay registered until no such case is running.
Each is the old contract over today's code."""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.case_activities import CaseActivities
from activities.models import CasePolicy, ComputedDeadline, DeadlineRequests, FactBatch, ThresholdRequest
from domain.pathway import current_pathway
from eventstore.application import OutOfSequence


class LegacyCaseActivities:
    def __init__(self, acts: CaseActivities) -> None:
        self.acts = acts

    @activity.defn(name="load_case_policy")
    def load_case_policy(self, service_id: str | None = None) -> CasePolicy:
        settings = self.acts.settings
        return CasePolicy(pathway=current_pathway(), calendar=settings.calendar,
                          threshold_profile=settings.threshold_profile_for(service_id))

    @activity.defn(name="compute_deadlines")
    def compute_deadlines(self, batch: DeadlineRequests) -> list[ComputedDeadline]:
        calendar = batch.calendar
        return [ComputedDeadline(step=r.step, occurrence=r.occurrence, due=r.rule.due(r.clock_from, calendar),
                                 deadline=r.rule.describe(), holiday_table=calendar.holiday_table())
                for r in batch.requests]

    @activity.defn(name="record_facts")
    def record_facts(self, batch: FactBatch) -> int:
        try:
            return self.acts.records.record(batch.case_id, batch.first_seq, batch.facts)[-1].seq
        except OutOfSequence as e:
            raise ApplicationError(str(e), type="OutOfSequence", non_retryable=True) from e

    @activity.defn(name="assess_threshold")
    def assess_threshold(self, request: ThresholdRequest) -> dict[str, Any]:
        return self.acts.assess_case_threshold(request).model_dump(mode="json")
