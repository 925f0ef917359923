"""The one condition language (domain/conditions.py) on a step's record: missing optional
fields, the pathway's own conditions, and the old pathway shapes recorded in histories."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from activities.models import CasePolicy
from domain.conditions import Condition, FactSpec, all_, any_, count_true, eq, ge, is_, not_, one_of
from domain.pathway import current_pathway
from domain.policy import AfterStep, Escalate, Step, UntilRecorded

pytestmark = pytest.mark.unit

CONDITION = TypeAdapter(Condition)
HISTORIES = Path(__file__).parent / "histories"


# --- on a record, a missing (optional) field never matches and never raises ----------------

@pytest.mark.parametrize("condition", [
    is_("x"), not_("x"), eq("n", 0), eq("c", "some"), one_of("c", "none", "some"), ge("n", 1),
    count_true(("x", "y"), 1), all_(is_("x")),
], ids=lambda c: c.describe())
def test_a_missing_field_never_matches(condition):
    assert condition.holds({}) is False
    assert condition.holds({"other": True}) is False


def test_negations_hold_only_where_the_field_is_present():
    assert any_(is_("x"), not_("y")).holds({"x": True}) is True
    assert any_(is_("x"), not_("y")).holds({"y": False}) is True
    assert any_(is_("x"), not_("y")).holds({}) is False


def test_count_true_counts_a_missing_field_as_not_true():
    three = ("humiliation", "coercion", "exploitation")
    assert count_true(three, 2).holds({"humiliation": True, "coercion": True}) is True
    assert count_true(three, 2).holds({"humiliation": True}) is False


def test_record_values_of_another_type_never_match():
    assert is_("x").holds({"x": 1}) is False  # bool is an int in Python; not here
    assert eq("n", 1).holds({"n": True}) is False
    assert ge("n", 1).holds({"n": True}) is False
    assert ge("n", 1).holds({"n": "3"}) is False
    assert ge("percent", 50).holds({"percent": 62.5}) is True


# --- the pathway's conditions --------------------------------------------------------------

def _conditions(pathway, step: Step):
    """(condition, the step whose record it is on): an opening's is on the step it follows."""
    for t in step.triggers:
        yield t.when, step
    for opening in (step.opens, *step.also_opens):
        if isinstance(opening, AfterStep) and opening.when is not None:
            yield opening.when, pathway.step(opening.step)
    if isinstance(step.repeat, UntilRecorded):
        yield step.repeat.condition, step
    for r in step.requires:  # conditional fields (pathways from 2026.12.1): on this record or another step's
        yield r.when, pathway.step(r.on_step) if r.on_step else step
    for c in step.checks:
        yield c.must, step


def test_every_pathway_condition_refers_to_its_steps_fields_with_the_right_types():
    pathway = current_pathway()
    checked = 0
    for step in pathway.steps:
        for cond, on in _conditions(pathway, step):
            vocab = {f.name: FactSpec(name=f.name, type=f.type, help=f.help, choices=f.choices)
                     for f in on.record if f.type in ("bool", "int", "choice")}
            cond.check(vocab, f"{pathway.name}/{step.id}")
            checked += 1
    # 2026.12.1: two openings, a repeat, eight conditional requirements, a check; 2026.12.2: an opening,
    # six requirements (the enquiry's outcome 2, the family 2, the source's views, the care plan)
    assert checked == 7 + 3 + 8 + 1 + 1 + 6


def test_pathway_conditions_read_in_messages():
    p = current_pathway()
    assert p.step("external_referral").opens.when.describe() == "external_threshold_met"
    assert p.step("follow_up_review").repeat.condition.describe() == "stabilised"
    assert p.step("route_decision").triggers[0].when.describe() == "at least 2 of (humiliation, coercion, exploitation)"


# --- old pathway shapes (histories recorded before one language) are upcast -----------------

OLD_AND_NEW = [
    ({"kind": "is_true", "field": "stabilised"}, is_("stabilised")),
    ({"kind": "any_true", "fields": ["a", "b", "c"]}, any_(is_("a"), is_("b"), is_("c"))),
    ({"kind": "count_true", "fields": ["a", "b", "c"], "at_least": 2}, count_true(("a", "b", "c"), 2)),
]
RECORDS = [{}, {"a": True}, {"a": True, "b": True}, {"a": False, "b": True, "c": True}, {"stabilised": True},
           {"stabilised": False}, {"a": 1, "b": "true", "c": True}]


@pytest.mark.parametrize("old, new", OLD_AND_NEW, ids=lambda v: v["kind"] if isinstance(v, dict) else None)
def test_an_old_shape_loads_as_the_equivalent_condition(old, new):
    loaded = CONDITION.validate_python(old)
    assert loaded == new
    assert CONDITION.validate_json(json.dumps(old)) == new
    assert [loaded.holds(r) for r in RECORDS] == [new.holds(r) for r in RECORDS]
    # and wherever the pathway holds a condition
    assert AfterStep.model_validate({"kind": "after_step", "step": "s", "when": old}).when == new
    assert UntilRecorded.model_validate({"kind": "until_recorded", "condition": old}).condition == new
    assert Escalate.model_validate({"when": old, "to_role": "team_leader", "reason": "r"}).when == new


def test_the_old_shapes_hold_as_the_old_classes_did():
    # the removed IsTrue / AnyTrue / CountTrue, as they were
    old_holds = {
        "is_true": lambda c, r: r.get(c["field"]) is True,
        "any_true": lambda c, r: any(r.get(f) is True for f in c["fields"]),
        "count_true": lambda c, r: sum(r.get(f) is True for f in c["fields"]) >= c["at_least"],
    }
    for old, _ in OLD_AND_NEW:
        loaded = CONDITION.validate_python(old)
        assert [loaded.holds(r) for r in RECORDS] == [old_holds[old["kind"]](old, r) for r in RECORDS]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError):
        CONDITION.validate_python({"kind": "all_true", "fields": ["a"]})


def _recorded_policy(history: str) -> bytes:
    for e in json.loads((HISTORIES / history).read_text())["events"]:
        for payload in e.get("activityTaskCompletedEventAttributes", {}).get("result", {}).get("payloads", []):
            data = base64.b64decode(payload["data"])
            if b'"pathway"' in data:
                return data
    raise AssertionError(f"no case policy recorded in {history}")


def test_a_pathway_recorded_in_the_old_shapes_loads_with_todays_conditions():
    recorded = _recorded_policy("full_pathway@2026.11.2.json")
    assert b'"kind":"is_true"' in recorded  # recorded in the old shapes
    then = CasePolicy.model_validate_json(recorded).pathway
    today = current_pathway()
    assert [s.id for s in then.steps] == [s.id for s in today.steps][:len(then.steps)]  # 2026.12.1 added steps after them
    for old, new in zip(then.steps, today.steps):  # the conditions read the same, whatever else changed since
        assert (old.opens, old.repeat, old.triggers) == (new.opens, new.repeat, new.triggers), old.id