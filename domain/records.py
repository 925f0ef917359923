"""Checks a step's record against the fields the pathway asks for.

Pure and deterministic: it runs inside the workflow's update validators, so a bad record
is rejected before anything enters history or the event store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain import values
from domain.inputs import InputRules
from domain.policy import Step


class RecordError(ValueError):
    """A record that does not fit its step; the message names every problem."""


def validate_record(step: Step, record: Any, rules: InputRules | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Return the normalised record, or raise RecordError naming each problem. With `rules`,
    text, numbers and ids are bounded as input; with `now` (the case's clock: this runs in
    update validators, which have no other), an instant may not be after it."""
    if not isinstance(record, dict):
        raise RecordError(f"record for {step.id} must be a JSON object, got {type(record).__name__}")
    problems: list[str] = []
    known = {f.name for f in step.record}
    for name in sorted(set(record) - known):
        problems.append(f"unknown field {name!r} (this step records: {', '.join(f.name for f in step.record)})")
    for field in step.record:
        if (field.name not in record or record[field.name] is None) and field.required:
            problems.append(f"missing field {field.name!r} ({field.type})")
    clean, wrong = checked_values(step, record, rules, now)
    if problems or wrong:
        raise RecordError(f"record for {step.id}: " + "; ".join(problems + wrong))
    return clean


def checked_values(step: Step, record: dict[str, Any], rules: InputRules | None = None,
                   now: datetime | None = None) -> tuple[dict[str, Any], list[str]]:
    """The normalised values of the step's fields the record gives, and the problems of the rest."""
    clean: dict[str, Any] = {}
    problems: list[str] = []
    for field in step.record:
        if record.get(field.name) is None:
            continue
        value, problem = values.check(field.type, record[field.name], field.choices, rules, now)
        if problem:
            problems.append(f"field {field.name!r} {problem}")
        else:
            clean[field.name] = value
    return clean, problems
