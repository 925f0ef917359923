"""What every command shares: reading JSON input, printing output, and failing clearly."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from casework.errors import describe_validation

M = TypeVar("M", bound=BaseModel)

EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3


class CommandError(Exception):
    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def read_json(path: Path) -> Any:
    if str(path) == "-":
        text, where = sys.stdin.read(), "standard input"
    else:
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        text, where = path.read_text(encoding="utf-8"), str(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise CommandError(f"{where} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None


def load_model(path: Path, model: type[M], what: str | None = None) -> M:
    data = read_json(path)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise CommandError(describe_validation(e, what or str(path))) from None


def build(model: type[M], what: str, **fields: Any) -> M:
    """A model from command-line values, or a CommandError naming each bad value."""
    try:
        return model.model_validate(fields)
    except ValidationError as e:
        raise CommandError(describe_validation(e, what)) from None


def _default(o: Any) -> Any:
    if isinstance(o, BaseModel):
        return o.model_dump(mode="json")
    if isinstance(o, datetime):
        return o.isoformat()
    raise TypeError(f"cannot serialise {type(o).__name__}")


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=_default))
