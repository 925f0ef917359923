"""`safeguard retention ...`: cases past retention, and their erasure by crypto-shredding."""

from __future__ import annotations

from datetime import date
from typing import Optional

import typer

from cli.common import emit_json, fail, now, plain, say
from cli.evidence import BY
from cli.identity import acting
from domain.access import may_apply_retention
from cli.runtime import guarded, records
from configuration.settings import get_settings
from operations.retention import Due, RetentionError, apply as apply_retention, due as due_cases
from projections.registry import open_feed

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
    years, store = get_settings().retention_years, records()
    on = _today(today)
    if on > now().date():  # `due --today` may look ahead; erasing cannot be undone, so never early
        fail(f"--today {on.isoformat()} is after today ({now().date().isoformat()}): cases are erased when their "
             "retention has run out, never ahead of it (`retention due --today` shows what will be due then)")
    who, _ = guarded(lambda: acting(by, lambda p: (None, may_apply_retention(p)), "retention apply"))

    def erased(d: Due) -> None:
        if not as_json:
            say(f"  {d.case_id}: erased under retention on {on.isoformat()}")

    try:
        done = guarded(lambda: apply_retention(store, open_feed(store), years, on, who, erased))
    except RetentionError as e:
        fail(str(e))
    if as_json:
        emit_json({"erased_on": on.isoformat(), "erased": [d.as_json() for d in done]})
    else:
        say(f"{len(done)} case(s) erased under retention on {on.isoformat()}")
    _warn(done)
