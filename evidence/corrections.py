"""A case's amendments (issue 22) as the evidence pack holds them: each correction of a done step's
record (who, when, role, why, each field from its old value to its new one), the chronology entry
it corrects, the decisions that rested on the original and the review that opened, and each
review's result. The original records stay in the pack as they were made; the JSON keeps every
value as recorded (the HTML and PDF word them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.amendments import REVIEW_STEP
from domain.facts import DecisionReviewed, FieldAmended, StepAmended, StepCompleted, StepOpened
from eventstore.events import Recorded

Outcome = Literal["confirmed", "changed"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldChange(_Model):
    field: str
    old: Any = Field(description="as recorded before (null: not answered)")
    new: Any = Field(description="as corrected (null: the answer taken away)")


class CorrectedBy(_Model):
    """On a chronology entry: a later amendment of its record, or a review of the decision it made."""

    amendment: int
    seq: int = Field(description="the amendment's (or review's) number in the chronology")
    at: datetime
    type: Literal["StepAmended", "DecisionReviewed"]
    outcome: Outcome | None = Field(None, description="a review's: the decision confirmed or changed")


class ReviewOpened(_Model):
    title: str
    role: str = Field(description="the role that made the decision, asked to review it")
    deadline: str | None = Field(description="the deadline rule in words")
    due: datetime | None


class Review(_Model):
    seq: int
    at: datetime
    actor: str
    role: str
    decision: str = Field(description="threshold_level, route or closure")
    outcome: Outcome
    changes: list[FieldChange] = Field(description="the decision as made anew (none when confirmed)")
    reason: str


class Amendment(_Model):
    amendment: int
    seq: int = Field(description="its number in the chronology")
    at: datetime
    step: str
    title: str
    occurrence: int
    corrects: int | None = Field(description="the chronology number of the record it corrects, which is kept as it was")
    actor: str
    role: str
    reason: str
    changes: list[FieldChange]
    decisions: list[str] = Field(description="the decisions that rested on the original record")
    review_opened: ReviewOpened | None
    reviews: list[Review] = Field(description="the decision's review, once done")


def _changes(changes: tuple[FieldAmended, ...]) -> list[FieldChange]:
    return [FieldChange(field=c.field, old=c.old, new=c.new) for c in changes]


def amendments(facts: list[Recorded], titles: dict[str, str]) -> list[Amendment]:
    """Every amendment among `facts`, in order, each with its review once done."""
    done: dict[tuple[str, int], int] = {}
    found: dict[int, Amendment] = {}
    waiting: Amendment | None = None  # the amendment whose review opens next
    for r in facts:
        f = r.fact
        if isinstance(f, StepCompleted):
            done[(f.step, f.occurrence)] = r.seq
        elif isinstance(f, StepAmended):
            found[f.amendment] = waiting = Amendment(
                amendment=f.amendment, seq=r.seq, at=f.at, step=f.step, title=titles.get(f.step, f.step),
                occurrence=f.occurrence, corrects=done.get((f.step, f.occurrence)), actor=f.actor, role=f.role,
                reason=f.reason, changes=_changes(f.changes), decisions=list(f.decisions), review_opened=None, reviews=[])
            if f.review is not None:
                waiting.review_opened = ReviewOpened(title=f.review.title, role=f.review.role, deadline=None, due=None)
        elif isinstance(f, StepOpened) and f.step == REVIEW_STEP and waiting and waiting.review_opened:
            waiting.review_opened = waiting.review_opened.model_copy(update={"deadline": f.deadline, "due": f.due})
            waiting = None
        elif isinstance(f, DecisionReviewed) and f.amendment in found:
            found[f.amendment].reviews.append(Review(
                seq=r.seq, at=f.at, actor=f.actor, role=f.role, decision=f.decision, outcome=f.outcome,
                changes=_changes(f.changes), reason=f.reason))
    return list(found.values())


def amended_by(found: list[Amendment]) -> dict[tuple[str, int], list[int]]:
    """Each step record's amendments, by their numbers."""
    out: dict[tuple[str, int], list[int]] = {}
    for a in found:
        out.setdefault((a.step, a.occurrence), []).append(a.amendment)
    return out
