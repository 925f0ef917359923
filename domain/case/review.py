"""A decision's review (issue 22), completed as any step is: its maker confirms the decision that
rested on a corrected record, or records a new one, with a reason. Completing it records
`DecisionReviewed`; a changed decision is the case's from then on. What the new decision asks for
opens then (domain/case/decide.py `_act_on_new_decision`, for reviews whose step says so); nothing
opened under the old one is withdrawn (the review's reason says what follows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.amendments import CHANGED, CONFIRMED, DECISION_STANDS, REVIEW_REASON, REVIEW_STEP, THRESHOLD_LEVEL, decision_fields
from domain.case.rejection import Rejected
from domain.case.state import CaseState, Review
from domain.facts import DecisionReviewed, FieldAmended


def decided(state: CaseState, review: Review) -> tuple[str, Any]:
    """The decision's field and its value as the case holds it now."""
    _, field = decision_fields(state.policy.pathway)[review.decision]
    if field == THRESHOLD_LEVEL:
        return field, state.threshold_decision.level if state.threshold_decision else None
    done = state.done(review.of_step, review.of_occurrence)
    return field, (done.record.get(field) if done else None)


def check_review(state: CaseState, occurrence: int, record: dict[str, Any]) -> None:
    """A confirmed decision names no new one; a changed decision names one that differs."""
    review = state.review(occurrence)
    if review is None:
        return
    new = review.step.record[-1].name
    field, value = decided(state, review)
    if record.get(DECISION_STANDS) == CONFIRMED and record.get(new) is not None:
        raise Rejected(f"record for {REVIEW_STEP}: the decision is confirmed, so leave {new} out "
                       f"(or record {DECISION_STANDS} {CHANGED})")
    if record.get(DECISION_STANDS) == CHANGED and record.get(new) == value:
        raise Rejected(f"record for {REVIEW_STEP}: {new} is the decision already recorded ({value!r}): "
                       f"record {DECISION_STANDS} {CONFIRMED} if it stands")


def reviewed(state: CaseState, occurrence: int, record: dict[str, Any], actor: str, role: str,
             now: datetime) -> list[DecisionReviewed]:
    """The review's outcome, for a completion of the review step's `occurrence` (state after it)."""
    review = state.review(occurrence)
    if review is None:
        return []
    field, value = decided(state, review)
    changed = record.get(DECISION_STANDS) == CHANGED
    new = record.get(review.step.record[-1].name)
    return [DecisionReviewed(
        at=now, amendment=review.amendment, decision=review.decision, step=review.of_step, occurrence=review.of_occurrence,
        outcome=CHANGED if changed else CONFIRMED, changes=(FieldAmended(field=field, old=value, new=new),) if changed else (),
        reason=record[REVIEW_REASON], actor=actor, role=role,
    )]
