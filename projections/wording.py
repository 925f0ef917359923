"""How a recorded value is worded for people, by the pages and by the evidence pack alike:
names humanised, yes/no for booleans, a record's fields as 'Name: value; ...'."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable, Collection
from zoneinfo import ZoneInfo

_LONDON = ZoneInfo("Europe/London")
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


def uk_time(value: datetime | str) -> str:
    """'Tue 12 Jan 2027, 09:50 GMT' (BST in summer), as the pages say an instant."""
    instant = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    local = instant.astimezone(_LONDON)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"


def escalation_ended(title: str, how: str, at: str) -> str:
    """What became of a missed deadline's escalation once its step (by its title) was done
    (necessarily late) or withdrawn, `at` already in words: nobody acknowledged it, and nobody needed to."""
    did = "done late" if how == "done" else "withdrawn"
    return f"{title} was {did} at {at}; no acknowledgement was needed after that."
