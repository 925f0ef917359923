"""The case workflow's I/O. Each result lands in workflow history, so a replay reuses it rather
than reading newer data: the policy and holiday table in force, the facts as stored, the
threshold tool's decision with the earlier concerns it counted, the service's history.

On a member of staff's path (raising, completing a step) these run as local activities, in the
worker's process: reading settings, appending to the store and counting earlier concerns from
a few keyed documents are short, idempotent and need no separate task round trip.
"""

from __future__ import annotations

from typing import Any

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.appending import appended
from activities.models import (
    CasePolicy,
    FactBatch,
    HolidayRequest,
    OpenCase,
    OpenedCase,
    RestartCheck,
    ServiceHistoryRequest,
    StoredBatch,
    ThresholdRequest,
)
from alerts.senders import Senders
from configuration.settings import Settings
from encryption.seal import REFUSED, Keys, restart_seal_holds, sealing_keys, start_seal_holds
from domain.case import decide_alerts_adopted, decide_clock, decide_raise, decide_threshold, new_case, replay
from domain.case.policy import policy_from_text
from domain.deadlines import HolidayTable
from domain.pathway import current_pathway
from domain.threshold import ThresholdDecision, load_profile
from eventstore.application import SafeguardingRecords
from projections import commissioner
from projections.commissioner import CommissionerRecords
from projections.concern_index import ConcernIndex, prior_concerns
from projections.feed import ProjectionFeed
from projections.registry import open_feed

log = structlog.get_logger("safeguard.activities")


class CaseActivities:
    def __init__(self, records: SafeguardingRecords, settings: Settings, feed: ProjectionFeed | None = None,
                 seal_key: Keys | None = None) -> None:
        self.records = records
        self.settings = settings
        self.seal_key = seal_key if seal_key is not None else sealing_keys(settings)  # to check a case's start
        self.feed = feed or open_feed(records)  # the worker's: its thread and these activities fold each event once
        self.senders = Senders.from_settings(settings)  # which alert policy a new case adopts as it opens

    @activity.defn(name="open_case")
    def open_case(self, request: OpenCase) -> OpenedCase:
        """The policy in force for a new case at its service (with its bank holidays), and the raise
        the decider decides under it, recorded: one step for the workflow, as the policy is I/O.
        A retry finds the raise already recorded and returns it."""
        if not start_seal_holds(self.seal_key, request.case_id, request.concern, request.seal):
            log.warning("case start refused: not sealed by Safeguard", case_id=request.case_id,
                        claimed_actor=request.concern.raised_by.actor if request.concern.raised_by else None)
            raise ApplicationError(REFUSED, "not_permitted", type="Rejected", non_retryable=True)
        calendar, c = self.settings.calendar, request.concern
        policy = policy_from_text(CasePolicy(
            pathway=self.settings.pathway(), calendar=calendar, threshold_profile=self.settings.threshold_profile_for(c.service.id),
            holidays=calendar.holidays_for(c.identified_at.year, request.last_year),
            inputs=self.settings.input_rules()).as_text())
        raised = decide_raise(request.case_id, c, policy, request.at)
        # raised late: a deadline already passed is missed and escalated as the concern is recorded
        raised += decide_clock(replay(new_case(request.case_id, c, policy), raised), request.at)
        if request.alerts and (alerts := self.senders.policy()) is not None:  # one append, not three tasks' work
            raised += decide_alerts_adopted(replay(new_case(request.case_id, c, policy), raised), alerts, request.at)
        return OpenedCase(policy=policy.as_text(), facts=self.append_facts(FactBatch(case_id=request.case_id, first_seq=1,
                                                                                     facts=raised)).facts,
                          alerts_asked=request.alerts)

    @activity.defn(name="check_restart")
    def check_restart(self, request: RestartCheck) -> None:
        """A case started with a state (a recovery, or a closed case's correction) goes on only if
        Safeguard sealed that start."""
        body = {"concern": request.concern, "resume": request.resume, "recovery": request.recovery,
                **({"correction": True} if request.correction else {})}
        if not restart_seal_holds(self.seal_key, request.case_id, body, request.seal):
            log.warning("case restart refused: not sealed by Safeguard", case_id=request.case_id,
                        claimed_actor=request.recovery.actor if request.recovery else None)
            raise ApplicationError(REFUSED, "not_permitted", type="Rejected", non_retryable=True)

    @activity.defn(name="holiday_table")
    def holiday_table(self, request: HolidayRequest) -> HolidayTable:
        """More years of the case's own calendar's bank holidays (a case running into a new year)."""
        return request.calendar.holidays_for(request.first_year, request.last_year)

    @activity.defn(name="append_facts")
    def append_facts(self, batch: FactBatch) -> StoredBatch:
        """Append the facts at their positions (activities/appending.py)."""
        facts, superseded = appended(lambda: self.records.record(batch.case_id, batch.first_seq, batch.facts),
                                     batch.first_seq, case_id=batch.case_id)
        return StoredBatch(facts=facts, superseded=superseded)

    @activity.defn(name="assess_case_threshold")
    def assess_case_threshold(self, request: ThresholdRequest) -> ThresholdDecision:
        """The service's threshold tool applied to the facts, with earlier concerns counted from the store."""
        try:
            lookback = load_profile(request.profile).low_level.lookback_days
            self.feed.catch_up(only=ConcernIndex.name)  # every concern raised so far: a few events behind at most
            prior = prior_concerns(self.feed.documents, request.case_id, request.adult_id, request.source_id,
                                   request.service_id, request.identified_at, lookback)
            decision = decide_threshold(request, prior)
        except ValueError as e:  # unknown profile, category or fact; wrong type
            raise ApplicationError(str(e), type="ThresholdFactsError", non_retryable=True) from e
        log.info("threshold decision", case_id=request.case_id, step=current_pathway().threshold.assessed_at,
                 threshold_level=decision.level, profile=decision.profile, profile_version=decision.profile_version)
        return decision

    @activity.defn(name="service_history")
    def service_history(self, request: ServiceHistoryRequest) -> dict[str, Any] | None:
        """The service's commissioner record of earlier concerns, as at the end of the log."""
        self.feed.catch_up(only=CommissionerRecords.name)
        return commissioner.service_history(self.feed.documents, request.service_id, exclude_case=request.case_id)
