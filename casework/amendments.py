"""Correcting a completed step's record (issue 22): the use case every face calls, and what a face
needs to show its form. The original record stays; the correction is a fact of its own (who, when,
why, each field from what to what). Who may: the step's author while they hold a role at the case's
service, or a registered manager or designated safeguarding lead there (`domain.access.may_amend`,
refusals in the access log). Which fields: the pathway's (`domain.amendments`). Bad input is refused
here, before the case's workflow is asked, which checks the whole corrected record again and
records it; sent again with its key, it is answered from the fact it recorded, never recorded twice.
A closed case is corrected too (audits and inspections come after closure): its workflow ended when
it closed, so the correction starts a run of its own (`casework/temporal/corrections.py`), which
keeps any decision's review it opens and ends when none is open. The case stays closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from casework.access import allowed, audit, visible_case
from casework.cases import _via, case_facts, erased_as_gone
from casework.idempotency import Outcome, key_reused, one_at_a_time, recorded, request_id
from casework.inputs import validate
from casework.ports import Ports
from casework.refusals import AlreadyRecorded, Conflict, Invalid, NotFound, NotOpen
from casework.temporal import cases as temporal
from casework.temporal.corrections import amend_closed
from domain.access import Principal, may_amend
from domain.amendments import REVIEW_STEP, amendable_fields, decisions_resting_on
from domain.concern import StepAmendment
from domain.facts import CaseClosed, DecisionReviewed, StepAmended, StepCompleted
from domain.pathway import current_pathway
from domain.policy import RecordField, Step
from domain.records import checked_values
from encryption.seal import sealing_key
from eventstore.events import Recorded


@dataclass(frozen=True)
class AmendStep:
    case_id: str
    step: str
    occurrence: int
    changes: dict[str, Any]  # field -> its corrected value (None: the answer taken away)
    reason: Any
    key: str | None = None  # the sender's idempotency key


@dataclass(frozen=True)
class AmendmentForm:
    """What a face shows to correct a record: the fields that may be corrected, each with its value as
    the record now stands (amendments applied; absent: not answered), and the decisions that rested on
    the record (correcting it asks their maker to review them)."""

    case_id: str
    service: str
    step: Step
    occurrence: int
    author: str | None
    completed_at: datetime
    fields: tuple[RecordField, ...]
    values: dict[str, Any]
    decisions: tuple[str, ...]
    amendments: tuple[StepAmended, ...]  # the corrections made to this record so far, oldest first


def completion_of(facts: list[Recorded], step: str, occurrence: int) -> StepCompleted | None:
    return next((r.fact for r in facts if isinstance(r.fact, StepCompleted)
                 and (r.fact.step, r.fact.occurrence) == (step, occurrence)), None)


def record_as_it_stands(facts: list[Recorded], step: str, occurrence: int) -> dict[str, Any]:
    """The completion's record with every correction since applied (and a reviewed decision's new value)."""
    done = completion_of(facts, step, occurrence)
    record = dict(done.record) if done else {}
    for r in facts:
        f = r.fact
        if isinstance(f, (StepAmended, DecisionReviewed)) and (f.step, f.occurrence) == (step, occurrence):
            for change in f.changes:
                if change.new is None:
                    record.pop(change.field, None)
                else:
                    record[change.field] = change.new
    return record


def _case(ports: Ports, principal: Principal, case_id: str, step: str, occurrence: Any, now: datetime
          ) -> tuple[list[Recorded], str, Step, StepCompleted | None]:
    with erased_as_gone(case_id):
        facts = case_facts(ports, case_id)
        service, _ = visible_case(ports, principal, case_id, now, action=None, facts=facts, by_workflow=True)
    found = current_pathway().step(step) if isinstance(step, str) else None
    if found is None or step == REVIEW_STEP:
        raise Invalid(f"there is no step {str(step)[:60]!r} to correct on this case" if found is None else
                      "a decision's review is not corrected: correct the record it reviewed", field="step")
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1:
        raise Invalid("the occurrence is a whole number, 1 or more", field="occurrence")
    done = completion_of(facts, step, occurrence)
    if done is None and not (principal.operator and not facts):  # the operator's case not in the store: the case says
        raise NotOpen(f"{found.title} ({f'occurrence {occurrence}, ' if occurrence > 1 else ''}this case) is not done "
                      "yet: only a completed record can be corrected")
    return facts, service, found, done


def _author(ports: Ports, principal: Principal, case_id: str, service: str, step: Step,
            done: StepCompleted | None) -> str | None:
    """The role to act as (NotPermitted, in the access log, if none)."""
    return allowed(ports, principal, may_amend(principal, service, step.id, done.actor if done else None), case_id, service)


async def amend_step(ports: Ports, principal: Principal, c: AmendStep, now: datetime) -> Outcome[int]:
    """Correct a completed step's record; answers the amendment's number on the case."""
    request = request_id(principal, c.key)
    async with one_at_a_time(ports, request):
        facts, service, step, done = _case(ports, principal, c.case_id, c.step, c.occurrence, now)
        role = _author(ports, principal, c.case_id, service, step, done)
        amendment = validate({"step": c.step, "occurrence": c.occurrence, "changes": c.changes, "reason": c.reason,
                              "actor": principal.actor, "role": role, "request_id": request, **_via(principal)},
                             StepAmendment, "correction", ports.rules(now))
        if batch := recorded(facts, request, StepAmended):
            return _answer(batch[0].fact, amendment, step, ports, now, request)  # type: ignore[arg-type]
        try:
            _check_changes(ports, step, amendment, now)
        except Invalid as e:  # a decision field, or a value the step would not take: refused, in the access log
            field = e.details.get("field") or "changes"  # a field's name, never the text typed
            audit(ports, principal, "refused", False, case_id=c.case_id, service=service,
                  reason=f"correction refused: {field}")
            raise
        client = await ports.temporal(worker=True)
        try:
            if any(isinstance(r.fact, CaseClosed) for r in facts):  # its workflow ended: a run of its own
                n = await amend_closed(client, ports.settings, sealing_key(ports.settings), c.case_id, facts, amendment,
                                       within=ports.within)
            else:
                n = await temporal.amend_step(client, c.case_id, amendment, within=ports.within)
        except AlreadyRecorded:  # a twin from elsewhere recorded it first
            batch = recorded(case_facts(ports, c.case_id), request, StepAmended)
            if batch is None:
                raise Conflict(f"case {c.case_id} changed while the correction was being recorded: check the case "
                               "and try again") from None
            return _answer(batch[0].fact, amendment, step, ports, now, request)  # type: ignore[arg-type]
        audit(ports, principal, "write", True, case_id=c.case_id, service=service)
        return Outcome(n)


def _check_changes(ports: Ports, step: Step, a: StepAmendment, now: datetime) -> None:
    """Before the case is asked: at least one field, each one that may be corrected, each value as the
    step's record takes it (the case checks the whole corrected record again)."""
    may = {f.name: f for f in amendable_fields(step)}
    if not a.changes:
        raise Invalid(f"choose at least one answer to correct ({step.title})", field="changes")
    wrong = [k for k in a.changes if k not in may]
    if wrong:
        known = [k for k in wrong if step.field(k) is not None]
        raise Invalid(("a decision, a count or a choice stands as recorded and cannot be corrected: "
                       if known else "this step records no such answer: ") + ", ".join(map(str, wrong))[:200],
                      field=wrong[0])
    _, problems = _typed(ports, step, a.changes, now)
    if problems:
        raise Invalid(f"correction of {step.title}: " + "; ".join(problems), field=next(iter(a.changes)))


