"""How a recorded value is worded for people, by the pages and by the evidence pack alike:
names humanised, yes/no for booleans, a record's fields as 'Name: value; ...'."""

from __future__ import annotations

import re
from typing import Any, Callable, Collection

_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


def humanise(name: str | None) -> str:
    """'route_decision' -> 'Route decision'."""
    return (name or "").replace("_", " ").capitalize()


def shown(value: Any, instant: Callable[[str], str] = str, leave_out: Collection[str] = ()) -> str:
    """A recorded value as people read it: instants as `instant` words them (the pages: London
    time), a record's fields as 'Name: value; ...' (but those in `leave_out`), lists joined, yes/no
    for booleans."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return instant(value) if _INSTANT.fullmatch(value) else value
    if isinstance(value, dict):
        return "; ".join(f"{humanise(str(k))}: {shown(v, instant, leave_out)}" for k, v in value.items()
                         if k not in leave_out and v not in (None, "", [], {}))
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v, instant, leave_out) for v in value)
    return str(value)
