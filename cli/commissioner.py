"""`safeguard commissioner`: the commissioner records of 004, one per provider service."""

from __future__ import annotations

import textwrap
from typing import Any, Optional

import typer

from casework import oversight
from casework.inputs import parse_as_at
from cli import common, identity, runtime  # noqa: F401  (tests point runtime.records at their store)
from cli.common import emit_json, escaped
from cli.provider_process import process_app
from cli.runtime import guarded, ports

app = typer.Typer(
    help="Commissioner records (004): per provider service, the concerns, their outcomes, the service reviews "
    "a pattern raises and the Appendix A decision (recommendation / caution / suspension consideration).",
    no_args_is_help=True,
)
app.add_typer(process_app, name="process")

AS_AT = typer.Option(None, "--as-at", help="as the records stood then: an ISO date (its end, UTC) or instant")
JSON = typer.Option(False, "--json", help="print JSON")
WIDTH = 100


@app.command()
def records(as_json: bool = JSON, as_at_: Optional[str] = AS_AT) -> None:
    """Every provider service's record, by service id: the service is named, never a service user."""
    principal = guarded(lambda: identity.reading("commissioner records"))
    out = guarded(lambda: oversight.commissioner(ports(), principal, _instant(as_at_)))
    if as_json:
        emit_json(out)
        return
    out = escaped(out)
    if not out:
        typer.echo("no concerns recorded")
    for i, record in enumerate(out):
        typer.echo("" if i == 0 else "\n", nl=False)
        _print_record(record)


@app.command()
def history(service_id: str, exclude_case: Optional[str] = typer.Option(None, help="leave out this (newly raised) case"),
            as_json: bool = JSON, as_at_: Optional[str] = AS_AT) -> None:
    """A service's earlier concerns and their outcomes: what a newly raised case is told."""
    principal = guarded(lambda: identity.reading("commissioner history"))
    found = guarded(lambda: oversight.history(ports(), principal, service_id, exclude_case, _instant(as_at_)))
    if as_json:
        emit_json(found)
        return
    found = escaped(found)
    typer.echo(f"{found['service_id']}  {found['service_name']} - {found['provider']}")
    typer.echo(f"  concerns {found['concerns']} (open {found['open_concerns']}); {_outcomes(found['outcomes'])}")
    for c in found["earlier_concerns"]:
        typer.echo(f"  {c['raised_at']}  {c['case_id']}  {c['abuse_category'] or '-'}  threshold {c['threshold_level'] or '-'}  "
                   f"{c['status']}{' ' + c['outcome'] if c['outcome'] else ''}")
    typer.echo(f"  service reviews {len(found['service_reviews'])}; decision: {found['decision']}")


def _instant(as_at_text: str | None):
    return guarded(lambda: parse_as_at(as_at_text, common.now())) if as_at_text else None


def _outcomes(o: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in o.items())


def _steps(counted: dict[str, Any]) -> str:
    return f"{counted['total']} (" + ", ".join(f"{k} {v}" for k, v in counted["by_step"].items()) + ")"


def _tally(t: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in t.items()) or "none decided yet"


def _print_record(r: dict[str, Any]) -> None:
    company = f" (company {r['company']})" if r["company"] else ""
    typer.echo(f"{r['service_id']}  {r['service_name']} - {r['provider']}{company} - {r['client_group']}")
    typer.echo(f"  concerns {r['concerns']} (open {r['open_concerns']}), {r['first_concern_at']} to {r['last_concern_at']}")
    typer.echo(f"  types alleged: {_tally(r['concern_types'])}; threshold categories: {_tally(r['threshold_categories'])}")
    typer.echo(f"  service users referred {r['service_users_referred']}, reviewed {r['service_users_reviewed']} "
               f"(concerns reviewed {r['concerns_reviewed']})")
    typer.echo(f"  meetings {_steps(r['meetings'])}")
    typer.echo(f"  actions taken {_steps(r['actions_taken'])}")
    typer.echo(f"  outcomes: {_outcomes(r['outcomes'])}")
    typer.echo(f"  service reviews: {len(r['service_reviews']) or 'none'}")
    for s in r["service_reviews"]:
        typer.echo(_wrap(f"{s['raised_at']}  {s['rule']}: {s['title']}; cases {', '.join(s['cases'])}", "    ", 6))
    if p := r.get("process"):
        late = sum(o["missed"] for o in p["open_steps"])
        typer.echo(_wrap(f"provider-concern process (004) {p['process_id']}: {p['status']}"
                         + (f", decided {p['decision']}" if p["decision"] else "")
                         + (f", open: {', '.join(o['step'] for o in p['open_steps'])}" if p["open_steps"] else "")
                         + (f" ({late} OVERDUE)" if late else ""), "  ", 4))
    d = r["decision"]
    typer.echo(_wrap(f"decision: {d['level'].upper()} - {d['reason']} [{d['seed'].split(':')[0]}]", "  ", 4))
    for c in d["matched"]:
        by = ", ".join(f"{k} {v}" for k, v in c.get("matched_by", {}).items())
        typer.echo(_wrap(f"matched {c['column']} criterion (line {c['line']}): {c['wording']}" + (f" [{by}]" if by else ""),
                         "    ", 6))
    if set_aside := (d.get("caution") or {}).get("set_aside"):
        typer.echo(_wrap(f"caution criteria set aside at {d['level']}: " + ", ".join(f"line {c['line']}" for c in set_aside),
                         "    ", 6))
    if d["not_evidenced"]:
        lines = "; ".join(f"{col} lines " + ", ".join(str(c["line"]) for c in d["not_evidenced"] if c["column"] == col)
                          for col in ("caution", "suspension") if any(c["column"] == col for c in d["not_evidenced"]))
        typer.echo(_wrap(f"{len(d['not_evidenced'])} criteria not recorded in Safeguard, never matched "
                         f"(Appendix A {lines})", "    ", 6))


def _wrap(text: str, indent: str, hang: int) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=" " * hang, break_on_hyphens=False)
