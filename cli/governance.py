"""`safeguard audit run` and `safeguard governance`: the governance audits of 001 (step 5 of
each example), run on demand against the event store (no Temporal needed) and listed."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional

import typer

from activities.audit_activities import raise_actions, run_audit
from casework import commands
from casework.authorised import action_decision
from cli import identity
from cli.common import CommandError, emit_json, fail, parse_as_at, say
from cli.runtime import ask_temporal, guarded, records, run as run_casework
from configuration.settings import get_settings
from domain.governance_actions import ActionCompletion
from domain.governance import KINDS, AuditRecord, AuditRequest, audit_definition, local_date, local_midnight
from eventstore.audit import stored_audit
from projections.feed import ProjectionFeed, as_at as fold_as_at
from projections.governance import GovernanceActions, GovernanceAudits, governance_view, tracked_actions
from projections.registry import open_documents

app = typer.Typer(help="Governance audits: weekly recognition, fortnightly protection, monthly learning.",
                  no_args_is_help=True)


@app.command("run")
def run(
    kind: str = typer.Argument(..., help=f"which audit: {' | '.join(KINDS)}"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="the date its period ends (ISO date; default today, London)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Run an audit now and record it; for a period already audited, show the stored record."""
    def go() -> tuple[AuditRecord, bool]:
        try:
            audit_definition(kind)
        except ValueError as e:
            raise CommandError(str(e)) from None
        now = datetime.now(timezone.utc).replace(microsecond=0)
        day = _date(as_of) if as_of else local_date(now)
        store = records()
        new = stored_audit(store, kind, day) is None
        try:
            return run_audit(store, AuditRequest(kind=kind, as_of=day, requested_by="safeguard audit run"), now,
                             get_settings().calendar), new
        except ValueError as e:
            raise CommandError(str(e)) from None

    record, new = guarded(go)
    refs = guarded(lambda: raise_actions(records(), record, get_settings().calendar))
    # the actions' deadlines are kept by their workflows: start them if Temporal answers
    tracked = ask_temporal(lambda client, settings: commands.track_governance_actions(client, settings.task_queue, refs))
    if as_json:
        emit_json(record)
        return
    say(f"{record.title} as of {record.as_of} ({'recorded' if new else 'already recorded'} {record.recorded_at.isoformat()})")
    _show(record.model_dump(mode="json"))
    for ref in refs:
        say(f"  action {ref}: " + ("tracked" if tracked is not None else
                                   "NOT YET TRACKED (Temporal did not answer): run this audit again when a worker runs"))


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
    principal = guarded(lambda: identity.cli_principal(actor, role))
    if principal is not None:  # production: the token's user, as the action's owner role or one it escalated to
        decision = guarded(lambda: action_decision(records(), principal, ref))
        if decision is None:
            fail(f"no governance action {ref}")
        actor, role = principal.user_id, guarded(lambda: identity.allowed(principal, decision, "audit complete-action",
                                                                          None, None))
    c = ActionCompletion(role=role, actor=actor, evidence=evidence)
    state = run_casework(lambda client, _: commands.complete_governance_action(client, ref, c), worker=True)
    if as_json:
        emit_json(state)
        return
    say(f"action {ref} completed ({'on time' if state.on_time else 'LATE'}) by {state.completed_by}")


def governance(
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    as_at: Optional[str] = typer.Option(None, "--as-at", help="as it stood then (ISO date: end of that day, London; or instant)"),
) -> None:
    """Governance audits recorded, their figures, and the actions still open."""
    def build() -> dict[str, Any]:
        store = records()
        models = [GovernanceAudits(), GovernanceActions()]
        if as_at:
            documents, at = fold_as_at(store, models, parse_as_at(as_at)), parse_as_at(as_at)
        else:
            feed = ProjectionFeed(store, open_documents(store), models)
            feed.catch_up()
            documents, at = feed.documents, datetime.now(timezone.utc)
        return {**governance_view(documents), "actions": tracked_actions(documents, at)}

    view = guarded(build)
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


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of {text!r} is not an ISO date (2027-03-01)") from None
