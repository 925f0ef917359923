"""A case run on the decider alone: no Temporal, no store. It keeps the clock the way the
workflow does (waking at each instant `next_wakeup` names) so tests read like a story."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from domain.case import (
    CasePolicy,
    CaseState,
    decide_acknowledgement,
    decide_clock,
    decide_completion,
    decide_development,
    decide_raise,
    decide_threshold,
    new_case,
    next_wakeup,
    replay,
    threshold_request,
)
from domain.case import ThresholdRequest
from domain.concern import Acknowledgement, ConcernBody, Development, StepCompletion
from domain.deadlines import WorkingCalendar
from domain.facts import Fact
from domain.pathway import current_pathway
from domain.threshold import PriorConcerns
from tests.cases import RECORDS, ROLES, at


def policy_for(identified_at: datetime, calendar: WorkingCalendar | None = None, profile: str = "sussex") -> CasePolicy:
    policy = CasePolicy(pathway=current_pathway(), calendar=calendar or WorkingCalendar(), threshold_profile=profile)
    return policy.with_holidays(policy.calendar.holidays_for(*policy.holiday_years_needed(identified_at)))


class PureCase:
    def __init__(self, body: dict[str, Any], policy: CasePolicy | None = None,
                 prior: Callable[[ThresholdRequest], PriorConcerns | None] = lambda _: None) -> None:
        concern = ConcernBody.model_validate(body)
        self.now = concern.identified_at
        self.policy = policy or policy_for(self.now)
        self.prior = prior  # the earlier concerns a threshold request finds (the workflow counts them in the store)
        self.facts: list[Fact] = []
        self.state: CaseState = new_case(concern.case_id, concern, self.policy)
        self._record(decide_raise(concern.case_id, concern, self.policy, self.now))

    def _record(self, facts: list[Fact]) -> list[Fact]:
        self.facts += facts
        self.state = replay(self.state, facts)
        return facts

    def at(self, instant: str | datetime) -> "PureCase":
        until = at(instant) if isinstance(instant, str) else instant
        while (wake := next_wakeup(self.state)) is not None and wake <= until:
            self.now = max(self.now, wake)
            self._record(decide_clock(self.state, self.now))
        self.now = max(self.now, until)
        return self

    def complete(self, step: str, *, role: str | None = None, actor: str = "STAFF-1", occurrence: int | None = None,
                 **changes: Any) -> list[Fact]:
        c = StepCompletion(step=step, role=role or ROLES[step], actor=actor, record={**RECORDS[step], **changes},
                           occurrence=occurrence)
        return self.send(c)

    def send(self, c: StepCompletion) -> list[Fact]:
        from domain.case import check_completion

        _, step, record = check_completion(self.state, c)
        request = threshold_request(self.state, step, record)
        decision = decide_threshold(request, self.prior(request)) if request else None
        return self._record(decide_completion(self.state, c, self.now, decision))

    def development(self, kind: str = "agency_contact", summary: str = "LA hub called back") -> list[Fact]:
        return self._record(decide_development(self.state, Development(kind=kind, summary=summary), self.now))

    def acknowledge(self, escalation_id: str, role: str, actor: str = "STAFF-2", note: str | None = None) -> list[Fact]:
        a = Acknowledgement(escalation_id=escalation_id, role=role, actor=actor, note=note)
        return self._record(decide_acknowledgement(self.state, a, self.now))

    def types(self) -> list[str]:
        return [f.type for f in self.facts]


class StoryCase:
    """A PureCase that the stories of tests/stories.py can tell (they await each step)."""

    def __init__(self, case: PureCase) -> None:
        self.case = case

    async def at(self, instant: str) -> "StoryCase":
        self.case.at(instant)
        return self

    async def complete(self, step: str, **kw: Any) -> list[Fact]:
        return self.case.complete(step, **kw)

    async def development(self, kind: str = "agency_contact", summary: str = "LA hub called back") -> list[Fact]:
        return self.case.development(kind, summary)
