"""The `safeguard` command."""

from __future__ import annotations

import typer

from cli import cases, dev, simulate
from cli.pathway import pathway

app = typer.Typer(
    name="safeguard",
    help="Safeguard: durable, evidenced escalation of peer-to-peer safeguarding concerns.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(dev.dev)
app.command()(dev.worker)
app.add_typer(cases.concern_app, name="concern")
app.add_typer(cases.step_app, name="step")
app.add_typer(cases.escalation_app, name="escalation")
app.command()(cases.deadlines)
app.command()(cases.chronology)
app.command()(simulate.simulate)
app.command()(pathway)

try:  # the threshold tools (issue 3) mount here once present
    from cli import threshold

    app.add_typer(threshold.app, name="threshold")
except ImportError:
    pass

if __name__ == "__main__":
    app()