def _typed(ports: Ports, step: Step, changes: dict[str, Any], now: datetime | None = None
           ) -> tuple[dict[str, Any], list[str]]:
    """The changes to fields that may be corrected, typed and checked as the step's record takes them."""
    may = {f.name: f for f in amendable_fields(step)}
    given = step.model_copy(update={"record": tuple(may[k] for k in changes if k in may)})
    return checked_values(given, {k: v for k, v in changes.items() if v is not None}, ports.settings.input_rules(), now)


def _answer(done: StepAmended, a: StepAmendment, step: Step, ports: Ports, now: datetime, request: str | None
            ) -> Outcome[int]:
    """The answer a request sent again gets, from the fact it recorded (the key with another request: refused)."""
    normal, _ = _typed(ports, step, a.changes)
    same = (done.step, done.occurrence, done.reason) == (a.step, a.occurrence, a.reason) and all(
        x.field in a.changes and normal.get(x.field) == x.new for x in done.changes)
    if not same:
        raise key_reused(request)  # type: ignore[arg-type]
    return Outcome(done.amendment, replayed=True, at=done.at)


def amendment_form(ports: Ports, principal: Principal, case_id: str, step: str, occurrence: int,
                   now: datetime, key: str | None = None) -> AmendmentForm:
    """What the correction's form shows, for one who may correct the record (refusals in the access log).
    Given the key of a form whose correction was recorded already (sent again: a second tab, a resend
    after a lost answer), the values are the record as it stood before that correction, the record the
    form was filled in on: the twin asks the same changes and is answered from the fact it recorded."""
    facts, service, found, done = _case(ports, principal, case_id, step, occurrence, now)
    _author(ports, principal, case_id, service, found, done)
    if done is None:
        raise NotFound(f"case {case_id} is not in the store")
    audit(ports, principal, "read", True, case_id=case_id, service=service)
    request = request_id(principal, key)
    sent = next((i for i, r in enumerate(facts) if request and isinstance(r.fact, StepAmended)
                 and r.fact.request_id == request), len(facts))
    stands = record_as_it_stands(facts[:sent], found.id, occurrence)
    fields = amendable_fields(found)
    return AmendmentForm(
        case_id=case_id, service=service, step=found, occurrence=occurrence, author=done.actor, completed_at=done.at,
        fields=fields, values={f.name: stands[f.name] for f in fields if f.name in stands},
        decisions=decisions_resting_on(current_pathway(), found.id),
        amendments=tuple(r.fact for r in facts if isinstance(r.fact, StepAmended)
                         and (r.fact.step, r.fact.occurrence) == (found.id, occurrence)),  # type: ignore[misc]
    )
