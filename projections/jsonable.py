"""Values in read-model documents and answers are JSON: instants as pydantic writes them in facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

_INSTANT = TypeAdapter(datetime)
_ANY = TypeAdapter(Any)


def iso(at: datetime | None) -> str | None:
    """As pydantic writes an instant in JSON (UTC as "Z"), made by `isoformat`, which is several times
    quicker: read models write one or more for most facts they fold. An offset in seconds is pydantic's."""
    if at is None:
        return None
    if type(at) is datetime:
        offset = at.utcoffset()
        if offset is None:
            return at.isoformat()
        if not offset:
            return at.isoformat()[:-6] + "Z"
        if not offset.seconds % 60 and not offset.microseconds:
            return at.isoformat()
    return _INSTANT.dump_python(at, mode="json")


def jsonable(value: Any) -> Any:
    """Models, instants and dates as the JSON they are stored as."""
    return _ANY.dump_python(value, mode="json")
