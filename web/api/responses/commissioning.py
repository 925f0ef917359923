"""What commissioners read: the records of provider services, a service's history; and the threshold tools."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from web.api.responses.base import Answer, Count


class ServiceReview(Answer):
    rule: str
    title: str
    seed: str
    raised_at: str
    case_id: str
    cases: list[str]
    action: str | None = Field(default=None, description="the governance action that tracks the review to its outcome: "
                                    "complete it with POST /governance/actions/{action}/completion")


class AppendixADecision(Answer):
    level: str
    reason: str
    seed: str
    matched: list[dict[str, Any]]
    not_matched: list[str]
    not_evidenced: list[dict[str, Any]]
    caution: dict[str, Any] | None = Field(default=None, description="the caution column: matched (each with the figures that matched it), set aside, not matched, not evidenced")
    suspension: dict[str, Any] | None = Field(default=None, description="the suspension column, likewise")
    set_aside_because: str | None = None


class ServiceFigures(Answer):
    """A provider service, named, and its concerns so far."""

    service_id: str
    service_name: str
    provider: str
    company: str | None
    client_group: str
    concerns: int
    open_concerns: int


class CommissionerRecord(ServiceFigures):
    first_concern_at: str | None
    last_concern_at: str | None
    concern_types: Count
    mutual_harm_concerns: int
    threshold_categories: Count
    service_users_referred: int
    service_users_reviewed: int
    concerns_reviewed: int
    meetings: dict[str, Any]
    actions_taken: dict[str, Any]
    outcomes: Count = Field(description="substantiated, unsubstantiated, undetermined")
    service_reviews: list[ServiceReview]
    decision: AppendixADecision
    figures: dict[str, Any]
    process: dict[str, Any] | None = Field(description="the service's provider-concern process, if one was proposed or opened")


class EarlierConcern(Answer):
    case_id: str
    raised_at: str
    abuse_category: str | None
    threshold_level: str | None
    status: str
    outcome: str | None
    closed_at: str | None


class ServiceHistory(ServiceFigures):
    outcomes: Count
    earlier_concerns: list[EarlierConcern]
    service_reviews: list[ServiceReview]
    decision: str


class ThresholdProfileView(Answer):
    name: str
    version: str
    title: str
    seed: str
    document: str
    columns: dict[str, str]
    common_facts: list[str]
    categories: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    low_level: dict[str, Any]
    judgement: str
    digest: str = Field(description="the profile's digest: a decision records the one it was made under")
