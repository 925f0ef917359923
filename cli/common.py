"""What every command shares: reading JSON input, printing output, and failing clearly."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from casework.errors import describe_validation
from configuration.settings import get_settings
from domain.inputs import CLOCK_SKEW, InputRules

M = TypeVar("M", bound=BaseModel)

EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3


class CommandError(Exception):
    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    typer.echo(f"error: {plain(message)}", err=True)
    raise typer.Exit(code)


# ---- text output: one value, one line -------------------------------------------------------


def plain(text: Any) -> str:
    """Text for one line of output: newlines, ANSI escapes, NUL and every other unprintable
    character shown as an escape (\\n, \\x1b), so a value can never draw a fake line or drive the terminal."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def escaped(data: Any) -> Any:
    """`data` (JSON-like: dicts, lists, strings) with every string made `plain`, for text output."""
    if isinstance(data, str):
        return plain(data)
    if isinstance(data, dict):
        return {k: escaped(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [escaped(v) for v in data]
    return data


def say(text: str = "") -> None:
    """Print one line of text output, escaped (see `plain`)."""
    typer.echo(plain(text))


def duration(seconds: int) -> str:
    h, m = divmod(max(seconds, 0) // 60, 60)
    return f"{h}h{m:02d}m"


def deadline_line(d: dict[str, Any]) -> str:
    """One open deadline (a row of the dashboard's `deadlines`), as `deadlines` and `dashboard` print it:
    due instant, case, service, step, role (and whom it escalated to), time left."""
    if d["due"] is None:
        left = "no deadline"
    elif d["overdue"]:
        left = f"OVERDUE by {duration(-d['time_left_s'])}"
    else:
        left = (f"{duration(d['working_time_left_s'])} working time left ({duration(d['time_left_s'])} clock)"
                if d.get("working_time", True) else f"{duration(d['time_left_s'])} left")
    role = d["role"] + (f" -> {', '.join(d['escalated_to'])}" if d["escalated_to"] else "")
    return f"{d['due'] or '-':<25} {d['case_id']:<22} {d['service_id']:<10} {d['step']}#{d['occurrence']:<2} {role:<30} {left}"


# ---- input ----------------------------------------------------------------------------------


def now() -> datetime:
    """The CLI's clock (tests of records on a scenario's clock set it)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def parse_as_at(text: str, at: datetime | None = None, option: str = "--as-at") -> datetime:
    """`--as-at`: an ISO date (the end of that day in London, where the records are kept) or an
    instant with its UTC offset; refused if it has no offset (which zone?) or is in the future
    (nothing is known of it yet), as `identified_at` is."""
    from domain.governance import local_midnight  # London midnights; imported late, the CLI starts faster

    current = at or now()
    try:
        if len(text) == 10:
            value = local_midnight(date.fromisoformat(text) + timedelta(days=1)) - timedelta(seconds=1)
        else:
            value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r} is not an ISO date (2027-03-03) or instant (2027-03-03T09:00:00+00:00)") from None
    if value.tzinfo is None:
        raise CommandError(f"{option} {text!r} has no UTC offset: add one, e.g. {text}+00:00 (or Z)")
    if value > current + CLOCK_SKEW and len(text) != 10:
        raise CommandError(f"{option} {text!r} is in the future: records can only be shown as they stood up to now")
    if len(text) == 10 and value - timedelta(days=1) > current:
        raise CommandError(f"{option} {text!r} is a future date: records can only be shown as they stood up to now")
    return min(value, current) if len(text) == 10 else value

MAX_DEPTH = 32  # nothing Safeguard reads nests deeper; a deeper file is a mistake or an attack


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


def _read_text(path: Path) -> tuple[str, str]:
    if str(path) == "-":
        raw, where = sys.stdin.buffer.read(), "standard input"
    else:
        where = str(path)
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        if path.is_dir():
            raise CommandError(f"{path}: cannot read a directory: give a JSON file")
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise CommandError(f"{path}: cannot read it: {e.strerror or e}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CommandError(f"{where} is UTF-16 text: save it as UTF-8")
    try:
        return raw.decode("utf-8-sig"), where  # a byte order mark, as some editors write, is allowed
    except UnicodeDecodeError as e:
        raise CommandError(f"{where} is not UTF-8 text (byte {e.start + 1} is not UTF-8): save it as UTF-8") from None


def read_json(path: Path) -> Any:
    """The JSON in a file ('-': standard input), or a CommandError saying plainly what is wrong:
    not UTF-8, not JSON (line and column), a duplicate key, NaN or Infinity, nested too deep."""
    text, where = _read_text(path)
    return parse_json(text, where)


def parse_json(text: str, where: str) -> Any:
    """`text` as JSON, under the same rules as a file (the API reads request bodies with it)."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=_finite,
                          parse_int=_bounded_int)
    except json.JSONDecodeError as e:
        raise CommandError(f"{where} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except _Refused as e:
        raise CommandError(f"{where}: {e}") from None
    except RecursionError:
        raise CommandError(f"{where} nests brackets too deeply (at most {MAX_DEPTH} levels)") from None
    except ValueError as e:  # e.g. an integer of thousands of digits
        raise CommandError(f"{where} is not valid JSON: {e}") from None
    if _depth(data) > MAX_DEPTH:
        raise CommandError(f"{where} nests brackets too deeply (at most {MAX_DEPTH} levels)")
    return data


def input_rules() -> InputRules:
    """The organisation's input rules (ids, late reports), from the settings."""
    try:
        return get_settings().input_rules()
    except ValidationError as e:
        raise CommandError(describe_validation(e, "settings (SAFEGUARD_*)")) from None


def validate(data: Any, model: type[M], what: str, context: dict[str, Any] | None = None) -> M:
    """`data` as `model`, or a CommandError naming each bad value. With `context`
    (`InputRules.context()`), checked as input: ids, sizes, characters, instants."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as e:
        raise CommandError(describe_validation(e, what)) from None


def load_model(path: Path, model: type[M], what: str | None = None, context: dict[str, Any] | None = None) -> M:
    return validate(read_json(path), model, what or str(path), context)


def build(model: type[M], what: str, context: dict[str, Any] | None = None, **fields: Any) -> M:
    """A model from command-line values, or a CommandError naming each bad value."""
    return validate(fields, model, what, context)


def _default(o: Any) -> Any:
    if isinstance(o, BaseModel):
        return o.model_dump(mode="json")
    if isinstance(o, datetime):
        return o.isoformat()
    raise TypeError(f"cannot serialise {type(o).__name__}")


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=_default))
