"""A completed step's record as amended, for its page: the record with each correction applied, and
each correction in words (who, when, why, each field from what to what, in UK time), with the
decisions that rested on the original and their review. The original fact is never rewritten: the
corrections are facts of their own (StepAmended, DecisionReviewed), folded here in order. A review
step is a step of the case whose definition is recorded with the amendment that opened it."""

from __future__ import annotations

from typing import Any, Iterable

from domain.amendments import THRESHOLD_LEVEL
from domain.facts import DecisionReviewed, StepAmended
from domain.pathway import current_pathway
from domain.policy import Step
from eventstore.events import Recorded
from projections.case_tasks import opened_by
from projections.amendment_words import changes_line, decision_words
from projections.engine_words import role_words
from web.pages.formats import london

def amendments_of(facts: Iterable[Recorded], step: str, occurrence: int) -> list[StepAmended]:
    return [r.fact for r in facts if isinstance(r.fact, StepAmended) and (r.fact.step, r.fact.occurrence) == (step, occurrence)]


def corrections_of(facts: Iterable[Recorded], step: str, occurrence: int) -> list[StepAmended | DecisionReviewed]:
    """What corrected the step's record, in order: its amendments, and a review that changed a decision
    it holds (the threshold level is the tool's decision, not a field of the record)."""
    return [r.fact for r in facts if isinstance(r.fact, (StepAmended, DecisionReviewed))
            and (r.fact.step, r.fact.occurrence) == (step, occurrence)]


def as_amended(record: dict[str, Any], corrections: Iterable[StepAmended | DecisionReviewed]) -> dict[str, Any]:
    """The record with each correction applied in order (a new value of None takes the answer away)."""
    out = dict(record)
    for a in corrections:
        for c in a.changes:
            if c.field == THRESHOLD_LEVEL:
                continue
            if c.new is None:
                out.pop(c.field, None)
            else:
                out[c.field] = c.new
    return out


def step_on_case(facts: list[Recorded], step: str, occurrence: int) -> Step | None:
    """The step as the case asks it: the pathway's, else a review opened by an amendment."""
    found = current_pathway().step(step)
    if found is not None:
        return found
    opener = opened_by(facts).get((step, occurrence))
    return opener.review if opener is not None else None


def amendment_rows(facts: list[Recorded], case_id: str, step: str, occurrence: int) -> list[dict[str, Any]]:
    """Each correction of the step's record, in words, oldest first, with its decisions' review."""
    reviews = {r.fact.amendment: r.fact for r in facts if isinstance(r.fact, DecisionReviewed)}
    review_of = {a.amendment: key for key, a in opened_by(facts).items()}
    rows = []
    for a in amendments_of(facts, step, occurrence):
        reviewed = reviews.get(a.amendment)
        at = review_of.get(a.amendment)
        rows.append({
            "number": a.amendment, "when": london(a.at), "who": f"{a.actor} ({role_words(a.role)})", "why": a.reason,
            "changes": changes_line(list(a.changes), step),
            "decisions": [f"the {decision_words(d)}" for d in a.decisions],
            "review_href": f"/cases/{case_id}/steps/{at[0]}/{at[1]}" if at else None,
            "review_role": role_words(a.review.role) if a.review else None,
            "reviewed": None if reviewed is None else {
                "when": london(reviewed.at), "who": f"{reviewed.actor} ({role_words(reviewed.role)})",
                "confirmed": reviewed.outcome == "confirmed", "why": reviewed.reason,
                "changes": changes_line(list(reviewed.changes), reviewed.step)},
        })
    return rows
