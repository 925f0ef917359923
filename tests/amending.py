"""Amendments (issue 22) appended to a PureCase's facts as the decider records them
(domain/case/amendment.py and review.py): a `StepAmended` (with the review step it opens and that
step's `StepOpened`, where a decision rested on the record), and a review's completion with its
`DecisionReviewed`. Written out here so the read side is tested on the facts alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.amendments import (
    CHANGED,
    CONFIRMED,
    DECISION_STANDS,
    REVIEW_REASON,
    REVIEW_STEP,
    THRESHOLD_LEVEL,
    decision_fields,
    decisions_resting_on,
    review_step,
)
from domain.facts import DecisionReviewed, FieldAmended, StepAmended, StepCompleted, StepOpened, ThresholdDecisionFiled
from domain.pathway import current_pathway
from tests.pure_case import PureCase

REVIEW_DAYS = timedelta(days=2)


def _record_now(case: PureCase, step: str, occurrence: int) -> tuple[dict[str, Any], str]:
    """The step's record as amended so far, and the role it was done by."""
    done = next(f for f in case.facts if isinstance(f, StepCompleted) and (f.step, f.occurrence) == (step, occurrence))
    record = dict(done.record)
    for f in case.facts:
        if isinstance(f, (StepAmended, DecisionReviewed)) and (f.step, f.occurrence) == (step, occurrence):
            if isinstance(f, StepAmended) or f.outcome == CHANGED:
                record.update({c.field: c.new for c in f.changes})
    return record, done.role


def amend(case: PureCase, step: str, when: str, *, occurrence: int = 1, actor: str = "RM-1",
          role: str = "registered_manager", reason: str = "the time was typed wrongly", **changes: Any) -> StepAmended:
    case.at(when)
    record, done_role = _record_now(case, step, occurrence)
    n = sum(isinstance(f, StepAmended) for f in case.facts) + 1
    decisions = decisions_resting_on(current_pathway(), step)
    review = review_step(current_pathway(), decisions[0], done_role) if decisions else None
    fact = StepAmended(at=case.now, amendment=n, step=step, occurrence=occurrence, reason=reason, actor=actor, role=role,
                       changes=tuple(FieldAmended(field=k, old=record.get(k), new=v) for k, v in changes.items()),
                       decisions=decisions, review=review, channel="web")
    case.facts.append(fact)
    if review is not None:
        opened = sum(isinstance(f, StepOpened) and f.step == REVIEW_STEP for f in case.facts) + 1
        case.facts.append(StepOpened(at=case.now, step=REVIEW_STEP, occurrence=opened, role=review.role,
                                     clock_from=case.now, due=case.now + REVIEW_DAYS, deadline="within 2 working days",
                                     holiday_table=None,
                                     reason=f"{step} corrected (amendment {n}): the "
                                            f"{decisions[0].replace('_', ' ')} rested on it"))
    return fact


def review(case: PureCase, amendment: int, when: str, *, new: Any = None, actor: str = "DSL-7",
           reason: str = "the corrected record changes the picture") -> DecisionReviewed:
    """The review the amendment opened, done: confirmed (`new` None) or changed to `new`."""
    case.at(when)
    a = next(f for f in case.facts if isinstance(f, StepAmended) and f.amendment == amendment)
    opened = [f for f in case.facts if isinstance(f, StepOpened) and f.step == REVIEW_STEP]
    occurrence = [f.amendment for f in case.facts if isinstance(f, StepAmended) and f.review].index(amendment) + 1
    due = opened[occurrence - 1].due
    decision = a.decisions[0]
    _, field = decision_fields(current_pathway())[decision]
    if field == THRESHOLD_LEVEL:
        old = [f.decision.level for f in case.facts if isinstance(f, ThresholdDecisionFiled)][-1]
        for f in case.facts:
            if isinstance(f, DecisionReviewed) and f.outcome == CHANGED and f.changes[0].field == THRESHOLD_LEVEL:
                old = f.changes[0].new
    else:
        old = _record_now(case, a.step, a.occurrence)[0].get(field)
    new_field = a.review.record[-1].name
    record = {DECISION_STANDS: CHANGED if new is not None else CONFIRMED, REVIEW_REASON: reason,
              **({new_field: new} if new is not None else {})}
    case.facts.append(StepCompleted(at=case.now, step=REVIEW_STEP, occurrence=occurrence, role=a.review.role, actor=actor,
                                    record=record, due=due, on_time=case.now <= due, channel="web"))
    fact = DecisionReviewed(at=case.now, amendment=amendment, decision=decision, step=a.step, occurrence=a.occurrence,
                            outcome=CHANGED if new is not None else CONFIRMED,
                            changes=(FieldAmended(field=field, old=old, new=new),) if new is not None else (),
                            reason=reason, actor=actor, role=a.review.role)
    case.facts.append(fact)
    return fact
