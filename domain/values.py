"""The one value checker: a value against its declared type.

A step's record fields, threshold facts and the values conditions compare with all pass
through here, so they agree on what is valid and say what was wrong in the same words.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Literal

ValueType = Literal["text", "bool", "int", "choice", "instant", "percent", "object"]

_EXPECTED = {
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
    return _EXPECTED[type]


def check(type: ValueType, value: Any, choices: tuple[str, ...] = ()) -> tuple[Any, str | None]:
    """Return (the normalised value, None), or (value, "expects ..., got ...")."""
    normal = _normalise(type, value, choices)
    if normal is _BAD:
        return value, f"expects {expected(type, choices)}, got {show(value)}"
    return normal, None


def show(value: Any) -> str:
    """A value as the JSON it came in as, with its JSON type: `"2" (string)`."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
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
    if type == "object":
        return value if isinstance(value, dict) else _BAD
    if type == "instant":
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            return _BAD
        return parsed.astimezone(timezone.utc).isoformat()
    if type == "text":
        return value.strip() if isinstance(value, str) and value.strip() else _BAD
    raise ValueError(f"unknown value type {type!r}")
