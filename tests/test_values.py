"""The one value checker (domain/values.py) that records, threshold facts and conditions share."""

from __future__ import annotations

import pytest

from domain import values
from domain.conditions import FactSpec, eq, one_of
from domain.policy import RecordField, Step
from domain.records import RecordError, validate_record

pytestmark = pytest.mark.unit

LEVELS = ("none", "some", "significant")


@pytest.mark.parametrize("type, value, normalised", [
    ("bool", False, False),
    ("int", 0, 0),
    ("int", 12, 12),
    ("percent", 0, 0),
    ("percent", 62.5, 62.5),
    ("percent", 100, 100),
    ("choice", "some", "some"),
    ("object", {"impact": "some"}, {"impact": "some"}),
    ("text", "  shouted at B-2 ", "shouted at B-2"),
    ("instant", "2027-01-12T10:30:00+01:00", "2027-01-12T09:30:00+00:00"),
])
def test_a_good_value_comes_back_normalised(type, value, normalised):
    assert values.check(type, value, LEVELS) == (normalised, None)


@pytest.mark.parametrize("type, value, problem", [
    ("bool", "yes", 'expects true or false, got "yes" (string)'),
    ("bool", 1, "expects true or false, got 1 (number)"),
    ("int", True, "expects a whole number, 0 or more, got true (boolean)"),
    ("int", -1, "expects a whole number, 0 or more, got -1 (number)"),
    ("int", 1.5, "expects a whole number, 0 or more, got 1.5 (number)"),
    ("percent", 101, "expects a number from 0 to 100, got 101 (number)"),
    ("percent", False, "expects a number from 0 to 100, got false (boolean)"),
    ("choice", "huge", "expects one of 'none', 'some', 'significant', got \"huge\" (string)"),
    ("choice", None, "expects one of 'none', 'some', 'significant', got null (null)"),
    ("choice", ["some"], "expects one of 'none', 'some', 'significant', got [\"some\"] (array)"),
    ("object", [], "expects a JSON object, got [] (array)"),
    ("text", "   ", 'expects non-empty text, got "   " (string)'),
    ("text", 3, "expects non-empty text, got 3 (number)"),
    ("instant", "2027-01-12T10:30:00", 'expects an ISO 8601 date-time with a UTC offset, got "2027-01-12T10:30:00" (string)'),
    ("instant", "tomorrow", 'expects an ISO 8601 date-time with a UTC offset, got "tomorrow" (string)'),
])
def test_a_bad_value_is_named_with_what_was_expected_and_what_came(type, value, problem):
    assert values.check(type, value, LEVELS) == (value, problem)


def test_records_facts_and_conditions_say_it_the_same_way():
    step = Step(id="s", title="S", seed="test", role="team_leader", opens={"kind": "at_start"}, deadline=None,
                record=(RecordField(name="impact", type="choice", choices=LEVELS),))
    expected = "expects one of 'none', 'some', 'significant', got \"severe\" (string)"

    with pytest.raises(RecordError) as record:
        validate_record(step, {"impact": "severe"})
    assert str(record.value) == f"record for s: field 'impact' {expected}"

    impact = FactSpec(name="impact", type="choice", help="impact", choices=LEVELS)
    with pytest.raises(ValueError) as condition:
        eq("impact", "severe").check({"impact": impact}, "t/t.r1")
    assert str(condition.value) == f"t/t.r1: condition on fact 'impact' {expected}"
    with pytest.raises(ValueError, match="condition on fact 'impact' expects one of"):
        one_of("impact", "some", "severe").check({"impact": impact}, "t/t.r1")


def test_an_unknown_type_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown value type 'date'"):
        values.check("date", "2027-01-12")

