"""`safeguard report national`: the tables of the national Safeguarding Adults Collection (issue 12)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

import typer

from casework import oversight
from casework.inputs import parse_as_at
from cli import common, identity, runtime  # noqa: F401  (tests point runtime.records at their store)
from cli.common import CommandError, emit_json, escaped
from cli.runtime import guarded, ports
from domain.sac_tables import csv_tables, label
from evidence.files import private_dir, write_private
from evidence.store import EvidenceError

app = typer.Typer(help="Reports for returns made outside the provider.", no_args_is_help=True)


@app.command()
def national(year: int = typer.Option(..., "--year", min=2000, max=2100,
                                      help="the collection's financial year: 2027 is 1 April 2027 to 31 March 2028"),
             csv_dir: Optional[Path] = typer.Option(None, "--csv", help="also write one CSV per table into this directory"),
             outside: bool = typer.Option(False, "--outside-organisation",
                                          help="for sharing outside the organisation: counts below 5 shown as \\[c], "
                                               "the rest rounded to 5, no figures per service"),
             as_at_: Optional[str] = typer.Option(None, "--as-at", help="as the records stood then (before a correction, "
                                                  "say): an ISO date (its end, London) or instant"),
             as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """The Safeguarding Adults Collection's tables, counted as NHS England counts them (docs/sac.md):
    concerns the local authority received, the enquiries it started, and the details of those that
    concluded; then the provider's own figures, apart."""
    principal = guarded(lambda: identity.reading("report national"))
    at = guarded(lambda: parse_as_at(as_at_, common.now())) if as_at_ else None
    report = guarded(lambda: oversight.national(ports(), principal, year, outside, at))
    if csv_dir is not None:
        guarded(lambda: _write(csv_dir, csv_tables(report)))
    if as_json:
        emit_json(report)
        return
    _print(report, at)
    if csv_dir is not None:
        typer.echo(f"\nCSV tables written to {csv_dir}")


def _write(folder: Path, tables: dict[str, list[list[Any]]]) -> None:
    """One CSV per table. The folder must hold nothing but this export's tables: a return shared
    outside the organisation must never sit beside an earlier run's unsuppressed files."""
    if folder.is_symlink():
        raise CommandError(f"{folder} is a link: give the folder itself")
    if folder.is_dir():
        other = sorted(p.name for p in folder.iterdir() if p.name not in tables)
        if other:
            raise CommandError(f"{folder} holds files this return does not write ({', '.join(other[:5])}"
                               f"{', ...' if len(other) > 5 else ''}): give an empty or new folder")
    try:
        private_dir(folder)
        for name, rows in tables.items():
            text = io.StringIO()
            csv.writer(text).writerows(rows)
            write_private(folder / name, text.getvalue().encode("utf-8"))
    except EvidenceError as e:
        raise CommandError(str(e)) from None
    except OSError as e:
        raise CommandError(f"cannot write the tables into {folder}: {e.strerror or type(e).__name__}") from None


def _print(r: dict[str, Any], at: datetime | None) -> None:
    shown = " (counts below 5 shown as [c], the rest rounded to 5)" if r["suppressed"] else ""
    then = f" as at {at.isoformat()}" if at is not None else ""
    typer.echo(f"Safeguarding Adults Collection {r['year']} ({r['period']['start']} to {r['period']['end']}){then}{shown}")
    sg1f = r["sg1f"]
    typer.echo(f"  SG1f: concerns {sg1f['concerns']}, section 42 enquiries {sg1f['section_42_enquiries']}, "
               f"other enquiries {sg1f['other_enquiries']}")
    for part, title in (("section_42", "Concluded section 42 enquiries"), ("other_enquiries", "Concluded other enquiries (optional)")):
        details = r[part]
        typer.echo(f"  {title}: {details['concluded']}")
        for key in ("sg2a_type_by_source", "sg2b_location_by_source"):
            typer.echo(f"    {key[:4].upper()}:")
            for row, cells in details[key].items():
                typer.echo(f"      {label(row)}: " + ", ".join(f"{label(s)} {n}" for s, n in cells.items()))
        for key in ("sg2c_risk_assessment_outcome", "sg2e_risk_outcome", "sg3a_capacity"):
            typer.echo(f"    {key[:4].upper()}: " + ", ".join(f"{label(k)} {v}" for k, v in details[key].items()))
        msp = details["sg4a_making_safeguarding_personal"]
        typer.echo("    SG4A asked: " + ", ".join(f"{label(k)} {v}" for k, v in msp["asked"].items()))
        typer.echo("    SG4A achieved: " + ", ".join(f"{label(k)} {v}" for k, v in msp["achieved"].items()))
    for line in r["not_produced"]:
        typer.echo(f"  Not produced: {line}")
    p = r["provider"]
    typer.echo("  The provider's own figures (not part of the collection): "
               + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in p.items() if not isinstance(v, dict)))
    for s in r.get("services") or []:
        typer.echo(f"  {escaped(s['service_id'])}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s.items() if k != "service_id"))
