"""`safeguard audit run` and `safeguard governance`: the governance audits of 001 (step 5 of
each example), run on demand against the event store (no Temporal needed) and listed."""

from __future__ import annotations

from typing import Any, Optional

import typer

from casework import governance as casework_governance
from casework import oversight
from casework.inputs import parse_as_at, parse_date
from cli import common, identity
from cli.common import emit_json, say
from cli.runtime import guarded, ports, use
from domain.governance import KINDS

app = typer.Typer(help="Governance audits: weekly recognition, fortnightly protection, monthly learning.",
                  no_args_is_help=True)


@app.command("run")
def run(
    kind: str = typer.Argument(..., help=f"which audit: {' | '.join(KINDS)}"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="the date its period ends, at its start (ISO date; "
                                        "default: the period ends now, so today's cases count)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Run an audit now and record it; for a period already audited, show the stored record."""
    at = common.now()
    day = guarded(lambda: parse_date(as_of)) if as_of else None  # None: the period ends now
    principal = guarded(lambda: identity.reading("audit run"))
    done = use(lambda: casework_governance.run_audit(ports(), principal, casework_governance.RunAudit(kind, day), at))
    record = done.record
    if as_json:
        emit_json(record)
        return
    say(f"{record.title} as of {record.as_of} ({'recorded' if done.new else 'already recorded'} {record.recorded_at.isoformat()})")
    _show(record.model_dump(mode="json"))
    for ref in done.tracked:
        say(f"  action {ref}: tracked")
    for ref in done.untracked:
        say(f"  action {ref}: NOT YET TRACKED (Temporal did not answer): run this audit again when a worker runs")


@app.command("complete-action")
def complete_action(
    ref: str = typer.Argument(..., help="the action's ref, e.g. weekly-2027-02-08-immediate_practice_correction"),
    role: Optional[str] = typer.Option(None, "--as", help="the role you are acting in (the owner, or a role it "
                                       "escalated to; embedded mode)"),
    actor: Optional[str] = typer.Option(None, help="your staff id (embedded mode)"),
    evidence: str = typer.Option(..., help="what was done: who was retrained, what changed"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Complete an action an audit raised, with its evidence (refused, with nothing recorded, if anything is wrong)."""
    principal = guarded(lambda: identity.acting(actor, role, "audit complete-action"))
    c = casework_governance.CompleteAction(ref, evidence)
    state = use(lambda: casework_governance.complete_action(ports(), principal, c, common.now())).value
    if as_json:
        emit_json(state)
        return
    say(f"action {ref} completed ({'on time' if state.on_time else 'LATE'}) by {state.completed_by}")


def governance(
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    as_at: Optional[str] = typer.Option(None, "--as-at", help="as it stood then (ISO date: end of that day, London; or instant)"),
) -> None:
    """Governance audits recorded, their figures, and the actions still open."""
    principal = guarded(lambda: identity.reading("governance"))
    at = common.now()
    view = guarded(lambda: oversight.governance(ports(), principal, at, parse_as_at(as_at, at) if as_at else None))
    if as_json:
        emit_json(view)
        return
    say(f"{len(view['audits'])} governance audit(s) recorded")
    for a in view["audits"]:
        say()
        say(f"{a['as_of']}  {a['title']} (period {a['period_start']} to {a['period_end']})")
        _show(a)
    say()
    say(f"Open actions: {len(view['open_actions'])}")
    for action in view["open_actions"]:
        say(f"  {action['title']} ({action['owner']}), from the {action['kind']} audit as of {action['as_of']}: {action['because']}")
    say()
    say(f"Tracked actions: {len(view['actions'])}")
    for a in view["actions"]:
        escalated = f", escalated to {', '.join(e['to_role'] for e in a['escalations'])}" if a["escalations"] else ""
        done = f", completed {a['completed_at']} by {a['completed_by']}: {a['evidence']}" if a["completed_at"] else ""
        say(f"  {a['ref']}  {a['state'].upper()}  owner {a['owner']}, due {a['due']}{escalated}{done}")


def _show(audit: dict[str, Any]) -> None:
    for name, value in audit["figures"].items():
        if name in ("cases", "lessons"):
            continue  # detail: in --json
        say(f"  {name}: {_readable(value)}")
    for action in audit["actions"]:
        say(f"  ACTION {action['title']} ({action['owner']}): {action['because']}")
    for a in audit.get("carried_actions", []):
        say(f"  EARLIER ACTION {a['ref']}: {a['state']} at the period's end"
            + (f", escalated {len(a['escalations'])} time(s)" if a["escalations"] else "")
            + (f", completed {'on time' if a['on_time'] else 'late'}: {a['evidence']}" if a["completed_at"] else ""))


def _readable(value: Any) -> str:
    """A figure in words: n/a for none (no case fell due), lists and counts by name, never a Python repr."""
    if value is None:
        return "n/a"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_readable(v)}" for k, v in value.items()) or "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(_readable(v) for v in value) or "none"
    return str(value)
