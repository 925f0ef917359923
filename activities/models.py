"""What the workflow sends to and gets back from its activities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.deadlines import DeadlineRule, WorkingCalendar
from domain.facts import AnyFact
from domain.policy import Pathway


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CasePolicy(Message):
    """The policy a case runs under, fixed when it is raised and carried in its history."""

    pathway: Pathway
    calendar: WorkingCalendar
    threshold_profile: str


class DeadlineRequest(Message):
    step: str
    occurrence: int
    rule: DeadlineRule
    clock_from: datetime


class DeadlineRequests(Message):
    case_id: str
    calendar: WorkingCalendar
    requests: list[DeadlineRequest]


class ComputedDeadline(Message):
    step: str
    occurrence: int
    due: datetime
    deadline: str
    holiday_table: str


class ThresholdRequest(Message):
    case_id: str
    profile: str
    category: str
    facts: dict[str, Any]
    answered_by_record: dict[str, Any] = {}  # used for facts the category has and `facts` leaves out
    identified_at: datetime
    adult_id: str
    source_id: str
    service_id: str


class ServiceHistoryRequest(Message):
    case_id: str
    service_id: str


class FactBatch(Message):
    case_id: str
    first_seq: int
    facts: list[AnyFact]
