"""The facts of a provider-concern process (004; policy in `domain/provider_concerns.py`), stored as
they are under the process's own stream (`eventstore/events.py: process_stream`), fact n at
position n, like a case's. Classes of their own, so the case read models (live cases, deadlines,
governance) never mistake a process for a case. Ids only: the service, staff and people's ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import Field

from domain.deadlines import HolidayTable, WorkingCalendar
from domain.facts import Fact, WorkAlerted
from domain.provider_concerns import Basis, ProviderConcernProcess


class ProcessProposed(Fact):
    """Proposed, not opened: the service's Appendix A decision reached caution or suspension
    consideration (domain/commissioning.py). A commissioner opens it, or leaves it."""

    type: Literal["ProcessProposed"] = "ProcessProposed"
    process_id: str
    service_id: str
    appendix_a: str  # the decision level that proposed it
    criteria: tuple[str, ...]  # the Appendix A criteria matched
    # by when a commissioner opens or dismisses it, and who it escalates to if not (absent before 2026-12)
    due: datetime | None = None
    deadline: str | None = None
    escalate_to: str | None = None


class ProcessOpened(Fact):
    type: Literal["ProcessOpened"] = "ProcessOpened"
    process_id: str
    service_id: str
    basis: Basis
    actor: str
    role: str
    reason: str
    process: ProviderConcernProcess  # the policy in force, as data: the process decides on it to the end
    calendar: WorkingCalendar
    holidays: HolidayTable
    history: dict[str, Any] | None  # the service's commissioner record when opened (None: no concern recorded)
    request_id: str | None = None  # the sender's key, when given (casework/idempotency.py)


class ProcessStepOpened(Fact):
    type: Literal["ProcessStepOpened"] = "ProcessStepOpened"
    step: str
    role: str
    clock_from: datetime
    due: datetime | None
    deadline: str
    holiday_table: str | None
    reason: str


class ProcessStepRecorded(Fact):
    type: Literal["ProcessStepRecorded"] = "ProcessStepRecorded"
    step: str
    occurrence: int  # 1 for a tracked step; the nth for steps recorded any time
    role: str
    actor: str
    record: dict[str, Any]
    due: datetime | None = None
    on_time: bool | None = None
    request_id: str | None = None


class ProcessDeadlineMissed(Fact):
    """A tracked step, or an action of the plan (`item` "action:<id>"), past its due instant."""

    type: Literal["ProcessDeadlineMissed"] = "ProcessDeadlineMissed"
    item: str
    role: str
    due: datetime


class ProcessEscalated(Fact):
    type: Literal["ProcessEscalated"] = "ProcessEscalated"
    item: str
    from_role: str
    to_role: str
    reason: str


class ProcessDecided(Fact):
    """The commissioner's decision, with the evidence it was taken on: the record given, and the
    service's commissioner record read when deciding (the history item of 004 line 129)."""

    type: Literal["ProcessDecided"] = "ProcessDecided"
    outcome: str
    actor: str
    role: str
    record: dict[str, Any]
    evidence: tuple[str, ...]  # the evidence items the outcome required, each present
    history: dict[str, Any] | None
    request_id: str | None = None
    # what met each of the outcome's conditions (policy 2026.12.1 on): the cases, the enquiry, the timescale, the review
    conditions: dict[str, Any] | None = None


class ProcessClosed(Fact):
    """Decided with every step it set in motion recorded (`outcome`: the decision), or a proposal
    dismissed by a commissioner (`outcome` "dismissed", with who and why)."""

    type: Literal["ProcessClosed"] = "ProcessClosed"
    outcome: str
    reason: str
    actor: str | None = None
    role: str | None = None
    request_id: str | None = None


PROCESS_FACTS: tuple[type[Fact], ...] = (
    ProcessProposed, ProcessOpened, ProcessStepOpened, ProcessStepRecorded, ProcessDeadlineMissed, ProcessEscalated,
    ProcessDecided, ProcessClosed,
)
PROCESS_OPENERS = (ProcessProposed, ProcessOpened)  # what fact 1 of a process stream may be
# an escalation told (issue 20): in a process's stream, read by no projection of processes
AnyProcessFact = Annotated[Union[(*PROCESS_FACTS, WorkAlerted)], Field(discriminator="type")]
