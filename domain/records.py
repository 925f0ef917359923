"""Checks a step's record against the fields the pathway asks for.

Pure and deterministic: it runs inside the workflow's update validators, so a bad record
is rejected before anything enters history or the event store.
"""

from __future__ import annotations

from typing import Any

from domain import values
from domain.policy import Step


class RecordError(ValueError):
    """A record that does not fit its step; the message names every problem."""


def validate_record(step: Step, record: Any) -> dict[str, Any]:
    """Return the normalised record, or raise RecordError naming each problem."""
    if not isinstance(record, dict):
        raise RecordError(f"record for {step.id} must be a JSON object, got {type(record).__name__}")
    problems: list[str] = []
    clean: dict[str, Any] = {}
    known = {f.name for f in step.record}
    for name in sorted(set(record) - known):
        problems.append(f"unknown field {name!r} (this step records: {', '.join(f.name for f in step.record)})")
    for field in step.record:
        if field.name not in record or record[field.name] is None:
            if field.required:
                problems.append(f"missing field {field.name!r} ({field.type})")
            continue
        value, problem = values.check(field.type, record[field.name], field.choices)
        if problem:
            problems.append(f"field {field.name!r} {problem}")
        else:
            clean[field.name] = value
    if problems:
        raise RecordError(f"record for {step.id}: " + "; ".join(problems))
    return clean
