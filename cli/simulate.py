"""`safeguard simulate`: rehearse a scripted case on the time-skipping test server."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import typer

from casework.inputs import validate
from cli.common import emit_json, fail, input_rules, plain, read_json, say
from cli.runtime import guarded
from configuration.logging import configure_logging
from simulation.runner import ACTION_BOUND, SimulationStalled, run_scenario
from simulation.scenario import Scenario


def simulate(
    file: Path = typer.Option(..., "--file", "-f", help="scenario JSON ('-' for standard input)"),
    as_json: bool = typer.Option(False, "--json", help="print the full result as JSON"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="log every recorded fact"),
    bound: float = typer.Option(ACTION_BOUND, "--bound", min=0.1, help="seconds each action may take before the rehearsal stops"),
) -> None:
    """Run a scripted case (concern, timed actions, run_until) and print what happened."""
    configure_logging(level=logging.INFO if verbose else logging.ERROR)
    # checked as input (ids, sizes); not for a late report: the rehearsal's clock starts at identification
    scenario = guarded(lambda: validate(read_json(file), Scenario, "scenario", input_rules().context()))
    progress = None if as_json else (lambda m: typer.echo(plain(f"  {m}"), err=True))
    try:
        result = asyncio.run(run_scenario(scenario, progress=progress, bound=bound))
    except SimulationStalled as e:
        fail(str(e), 1)  # the rehearsal failed: neither bad input nor a service down
    if as_json:
        emit_json(result)
        return
    say(f"case {result['case_id']}: {result['status']}" + (f" ({result['outcome']})" if result["outcome"] else ""))
    for s in result["steps"]:
        if s["completed_at"]:
            state = f"done {s['completed_at']} " + ("on time" if s["on_time"] else "LATE" if s["on_time"] is False else "")
        elif s["withdrawn_at"]:
            state = f"withdrawn {s['withdrawn_at']}"
        else:
            state = f"MISSED {s['missed_at']}" if s["missed_at"] else "open"
        say(f"  {s['step']}#{s['occurrence']:<2} {s['role']:<30} due {s['due'] or '-':<22} {state}")
    for e in result["escalations"]:
        say(f"  escalation {e['at']} {e['step']}: {e['reason']} -> {e['to_role']}")
    for r in result["rejected"]:
        say(f"  rejected action {r['action_index']}: {r['error']}")
