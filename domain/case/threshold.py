"""How a case asks its threshold tool for a decision (001 example 1 step 3: "files the matrix in
the safeguarding decision folder"). The tool itself is `domain/threshold`; earlier concerns are
counted from the event store by whoever runs the request, so the decision is I/O's result and
travels into the decider as data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.case.rejection import Rejected
from domain.case.state import CaseState
from domain.policy import Step
from domain.threshold import PriorConcerns, ThresholdDecision, ThresholdProfile, assess, load_profile


class ThresholdRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    profile: str
    category: str
    facts: dict[str, Any]
    answered_by_record: dict[str, Any] = {}  # used for facts the category has and `facts` leaves out
    identified_at: datetime
    adult_id: str
    source_id: str | None  # None: the alleged source is not a service user
    service_id: str


def threshold_request(state: CaseState, step: Step, record: dict[str, Any]) -> ThresholdRequest | None:
    """The request a completion of `step` with `record` makes of the tool, if the step files a decision."""
    t = state.policy.pathway.threshold
    if t is None or step.id != t.assessed_at:
        return None
    c = state.concern
    return ThresholdRequest(
        case_id=state.case_id, profile=state.policy.threshold_profile, category=t.category_of(record),
        facts=t.facts_given(record), answered_by_record=t.facts_answered(record), identified_at=c.identified_at,
        adult_id=c.adult_at_risk.id, source_id=c.alleged_source.id, service_id=c.service.id,
    )


def merged_facts(profile: ThresholdProfile, request: ThresholdRequest) -> dict[str, Any]:
    cat = profile.category(request.category)
    vocabulary = set(cat.vocabulary) if cat else set()
    answered = {k: v for k, v in request.answered_by_record.items() if k in vocabulary}
    return {**answered, **request.facts}


def decide_threshold(request: ThresholdRequest, prior: PriorConcerns | None) -> ThresholdDecision:
    """The tool's decision on the request (ValueError names bad facts, categories or profiles)."""
    profile = load_profile(request.profile)
    return assess(profile, request.category, merged_facts(profile, request), prior)


def check_threshold_facts(state: CaseState, step: Step, record: dict[str, Any]) -> None:
    """For validators: the facts checked against today's tool, for fast feedback. Handlers do not
    repeat this (on replay the tool's data may have changed): the assessment checks again, and
    its decision is what the case records."""
    request = threshold_request(state, step, record)
    if request is None:
        return
    try:
        decide_threshold(request, None)
    except ValueError as e:
        raise Rejected(f"record for {step.id}: {e}") from None
