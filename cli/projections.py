"""`safeguard dashboard` and `safeguard projections`: the oversight dashboard and the read models behind it."""

from __future__ import annotations

import time
from typing import Optional

import typer

from casework import oversight
from casework.inputs import parse_as_at
from cli import identity
from cli import common
from cli.common import CommandError, deadline_line, emit_json, say
from cli.runtime import guarded, ports, records
from bootstrap import open_records
from configuration.settings import get_settings
from projections.feed import ProjectionFeed
from projections.parallel import rebuild_in_processes
from projections.registry import open_feed, read_models

projections_app = typer.Typer(help="Read models: status, rebuild from zero.", no_args_is_help=True)


def dashboard(
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    as_at_: Optional[str] = typer.Option(None, "--as-at", help="show the dashboard as it stood then (ISO date or instant)"),
) -> None:
    """Live cases, every open deadline (overdue first) with working time left, escalations, oversight due."""
    principal = guarded(lambda: identity.reading("dashboard"))
    view = guarded(lambda: oversight.dashboard(ports(), principal, common.now(), parse_as_at(as_at_, common.now()) if as_at_ else None))
    if as_json:
        emit_json(view)
        return
    say(f"Oversight dashboard as at {view['as_at']}: {len(view['live_cases'])} live case(s)")
    for c in view["live_cases"]:
        risk = "  OPEN RISK BEYOND TIMESCALE" if c["open_risk_beyond_timescale"] else ""
        say()
        say(f"{c['case_id']}  {c['service']['name']} ({c['service']['id']})  adult {c['adult_at_risk']}, "
            f"source {c['alleged_source']}  [{c['status']}]{risk}")
        for e in c["escalations_outstanding"]:
            say(f"  escalation {e['escalation_id']} {e['at']} {e['step']} -> {e['to_role']}: {e['reason']}")
            for a in sorted(e.get("alerts") or [], key=lambda a: a["rung"]):  # who was told, rung by rung
                told = ", ".join(f"{s['user_id']} by {s['channel']} at {s['at']}" for s in a["sent"])
                nobody = f"nobody reached ({a['not_delivered']['reason']})" if a["not_delivered"] else "being sent"
                say(f"    alerted {a['to_role']}: {told or nobody}")
            say(f"    acknowledged by {e['acknowledged']['by']} at {e['acknowledged']['at']}" if e.get("acknowledged")
                else "    not acknowledged")
    say()
    say("Deadlines (overdue first):")
    for d in view["deadlines"]:
        say(f"  {deadline_line(d)}")


@projections_app.command("status")
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """Each read model's position in the event store's notification log."""
    feed = guarded(lambda: open_feed(records()))
    last = feed.last_position()
    rows = [{"read_model": m.name, "position": feed.documents.position(m.name), "last_event": last} for m in feed.models]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['read_model']:<24} at {r['position']} of {r['last_event']}")


def _known(feed: ProjectionFeed, names: list[str]) -> None:
    try:
        for n in names:
            feed.model(n)
    except KeyError as e:
        raise CommandError(e.args[0]) from None


@projections_app.command("rebuild")
def rebuild(
    name: Optional[str] = typer.Argument(None, help="one read model (default: all, together)"),
    processes: int = typer.Option(1, "--processes", min=1, help="share every model out between this many processes"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Rebuild read models from zero, from the event store, showing progress. Every model (the
    default) is rebuilt in one pass through the log, each event read and decoded once for all;
    with --processes, the models are shared out between processes, each with its own pass."""
    feed = guarded(lambda: open_feed(records()))
    names = [name] if name else [m.name for m in read_models()]
    guarded(lambda: _known(feed, names))
    started = time.perf_counter()
    if processes > 1 and not name:
        done = guarded(lambda: rebuild_in_processes(open_records, get_settings(), names, processes))
        seconds = time.perf_counter() - started
        rows = [{"read_model": n, "events": count, "seconds": round(seconds, 3), "processes": processes}
                for group, count in done for n in group]
        if as_json:
            emit_json(rows)
        for r in [] if as_json else rows:
            typer.echo(f"{r['read_model']}: rebuilt in {r['seconds']}s, in {processes} processes")
        return
    shown: dict[str, float] = {}
    reached: dict[str, int] = {}

    def progress(view: str, position: int, last: int) -> None:
        reached[view] = position
        if time.perf_counter() - shown.get(view, 0.0) > 0.5 or position == last:
            shown[view] = time.perf_counter()
            typer.echo(f"\r  {view}: {position}/{last} events ({100 * position // max(last, 1)}%)", err=True, nl=position == last)

    guarded(lambda: feed.rebuild(name, progress))
    seconds = time.perf_counter() - started
    results = [{"read_model": n, "events": reached.get(n, 0), "seconds": round(seconds, 3),
                "events_per_second": round(reached.get(n, 0) / seconds) if seconds else None} for n in names]
    if as_json:
        emit_json(results)
        return
    for r in results:
        typer.echo(f"{r['read_model']}: rebuilt from {r['events']} events in {r['seconds']}s ({r['events_per_second']}/s)")
