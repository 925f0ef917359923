"""`safeguard pathway`: the escalation pathway in force, step by step."""

from __future__ import annotations

import typer

from cli.common import emit_json
from configuration.settings import get_settings
from domain.case.decide import opens_when


def pathway(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Show the pathway in force: each step's role, deadline, record fields and triggers."""
    p = get_settings().pathway()  # with any configured step deadlines
    if as_json:
        emit_json(p)
        return
    typer.echo(f"{p.name} {p.version} (from {p.source})")
    for s in p.steps:
        deadline = s.deadline.describe() if s.deadline else "no deadline"
        if s.interval:
            deadline = f"every {s.interval.field} working days recorded by {s.interval.step}"
        typer.echo(f"\n{s.id}  [{s.role}]  {deadline}\n  {s.title} - {s.seed}")
        typer.echo("  records: " + ", ".join(_field(f) for f in s.record))
        typer.echo(f"  {opens_when(s)}")
        for r in s.requires:
            typer.echo(f"  requires {', '.join(r.fields)} when {r.when.describe()}"
                       + (f" on {r.on_step}" if r.on_step else "") + f": {r.reason}")
        for c in s.checks:
            typer.echo(f"  must: {c.must.describe()} ({c.reason})")
        for t in s.triggers:
            typer.echo(f"  trigger: {t.reason} -> {t.to_role}")


def _field(f) -> str:
    """A record field as `name(type[, optional])`, a choice field with the values it takes."""
    kind = f"one of {' | '.join(f.choices)}" if f.choices else f.type
    return f"{f.name}({kind}{'' if f.required else ', optional'})"
