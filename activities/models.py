"""What the case workflow sends to and gets back from its activities."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from domain.case import CasePolicy, CaseState, ThresholdRequest
from domain.concern import ConcernBody, Recovery
from domain.deadlines import DeadlineRule, WorkingCalendar
from domain.facts import AnyFact

__all__ = ["CasePolicy", "ThresholdRequest"]  # the policy and the threshold request are the domain's own


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpenCase(Message):
    case_id: str
    concern: ConcernBody
    at: datetime  # when it is raised, on the case's clock
    last_year: int  # bank holidays are taken from the year of identification to this one
    seal: str | None = None  # the start's seal: the case is opened only if Safeguard sealed it
    alerts: bool = False  # also adopt the alert policy in force, recorded with the raise (alerts-at-open)


class RestartCheck(Message):
    """A case started with a state rather than raised: only Safeguard's recovery may (its seal)."""

    case_id: str
    concern: ConcernBody
    resume: CaseState
    recovery: Recovery | None = None
    seal: str | None = None
    correction: bool = False  # a closed case started again for a correction (issue 22)


class OpenedCase(Message):
    policy: str  # the case's policy, as its JSON (`domain.case.policy.policy_from_text`)
    facts: list[AnyFact]  # as stored
    alerts_asked: bool = False  # the alert policy was asked for (and adopted, if any) in these facts


class HolidayRequest(Message):
    calendar: WorkingCalendar
    first_year: int
    last_year: int


class FactBatch(Message):
    case_id: str
    first_seq: int
    facts: list[AnyFact]


class StoredBatch(Message):
    """The facts as the store holds them: what the workflow evolves its state by, and what a
    replay reuses (the workflow records this in its history), whatever the code decides today.
    `superseded`: the batch was not stored, as an earlier, lost attempt of the same workflow task
    had stored other facts at its positions; `facts` are those."""

    facts: list[AnyFact]
    superseded: bool = False


class ServiceHistoryRequest(Message):
    case_id: str
    service_id: str


# ---- used only by cases begun before the decider (workflows/legacy) ----------------------


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
