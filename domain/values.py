"""The one value checker: a value against its declared type.

A step's record fields, threshold facts and the values conditions compare with all pass
through here, so they agree on what is valid and say what was wrong in the same words.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Literal

from domain.inputs import CLOCK_SKEW, DEFAULT_RULES, MAX_INT, MAX_TEXT, InputRules, shown, text_problem

# "id": a person's id, checked against the case's id rules (added after "text"; older pathways
# never use it, so they load as they were). "choices": one or more of the choices, each once
# (pathways from 2026.12.2: the types of risk of a case, issue 19)
ValueType = Literal["text", "bool", "int", "choice", "instant", "percent", "object", "id", "choices"]

# Words that fill a field without saying anything: "none recorded" is not evidence, "n/a" not a reason
FILLER_WORDS = ("none", "none recorded", "not recorded", "nil", "n/a", "na", "not known", "unknown", "-", "tbc", "tbd",
                "no evidence", "not applicable")

_EXPECTED = {
    "id": "a service user's id (e.g. A-117), never a name",
    "text": "non-empty text",
    "bool": "true or false",
    "int": "a whole number, 0 or more",
    "percent": "a number from 0 to 100",
    "instant": "an ISO 8601 date-time with a UTC offset",
    "object": "a JSON object",
}


def expected(type: ValueType, choices: tuple[str, ...] = ()) -> str:
    """What a value of `type` must be, in words."""
    if type == "choice":
        return "one of " + ", ".join(repr(c) for c in choices)
    if type == "choices":
        return "a list of one or more of " + ", ".join(repr(c) for c in choices) + ", each once"
    return _EXPECTED[type]


def check(type: ValueType, value: Any, choices: tuple[str, ...] = (), rules: InputRules | None = None,
          now: datetime | None = None) -> tuple[Any, str | None]:
    """Return (the normalised value, None), or (value, "expects ..., got ...").

    With `rules` (input from outside: a case's record, threshold facts), text and numbers are
    bounded and ids checked; with `now`, an instant may not be after it."""
    if rules is not None or type == "id":  # an id is an id whatever the caller: the type is new
        problem = _input_problem(type, value, rules or DEFAULT_RULES)
        if problem:
            return value, problem
    normal = _normalise(type, value, choices)
    if normal is _BAD:
        epoch = ": epoch numbers are not accepted" if type == "instant" and _is_number(value) else ""
        return value, f"expects {expected(type, choices)}, got {show(value)}{epoch}"
    if type == "instant" and now is not None and datetime.fromisoformat(normal) > now + CLOCK_SKEW:
        return value, f"is in the future: {normal} is after now ({now.astimezone(timezone.utc).isoformat()})"
    return normal, None


def _input_problem(type: ValueType, value: Any, rules: InputRules) -> str | None:
    if type in ("text", "id") and isinstance(value, str) and value.strip():  # blank: said below, as before
        problem = text_problem(value, MAX_TEXT) or (rules.id_problem(value, "person") if type == "id" else None)
        return f"{problem}; got {show(value)}" if problem and type == "id" else problem
    if type == "int" and isinstance(value, int) and _is_number(value) and value > MAX_INT:
        return f"expects a whole number from 0 to {MAX_INT:,}, got {show(value)}"
    return None


def show(value: Any) -> str:
    """A value as the JSON it came in as, with its JSON type: `"2" (string)`; a long one cut short."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > 60:
        return f"{shown(value)} ({json_type(value)})"
    return f"{text} ({json_type(value)})"


def json_type(value: Any) -> str:
    for kind, name in ((bool, "boolean"), (int, "number"), (float, "number"), (str, "string"), (list, "array"),
                       (Mapping, "object"), (type(None), "null")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


_BAD = object()


def _is_number(value: Any) -> bool:
    # bool is an int in Python; true is never a number here
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _normalise(type: ValueType, value: Any, choices: tuple[str, ...]) -> Any:
    if type == "bool":
        return value if isinstance(value, bool) else _BAD
    if type == "int":
        return value if isinstance(value, int) and _is_number(value) and value >= 0 else _BAD
    if type == "percent":
        return value if _is_number(value) and 0 <= value <= 100 else _BAD
    if type == "choice":
        return value if isinstance(value, str) and value in choices else _BAD
    if type == "choices":
        ok = (isinstance(value, list) and value and len(set(map(str, value))) == len(value)
              and all(isinstance(v, str) and v in choices for v in value))
        return [c for c in choices if c in value] if ok else _BAD  # in the vocabulary's order
    if type == "object":
        return value if isinstance(value, dict) else _BAD
    if type == "instant":
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            return _BAD
        try:
            return parsed.astimezone(timezone.utc).isoformat()
        except OverflowError:  # its offset takes it off the calendar (year 1, year 9999)
            return _BAD
    if type in ("text", "id"):
        return value.strip() if isinstance(value, str) and value.strip() else _BAD
    raise ValueError(f"unknown value type {type!r}")
