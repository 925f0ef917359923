"""Reading what people send, for every face alike: JSON under one set of rules, a model validated
as input, an "as at" instant, a date. Each refusal is an `Invalid` (or `Malformed`: not JSON at
all) naming the problem; nothing is recorded."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from casework.refusals import Invalid, Malformed
from domain.inputs import CLOCK_SKEW, describe

M = TypeVar("M", bound=BaseModel)
MAX_DEPTH = 32  # nothing Safeguard reads nests deeper; a deeper file is a mistake or an attack


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class _Refused(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Refused(f"key {key!r} appears twice in one object (which one is meant?)")
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number JSON allows: give a number, or leave the field out")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"{text[:20]} is too large a number")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 100:  # Python refuses over 4,300 digits, in words no one reads
        raise _Refused(f"a number of {len(text.lstrip('-')):,} digits is too large")
    return int(text)


def _depth(data: Any) -> int:
    deepest, level = 0, [data]
    while level:
        deepest += 1
        level = [v for x in level if isinstance(x, (dict, list)) for v in (x.values() if isinstance(x, dict) else x)]
    return deepest - 1


def parse_json(text: str, where: str) -> Any:
    """`text` as JSON: Malformed if it is not JSON (line and column); Invalid for a duplicate key,
    NaN or Infinity, a number too large, or nesting deeper than MAX_DEPTH."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=_finite,
                          parse_int=_bounded_int)
    except json.JSONDecodeError as e:
        raise Malformed(f"{where} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except _Refused as e:
        raise Invalid(f"{where}: {e}") from None
    except RecursionError:
        raise Invalid(f"{where} nests brackets too deeply (at most {MAX_DEPTH} levels)") from None
    except ValueError as e:  # e.g. an integer of thousands of digits
        raise Malformed(f"{where} is not valid JSON: {e}") from None
    if _depth(data) > MAX_DEPTH:
        raise Invalid(f"{where} nests brackets too deeply (at most {MAX_DEPTH} levels)")
    return data


def validate(data: Any, model: type[M], what: str, context: dict[str, Any] | None = None) -> M:
    """`data` as `model`, or Invalid naming each bad value. With `context` (`InputRules.context()`),
    checked as input: ids, sizes, characters, instants."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as e:
        raise Invalid(describe(e, what)) from None


def parse_as_at(text: str, now: datetime | None = None, option: str = "--as-at") -> datetime:
    """An "as at": an ISO date (the end of that day in London, where the records are kept) or an
    instant with its UTC offset; refused if it has no offset (which zone?) or is in the future
    (nothing is known of it yet), as `identified_at` is."""
    from domain.governance import local_midnight  # London midnights; imported late, the CLI starts faster

    current = now or utc_now()
    try:
        if len(text) == 10:
            value = local_midnight(parse_date(text, option) + timedelta(days=1)) - timedelta(seconds=1)
        else:
            value = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{option} {text!r} is not an ISO date (2027-03-03) or instant (2027-03-03T09:00:00+00:00)") from None
    if value.tzinfo is not None and not EARLIEST <= value.date() < LATEST:
        raise Invalid(f"{option} {text!r} is {'before ' + str(EARLIEST.year) if value.date() < EARLIEST else 'too far ahead'}: "
                      "Safeguard holds no records from then")
    if value.tzinfo is None:
        raise Invalid(f"{option} {text!r} has no UTC offset: add one, e.g. {text}+00:00 (or Z)")
    if value > current + CLOCK_SKEW and len(text) != 10:
        raise Invalid(f"{option} {text!r} is in the future: records can only be shown as they stood up to now")
    if len(text) == 10 and value - timedelta(days=1) > current:
        raise Invalid(f"{option} {text!r} is a future date: records can only be shown as they stood up to now")
    return min(value, current) if len(text) == 10 else value


EARLIEST = date(2000, 1, 1)  # no record in Safeguard is older: an earlier date is a mistake
LATEST = date(9000, 1, 1)  # a date's end must still be a date


def parse_date(text: str, option: str = "--as-of") -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{option} {text!r} is not an ISO date (2027-03-01)") from None
    if not EARLIEST <= day < LATEST:
        raise Invalid(f"{option} {text!r} is {'before ' + str(EARLIEST.year) if day < EARLIEST else 'too far ahead'}: "
                      "Safeguard holds no records from then")
    return day
