"""Values in read-model documents and answers are JSON: instants as pydantic writes them in facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

_INSTANT = TypeAdapter(datetime)
_ANY = TypeAdapter(Any)


def iso(at: datetime | None) -> str | None:
    return None if at is None else _INSTANT.dump_python(at, mode="json")


def jsonable(value: Any) -> Any:
    """Models, instants and dates as the JSON they are stored as."""
    return _ANY.dump_python(value, mode="json")
