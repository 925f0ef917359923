"""Amendments (issue 22) as data: which record fields may be corrected once a step is done, which
decisions rested on a step's record, and the review step that opens for a decision's maker when
such a record is corrected. Pure: the case's decider (`domain/case/amendment.py`) and the read
models use these, and the pathway the case recorded is always the one asked.

A correction is an addendum: the original record stays, the amendment says who, when, why and
each field's old and new value. A decision already recorded stands: it is not re-decided, and
its maker confirms it or records a new one in the review step, with a reason.
"""

from __future__ import annotations

from domain.conditions import eq
from domain.deadlines import WorkingDays
from domain.policy import OnAmendment, Pathway, RecordField, Requirement, Step
from domain.threshold import LEVELS

# the types a field may be corrected in by default: ids, times and free text. A bool, a choice, a
# number or the threshold facts is a decision or a count, never corrected by an addendum
AMENDABLE_TYPES: tuple[str, ...] = ("id", "instant", "text")
# who may amend another's record, at the case's service (or organisation-wide); the author may
# amend their own (domain/access.py `may_amend`)
AMENDING_ROLES: frozenset[str] = frozenset({"registered_manager", "designated_safeguarding_lead"})

# the decisions a record can rest on
THRESHOLD_LEVEL, ROUTE, CLOSURE = "threshold_level", "route", "closure"
DECISIONS: tuple[str, ...] = (THRESHOLD_LEVEL, ROUTE, CLOSURE)

REVIEW_STEP = "decision_review"
REVIEW_DEADLINE = WorkingDays(days=2)  # a decision that rested on a corrected record is reviewed within this
DECISION_STANDS = "decision_stands"
CONFIRMED, CHANGED = "confirmed", "changed"
REVIEW_REASON = "review_reason"
REVIEW_TITLES = {
    THRESHOLD_LEVEL: "Review the threshold decision after a correction",
    ROUTE: "Review the safeguarding route decision after a correction",
    CLOSURE: "Review the closure outcome after a correction",
}


def is_amendable(field: RecordField) -> bool:
    """The pathway's word for the field (`RecordField.amendable`), or the default rule by its type."""
    return field.type in AMENDABLE_TYPES if field.amendable is None else field.amendable


def tool_inputs(pathway: Pathway, step: Step) -> frozenset[str]:
    """The assessing step's fields the threshold tool reads (its category, which chooses the tool's
    questions, its facts and the fields answering them): the level rests on them as they were
    answered, so they stand as recorded, whatever their type (the threshold policy names them)."""
    t = pathway.threshold
    if t is None or step.id != t.assessed_at:
        return frozenset()
    return frozenset({t.category_field, t.facts_field, *t.facts_from_record})


def amendable_fields(step: Step, pathway: Pathway | None = None) -> tuple[RecordField, ...]:
    """The fields of `step`'s record an amendment may correct (a review step's: none). `pathway`:
    the case's own (None: the pathway in force)."""
    if step.id == REVIEW_STEP:
        return ()
    if pathway is None:
        from domain.pathway import current_pathway  # the pathway is data; it imports the policy, as this does

        pathway = current_pathway()
    fixed = tool_inputs(pathway, step)
    return tuple(f for f in step.record if is_amendable(f) and f.name not in fixed)


def decision_fields(pathway: Pathway) -> dict[str, tuple[str, str]]:
    """Each decision the pathway records -> (the step whose record holds it, its field); the
    threshold level is the tool's, filed with the assessment, so its "field" is `threshold_level`."""
    out: dict[str, tuple[str, str]] = {}
    if (t := pathway.threshold) is not None:
        out[THRESHOLD_LEVEL] = (t.assessed_at, THRESHOLD_LEVEL)
        out[ROUTE] = (t.decided_at, t.decision_field)
    closing = next((s for s in pathway.steps if s.effect == "closes_case" and s.effect_field), None)
    if closing is not None:
        out[CLOSURE] = (closing.id, closing.effect_field)  # type: ignore[assignment]
    return out


def _current() -> dict[str, tuple[str, str]]:
    from domain.pathway import current_pathway  # the pathway is data; it imports the policy, as this does

    return decision_fields(current_pathway())


# the pathway in force's decisions (read models name them by this; a case asks its own pathway)
DECISION_FIELDS: dict[str, tuple[str, str]] = _current()


def decisions_resting_on(pathway: Pathway, step_id: str) -> tuple[str, ...]:
    """The decisions that rested on `step_id`'s record: its threshold assessment's level, the route
    decided there, the closure it made."""
    return tuple(d for d, (step, _) in decision_fields(pathway).items() if step == step_id)


def new_decision_field(pathway: Pathway, decision: str) -> RecordField:
    """The review's field for the new decision, when it is changed."""
    _, field = decision_fields(pathway)[decision]
    if decision == THRESHOLD_LEVEL:
        return RecordField(name=f"new_{field}", type="choice", choices=LEVELS, required=False,
                           help="the threshold level as it is now decided")
    step = pathway.step(decision_fields(pathway)[decision][0])
    held = step.field(field) if step else None
    if held is None:
        raise ValueError(f"the pathway's {decision} decision field {field!r} is not on its step")
    return held.model_copy(update={"name": f"new_{field}", "required": False, "help": "the decision as it is now made"})


def review_step(pathway: Pathway, decision: str, role: str) -> Step:
    """The review step a corrected record opens for `decision`'s maker (`role`, as recorded on the
    step that decided it): they confirm the decision, or record the new one, with a reason."""
    if decision not in decision_fields(pathway):
        raise ValueError(f"unknown decision {decision!r}; this pathway records: {', '.join(decision_fields(pathway))}")
    new = new_decision_field(pathway, decision)
    return Step(
        id=REVIEW_STEP, title=REVIEW_TITLES[decision],
        seed="issue 22: a decision already recorded stands; when the record it rested on is corrected, its maker "
             "confirms it or records a new one",
        role=role, opens=OnAmendment(), deadline=REVIEW_DEADLINE,  # type: ignore[arg-type]
        effect="acts_on_new_decision",
        record=(
            RecordField(name=DECISION_STANDS, type="choice", choices=(CONFIRMED, CHANGED),
                        help="does the decision stand with the corrected record?"),
            RecordField(name=REVIEW_REASON, type="text", help="why the decision stands, or why it changed"),
            new,
        ),
        requires=(Requirement(fields=(new.name,), when=eq(DECISION_STANDS, CHANGED),
                              reason="the decision changed: record the new decision"),),
    )

