"""`safeguard report national`: the tables of the national Safeguarding Adults Collection (issue 12)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Optional

import typer

from casework import oversight
from cli import identity, runtime  # noqa: F401  (tests point runtime.records at their store)
from cli.common import emit_json, escaped
from cli.runtime import guarded, ports
from domain.national import csv_tables

app = typer.Typer(help="Reports for returns made outside the provider.", no_args_is_help=True)


@app.command()
def national(year: int = typer.Option(..., "--year", min=2000, max=2100,
                                      help="the collection's financial year: 2027 is 1 April 2027 to 31 March 2028"),
             csv_dir: Optional[Path] = typer.Option(None, "--csv", help="also write one CSV per table into this directory"),
             as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Counts by type, location and source of risk and risk outcome, the Making Safeguarding Personal
    figures, capacity and advocacy, and the same per provider service."""
    principal = guarded(lambda: identity.reading("report national"))
    report = guarded(lambda: oversight.national(ports(), principal, year))
    if csv_dir is not None:
        csv_dir.mkdir(parents=True, exist_ok=True)
        for name, rows in csv_tables(report).items():
            with (csv_dir / name).open("w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows(rows)
    if as_json:
        emit_json(report)
        return
    _print(escaped(report))
    if csv_dir is not None:
        typer.echo(f"\nCSV tables written to {csv_dir}")




def _print(r: dict[str, Any]) -> None:
    c = r["concerns"]
    typer.echo(f"National return {r['year']} ({r['period']['start']} to {r['period']['end']})")
    typer.echo(f"  concerns raised {c['raised']} (mutual harm {c['mutual_harm']}); "
               + ", ".join(f"{k} {v}" for k, v in c["by_threshold_level"].items()))
    typer.echo(f"  cases closed {r['closed']}")
    for table in ("type_of_risk", "location_of_risk", "source_of_risk", "risk_outcome"):
        typer.echo(f"  {table.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in r[table].items()))
    for x in r["risk_remains_reasons"]:
        typer.echo(f"    risk remains ({x['case_id']}, {x['service_id']}): {x['reason']}")
    msp = r["making_safeguarding_personal"]
    typer.echo("  MSP asked: " + ", ".join(f"{k} {v}" for k, v in msp["asked"].items()))
    typer.echo("  MSP outcomes achieved: " + ", ".join(f"{k} {v}" for k, v in msp["outcomes_achieved"].items()))
    typer.echo("  capacity and advocacy: " + ", ".join(f"{k} {v}" for k, v in r["capacity_and_advocacy"].items()))
    for p in r["providers"]:
        typer.echo(f"  {p['service_id']}: " + ", ".join(f"{k} {v}" for k, v in p.items() if k != "service_id"))
