"""What every command shares: reading a JSON file, printing output, and failing clearly. What the
input must be is casework's to check (casework/inputs.py, the use cases), for every face alike."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

import typer
from pydantic import BaseModel, ValidationError

from casework.inputs import parse_json
from configuration.settings import get_settings
from domain.inputs import InputRules, describe

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
    stopped = f"  CASE STOPPED ({d['stopped']['status']}): not being kept" if d.get("stopped") else ""
    return (f"{d['due'] or '-':<25} {d['case_id']:<22} {d['service_id']:<10} {d['step']}#{d['occurrence']:<2} {role:<30} "
            f"{left}{stopped}")


# ---- input ----------------------------------------------------------------------------------


def now() -> datetime:
    """The CLI's clock (tests of records on a scenario's clock set it)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


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
    """The JSON in a file ('-': standard input), under casework's rules for JSON (casework/inputs.py),
    or a refusal saying plainly what is wrong: not UTF-8, not JSON (line and column), a duplicate
    key, NaN or Infinity, nested too deep."""
    text, where = _read_text(path)
    return parse_json(text, where)


def input_rules() -> InputRules:
    """The organisation's input rules (ids, late reports), from the settings."""
    try:
        return get_settings().input_rules()
    except ValidationError as e:
        raise CommandError(describe(e, "settings (SAFEGUARD_*)")) from None


def _default(o: Any) -> Any:
    if isinstance(o, BaseModel):
        return o.model_dump(mode="json")
    if isinstance(o, datetime):
        return o.isoformat()
    raise TypeError(f"cannot serialise {type(o).__name__}")


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=_default))
