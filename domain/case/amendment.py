"""A completed step's record corrected by an addendum (issue 22), as pure decisions.

The original StepCompleted stays as it was; `StepAmended` records who, when, why and each field
from what to what. Only the fields the pathway lets be corrected (`domain/amendments.py`), by the
step's author or a manager or safeguarding lead, and the corrected record is checked exactly as a
completion checks it. A decision that rested on the original record stands: the amendment names
it and opens a review step for the role that made it (`domain/case/review.py` completes it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.amendments import AMENDING_ROLES, REVIEW_STEP, amendable_fields, decisions_resting_on, review_step
from domain.case.decide import _Batch, _out_of_order, check_not_recorded, check_open, checked_input, checked_record
from domain.case.rejection import Rejected
from domain.case.state import CaseState, Done
from domain.concern import StepAmendment
from domain.facts import Fact, FieldAmended, StepAmended
from domain.policy import Pathway, Step


def check_amendment(state: CaseState, a: StepAmendment, now: datetime | None = None) -> tuple[Step, Done, tuple[FieldAmended, ...]]:
    """The step, its completion as it stands and each field's change, or Rejected saying why not
    (nothing is recorded). `now` is the case's clock: a corrected instant may not be after it."""
    check_open(state, closed_too=True)  # a closed case's records are corrected too (audits, inspections)
    checked_input(state, a, "amendment")
    check_not_recorded(state, a.request_id)
    pathway = state.policy.pathway
    if a.step == REVIEW_STEP:
        raise Rejected("a decision's review is not corrected: record another amendment of the step it reviewed "
                       "if the record is wrong", "invalid")
    step = pathway.step(a.step)
    if step is None:
        raise Rejected(f"unknown step {a.step!r}; the pathway's steps are: {', '.join(x.id for x in pathway.steps)}",
                       "not_found")
    done = state.done(step.id, a.occurrence)
    if done is None:
        raise Rejected(f"{step.id} occurrence {a.occurrence} is not completed on case {state.case_id}: only a completed "
                       "record can be corrected", "not_open")
    if a.actor != done.actor and a.role not in AMENDING_ROLES:
        raise Rejected(f"only the person who completed {step.id} ({done.actor or 'not known'}), or "
                       f"{' or '.join(sorted(AMENDING_ROLES))}, can correct its record", "not_permitted")
    if not a.reason.strip():
        raise Rejected("give the reason for the correction")
    if not a.changes:
        raise Rejected(f"name at least one field to correct; {step.id} may be corrected in: "
                       f"{', '.join(f.name for f in amendable_fields(step, state.policy.pathway)) or 'none of its fields'}")
    problems = _not_amendable(step, a.changes, state.policy.pathway)
    if problems:
        raise Rejected(f"correction of {step.id}: " + "; ".join(problems))
    given = {k: v for k, v in {**done.record, **a.changes}.items() if v is not None}
    record = checked_record(state, step, given, now)
    _check_followers(state, step, done, record)
    changes = tuple(FieldAmended(field=f.name, old=done.record.get(f.name), new=record.get(f.name))
                    for f in step.record if f.name in a.changes and done.record.get(f.name) != record.get(f.name))
    if not changes:
        raise Rejected(f"nothing to correct: {step.id}'s record already says that")
    return step, done, changes


def _not_amendable(step: Step, changes: dict[str, Any], pathway: Pathway) -> list[str]:
    amendable = {f.name for f in amendable_fields(step, pathway)}
    unknown = [k for k in changes if step.field(k) is None]
    fixed = [k for k in changes if step.field(k) is not None and k not in amendable]
    problems = [f"unknown field {k!r} (this step records: {', '.join(f.name for f in step.record)})" for k in unknown]
    if fixed:
        problems.append(f"{', '.join(map(repr, fixed))} cannot be corrected: a decision or a count stands as recorded "
                        f"(this step may be corrected in: {', '.join(sorted(amendable)) or 'none of its fields'})")
    return problems


def _check_followers(state: CaseState, step: Step, done: Done, record: dict[str, Any]) -> None:
    """Instants of later records that must follow this record's (`InOrder.on_step`) still do."""
    latest = state.completed.get(step.id)
    if latest is None or latest.occurrence != done.occurrence:
        return  # an earlier occurrence: later records follow the latest
    after = state.model_copy(update={"completed": {**state.completed, step.id: done.model_copy(update={"record": record})}})
    problems = []
    for other in state.policy.pathway.steps:
        following = {o.later for o in other.in_order if o.on_step == step.id}
        if following and other.id != step.id and (d := state.completed.get(other.id)):
            problems += [f"{p} (as {other.id} recorded it)" for p in _out_of_order(after, other, d.record)
                         if p.split(" ", 1)[0] in following]
    if problems:
        raise Rejected(f"correction of {step.id}: " + "; ".join(problems))


def decide_amendment(state: CaseState, a: StepAmendment, now: datetime) -> list[Fact]:
    """The amendment recorded and, where a decision rested on the original record, the review its
    maker is asked for (a step like any other: its deadline escalates when missed)."""
    step, done, changes = check_amendment(state, a, now)
    pathway = state.policy.pathway
    decisions = decisions_resting_on(pathway, step.id)
    review = review_step(pathway, decisions[0], done.role or step.role) if decisions else None
    b = _Batch(state)
    b.add(StepAmended(at=now, amendment=state.amendments + 1, step=step.id, occurrence=a.occurrence, changes=changes,
                      reason=a.reason, actor=a.actor, role=a.role, decisions=decisions, review=review, **a.via(),
                      **({"request_id": a.request_id} if a.request_id else {})))
    if review is not None:
        b.open(review, state.occurrences.get(REVIEW_STEP, 0) + 1, now,
               f"{step.id} corrected (amendment {state.amendments + 1}): the {decisions[0].replace('_', ' ')} rested on it",
               now)
    return b.facts
