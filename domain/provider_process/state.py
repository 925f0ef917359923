"""A provider-concern process's state, and `evolve`: how each fact changes it. It changes only by
facts, so `replay` of the process's stored facts from `new_process` gives it back exactly."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict

from domain.deadlines import HolidayTable, WorkingCalendar
from domain.facts import Fact, WorkAlerted
from domain.process_facts import (
    ProcessClosed,
    ProcessDeadlineMissed,
    ProcessDecided,
    ProcessEscalated,
    ProcessOpened,
    ProcessProposed,
    ProcessStepOpened,
    ProcessStepRecorded,
)
from domain.provider_concerns import ACTION_ID, ACTIONS_UNDERTAKEN, UNDERTAKEN, ProviderConcernProcess

ACTION = "action:"  # an action of the plan, as a tracked item: "action:<id>"
PROPOSAL_ITEM = "open_or_dismiss"  # a proposal, tracked to its opening or dismissal (provider_concerns.PROPOSAL_DEADLINE)


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlannedAction(Model):
    """One action of the plan agreed at the meeting (004 line 136), tracked to its due date."""

    id: str
    action: str
    owner: str  # an id
    due: datetime


class TrackedAction(PlannedAction):
    undertaken: bool | None = None  # None: not yet reported
    missed: bool = False


class OpenItem(Model):
    step: str
    role: str
    opened_at: datetime
    due: datetime | None
    deadline: str
    missed: bool = False
    escalated_to: tuple[str, ...] = ()

    @property
    def can_record(self) -> tuple[str, ...]:
        return (self.role, *self.escalated_to)


class Done(Model):
    at: datetime
    occurrences: int
    record: dict[str, Any]  # the latest


class Escalation(Model):
    item: str
    at: datetime
    from_role: str
    to_role: str
    reason: str


Status = Literal["new", "proposed", "open", "decided", "closed"]


class ProcessState(Model):
    process_id: str
    service_id: str
    status: Status = "new"
    seq: int = 0
    proposal: ProcessProposed | None = None
    opened: ProcessOpened | None = None
    open_items: tuple[OpenItem, ...] = ()
    recorded: dict[str, Done] = {}
    opened_steps: tuple[str, ...] = ()  # every tracked step ever opened (each opens once)
    actions: tuple[TrackedAction, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    decision: ProcessDecided | None = None
    closed: ProcessClosed | None = None
    requests: tuple[str, ...] = ()  # the request ids recorded (casework/idempotency.py)
    section_42_cases: tuple[str, ...] = ()  # cases whose section 42 enquiry the process records (policy 2026.12.1 on)
    alerted: tuple[str, ...] = ()  # the escalations told (WorkAlerted, issue 20), by alert id

    def escalations_to_tell(self) -> list[tuple[str, str, str]]:
        """(alert id, role, item) for each escalation of a process not closed, not yet told."""
        if self.status == "closed":
            return []
        ids = [(f"{self.process_id}.E{i}", e.to_role, e.item) for i, e in enumerate(self.escalations, 1)]
        return [x for x in ids if x[0] not in self.alerted]

    @property
    def process(self) -> ProviderConcernProcess:
        if self.opened is None:
            raise ValueError(f"process {self.process_id} is not open")
        return self.opened.process

    def working_calendar(self) -> WorkingCalendar:
        """The calendar counting the holiday table recorded when the process opened."""
        return self.opened.calendar.with_holidays(self.opened.holidays)

    @property
    def holidays(self) -> HolidayTable | None:
        return self.opened.holidays if self.opened else None

    def find_open(self, step: str) -> OpenItem | None:
        return next((o for o in self.open_items if o.step == step), None)

    def action(self, action_id: str) -> TrackedAction | None:
        return next((a for a in self.actions if a.id == action_id), None)


def new_process(process_id: str, service_id: str) -> ProcessState:
    return ProcessState(process_id=process_id, service_id=service_id)


def evolve(state: ProcessState, fact: Fact) -> ProcessState:
    """The state after `fact`. Pure."""
    s, changes = state, {}
    match fact:
        case ProcessProposed():
            changes = {"status": "proposed", "proposal": fact}
            if fact.due is not None:  # to be opened or dismissed by then
                changes["open_items"] = (*s.open_items, OpenItem(step=PROPOSAL_ITEM, role="commissioner", opened_at=fact.at,
                                                                 due=fact.due, deadline=fact.deadline or ""))
        case ProcessOpened():
            changes = {"status": "open", "opened": fact, "open_items": _without_proposal(s)}
        case ProcessStepOpened():
            item = OpenItem(step=fact.step, role=fact.role, opened_at=fact.at, due=fact.due, deadline=fact.deadline)
            changes = {"open_items": (*s.open_items, item), "opened_steps": (*s.opened_steps, fact.step)}
        case ProcessStepRecorded():
            before = s.recorded.get(fact.step)
            changes = {
                "open_items": tuple(o for o in s.open_items if o.step != fact.step),
                "recorded": {**s.recorded, fact.step: Done(at=fact.at, occurrences=(before.occurrences if before else 0) + 1,
                                                           record=fact.record)},
                "actions": _actions_after(s, fact),
            }
            if s.opened is not None and fact.step == s.process.section_42_step and fact.record.get("case_id") \
                    and fact.record["case_id"] not in s.section_42_cases:
                changes["section_42_cases"] = (*s.section_42_cases, fact.record["case_id"])
        case ProcessDeadlineMissed():
            if fact.item.startswith(ACTION):
                changes = {"actions": tuple(a.model_copy(update={"missed": True}) if ACTION + a.id == fact.item else a
                                            for a in s.actions)}
            else:
                changes = {"open_items": tuple(o.model_copy(update={"missed": True}) if o.step == fact.item else o
                                               for o in s.open_items)}
        case ProcessEscalated():
            esc = Escalation(item=fact.item, at=fact.at, from_role=fact.from_role, to_role=fact.to_role, reason=fact.reason)
            changes = {"escalations": (*s.escalations, esc),
                       "open_items": tuple(o.model_copy(update={"escalated_to": (*o.escalated_to, fact.to_role)})
                                           if o.step == fact.item else o for o in s.open_items)}
        case WorkAlerted():
            changes = {"alerted": (*s.alerted, fact.alert_id)}
        case ProcessDecided():
            changes = {"status": "decided", "decision": fact}
        case ProcessClosed():
            changes = {"status": "closed", "closed": fact, "open_items": _without_proposal(s)}
    request = getattr(fact, "request_id", None)
    if request:
        changes["requests"] = (*s.requests, request)
    return s.model_copy(update={**changes, "seq": s.seq + 1})


def _without_proposal(s: ProcessState) -> tuple[OpenItem, ...]:
    return tuple(o for o in s.open_items if o.step != PROPOSAL_ITEM)


def _actions_after(s: ProcessState, fact: ProcessStepRecorded) -> tuple[TrackedAction, ...]:
    if s.opened is None:
        return s.actions
    p = s.process
    if p.planned_actions_field in fact.record:  # the meeting: the plan's actions, now tracked
        return tuple(TrackedAction.model_validate(a) for a in fact.record[p.planned_actions_field])
    if fact.step == p.action_update:
        done = fact.record[ACTION_ID.name]
        return tuple(a.model_copy(update={"undertaken": fact.record[UNDERTAKEN.name]}) if a.id == done else a for a in s.actions)
    if fact.step == p.action_plan_review:
        said = fact.record.get(ACTIONS_UNDERTAKEN.name, {})
        return tuple(a.model_copy(update={"undertaken": said.get(a.id, a.undertaken)}) for a in s.actions)
    return s.actions


def replay(state: ProcessState, facts: Iterable[Fact]) -> ProcessState:
    for fact in facts:
        state = evolve(state, fact)
    return state
