"""Checks a step's record against the fields the pathway asks for.

Pure and deterministic: it runs inside the workflow's update validators, so a bad record
is rejected before anything enters history or the event store.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from domain.policy import RecordField, Step


class RecordError(ValueError):
    """A record that does not fit its step; the message names every problem."""


def _check(field: RecordField, value: Any) -> tuple[Any, str | None]:
    t = field.type
    if t == "bool":
        return value, None if isinstance(value, bool) else f"must be true or false, got {value!r}"
    if t == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return value, f"must be a whole number of 0 or more, got {value!r}"
        return value, None
    if t == "percent":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            return value, f"must be a number from 0 to 100, got {value!r}"
        return value, None
    if t == "choice":
        if value not in field.choices:
            return value, f"must be one of {', '.join(field.choices)}; got {value!r}"
        return value, None
    if t == "object":
        return value, None if isinstance(value, dict) else f"must be a JSON object, got {value!r}"
    if t == "instant":
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            return value, f"must be an ISO 8601 date-time with a UTC offset, got {value!r}"
        return parsed.astimezone(timezone.utc).isoformat(), None
    if not isinstance(value, str) or not value.strip():
        return value, f"must be non-empty text, got {value!r}"
    return value.strip(), None


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
        value, problem = _check(field, record[field.name])
        if problem:
            problems.append(f"field {field.name!r} {problem}")
        else:
            clean[field.name] = value
    if problems:
        raise RecordError(f"record for {step.id}: " + "; ".join(problems))
    return clean
