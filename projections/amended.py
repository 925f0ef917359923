"""Amendments (issue 22) as the read models apply them. A `StepAmended` corrects fields of a done
step's record; a `DecisionReviewed` that changed its decision gives the deciding step's decision
field anew (or the threshold level, filed with the assessment). Either way the read models take
the new values from that fact on: folded in order, "as at" an instant before it still shows the
original, and a rebuild from zero gives what the live fold gave.

The read models keep what they derive, not the records, so they apply a correction to the values
one field decides. They rely on two things the pathway's data says, checked when they load: the
steps whose fields they read happen once in a case (so the occurrence amended is the one they
read), and the fields they fold together (the oversight's risk flags: any one of them) are never
amendable, so no correction reaches them.

Pure: no clock, no I/O.
"""

from __future__ import annotations

from typing import Any, Iterable

from domain.amendments import CLOSURE, DECISION_FIELDS, THRESHOLD_LEVEL, is_amendable
from domain.facts import DecisionReviewed, Fact, StepAmended
from domain.pathway import current_pathway
from domain.policy import OnDevelopment
from projections.jsonable import jsonable

AMENDMENT_FACTS: tuple[type[Fact], ...] = (StepAmended, DecisionReviewed)
CLOSING_STEP, OUTCOME_FIELD = DECISION_FIELDS.get(CLOSURE, ("", ""))
ASSESSING_STEP = DECISION_FIELDS.get(THRESHOLD_LEVEL, ("", ""))[0]


def corrections(fact: Fact) -> dict[str, Any]:
    """What `fact` makes of its step's record from now on: field -> new value (None: no longer
    answered). A decision confirmed on review changes nothing."""
    if isinstance(fact, DecisionReviewed) and fact.outcome != "changed":
        return {}
    if not isinstance(fact, AMENDMENT_FACTS):
        return {}
    return {c.field: jsonable(c.new) for c in fact.changes}  # type: ignore[union-attr]


def new_level(fact: Fact) -> tuple[bool, str | None]:
    """(True, level) when `fact` decides the threshold level anew; (False, None) otherwise."""
    fixes = corrections(fact)
    if THRESHOLD_LEVEL in fixes and getattr(fact, "step", None) == ASSESSING_STEP:
        return True, fixes[THRESHOLD_LEVEL]
    return False, None


def new_outcome(fact: Fact) -> tuple[bool, str | None]:
    """(True, outcome) when `fact` gives the closing step's outcome anew (the case's outcome, as
    `CaseClosed` recorded it from that field); (False, None) otherwise."""
    fixes = corrections(fact)
    if OUTCOME_FIELD in fixes and getattr(fact, "step", None) == CLOSING_STEP:
        return True, fixes[OUTCOME_FIELD]
    return False, None


def check_once(steps: Iterable[str], reader: str) -> None:
    """Fail loudly (at import) if a step `reader` reads can happen more than once in a case."""
    pathway = current_pathway()
    for step_id in steps:
        step = pathway.step(step_id)
        assert step is None or (step.repeat is None and not isinstance(step.opens, OnDevelopment)), (
            f"{reader} applies a correction of {step_id!r} to the one occurrence it read; the pathway now "
            f"repeats that step: keep the value per occurrence before letting it repeat")


def check_never_amended(step_id: str, fields: Iterable[str], reader: str) -> None:
    """Fail loudly (at import) if a field `reader` folds together with others became amendable."""
    step = current_pathway().step(step_id)
    names = set(fields)
    amendable = [f.name for f in (step.record if step else ()) if f.name in names and is_amendable(f)]
    assert not amendable, (
        f"{reader} folds {', '.join(amendable)} of {step_id!r} together and keeps no per-field record to "
        f"apply a correction to: keep them before making them amendable")
