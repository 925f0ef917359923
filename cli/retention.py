"""`safeguard retention ...`: cases past retention, and their erasure by crypto-shredding."""

from __future__ import annotations

from datetime import date
from typing import Optional

import typer

from cli.common import emit_json, fail, now, plain, say
from cli.evidence import BY
from casework import exports
from cli import identity
from cli.runtime import guarded, ports, records
from configuration.settings import get_settings
from operations.keys import after_shredding
from operations.retention import Due, RetentionError, due as due_cases

app = typer.Typer(help="Retention (UK GDPR): closed cases past retention, erased by destroying their keys.",
                  no_args_is_help=True)
JSON = typer.Option(False, "--json", help="machine-readable output")
TODAY = typer.Option(None, "--today", help="the date to count from (default: today), as YYYY-MM-DD")


def _today(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else now().date()
    except ValueError:
        fail(f"--today {text!r} is not a date (YYYY-MM-DD)")


@app.command()
def due(today: Optional[str] = TODAY, as_json: bool = JSON) -> None:
    """The closed cases past retention (`retention_years` after closure, default 8)."""
    years = get_settings().retention_years
    try:
        found = guarded(lambda: due_cases(records(), years, _today(today)))
    except RetentionError as e:
        fail(str(e))
    if as_json:
        emit_json({"retention_years": years, "due": [d.as_json() for d in found]})
        return
    say(f"{len(found)} case(s) past retention ({years} years after closure)")
    for d in found:
        say(f"  {d.case_id}  closed {d.closed_at.date().isoformat()}  due {d.due_on.isoformat()}")
    _warn(found)


def _warn(cases: list[Due]) -> None:
    for d in cases:
        if d.warning():
            typer.echo(plain(f"warning: {d.warning()}"), err=True)


@app.command("apply")
def apply_(today: Optional[str] = TODAY, by: Optional[str] = BY, as_json: bool = JSON) -> None:
    """Erase every case past retention: destroy its key, record the erasure, rebuild the read models."""
    on = _today(today)
    principal = guarded(lambda: identity.answering(by, "retention apply"))

    def erased(d: Due) -> None:
        if not as_json:
            say(f"  {d.case_id}: erased under retention on {on.isoformat()}")

    done = guarded(lambda: exports.apply_retention(ports(), principal, on, now(), erased))
    rotate = after_shredding(get_settings()) if done else None
    if as_json:
        emit_json({"erased_on": on.isoformat(), "erased": [d.as_json() for d in done], "rotate_master_key": bool(rotate)})
    else:
        say(f"{len(done)} case(s) erased under retention on {on.isoformat()}")
        if rotate:
            say(rotate)
    _warn(done)
