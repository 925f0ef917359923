"""`safeguard commissioner process`: the provider-concern process of 004, per provider service."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from casework import processes
from cli import common, identity
from cli.common import emit_json, read_json, say
from cli.runtime import guarded, ports, use
from domain.provider_concerns import PROVIDER_MEETING
from domain.provider_process import ProcessStatus

process_app = typer.Typer(
    help="The provider-concern process (004): concerns raised with the provider, action plan and review, the decision "
    "(continue / restrict admissions / suspend / terminate) with its evidence trail, informing others.",
    no_args_is_help=True,
)
JSON = typer.Option(False, "--json", help="print JSON")
ROLE = typer.Option(None, "--as", help="the role you act in: commissioner or contract_manager (embedded mode)")
ACTOR = typer.Option(None, help="your staff id (embedded mode)")


def _when(at: datetime | None) -> str:
    return at.isoformat() if at else "-"


def show(s: ProcessStatus, as_json: bool) -> None:
    if as_json:
        emit_json(s)
        return
    basis = f", basis {s.basis}" if s.basis else ""
    say(f"process {s.process_id} for service {s.service_id}: {s.status.upper()}{basis}, opened {_when(s.opened_at)}")
    if s.proposed:
        say(f"  proposed by Appendix A ({s.proposed['appendix_a']}) at {s.proposed['at']}")
    for o in s.open_steps:
        flag = "  OVERDUE" if o.missed else ""
        say(f"  open      {o.step:<36} {'/'.join(o.can_record):<30} due {_when(o.due)}{flag}")
    for step, n in s.recorded_steps.items():
        say(f"  recorded  {step}" + (f" x{n}" if n > 1 else ""))
    for a in s.actions:
        state = {True: "undertaken", False: "NOT undertaken", None: "pending"}[a.undertaken]
        say(f"  action    {a.id}: {a.action} (owner {a.owner}) due {a.due.isoformat()} {state}{'  OVERDUE' if a.missed else ''}")
    for e in s.escalations:
        say(f"  escalated {e.item} -> {e.to_role} at {e.at.isoformat()}")
    if s.decision:
        say(f"  decision: {s.decision} at {_when(s.decided_at)}")
    if s.closed_at:
        say(f"  closed at {_when(s.closed_at)}: {s.closed_because}")


@process_app.command("open")
def open_(service_id: str, role: str = ROLE, actor: str = ACTOR,
          reason: str = typer.Option(..., help="why the process is opened (ids only)"),
          basis: Optional[str] = typer.Option(None, help="commissioner, caution or 'suspension consideration' "
                                              "(default: the proposal's level, else commissioner)"),
          as_json: bool = JSON) -> None:
    """Open the service's process (a commissioner), or open the one Appendix A proposed."""
    principal = guarded(lambda: identity.acting(actor, role, "commissioner process open"))
    c = processes.Open(service_id, reason, basis)
    show(use(lambda: processes.open_process(ports(), principal, c, common.now())).value, as_json)


@process_app.command("dismiss")
def dismiss(service_id: str, role: str = ROLE, actor: str = ACTOR,
            reason: str = typer.Option(..., help="why the proposal is not taken up (ids only)"), as_json: bool = JSON) -> None:
    """Decide not to open a proposed process (a commissioner): proposed again only for later concerns."""
    principal = guarded(lambda: identity.acting(actor, role, "commissioner process dismiss"))
    c = processes.Dismiss(service_id, reason)
    show(use(lambda: processes.dismiss(ports(), principal, c, common.now())).value, as_json)


@process_app.command("status")
def status(service_id: str, as_json: bool = JSON) -> None:
    """The service's process: open steps with their deadlines, actions, escalations, decision."""
    principal = guarded(lambda: identity.reading("commissioner process status"))
    show(use(lambda: processes.status(ports(), principal, service_id)), as_json)


@process_app.command("step")
def step(service_id: str, step_id: str = typer.Argument(..., metavar="STEP"), role: str = ROLE, actor: str = ACTOR,
         file: Path = typer.Option(..., "--file", "-f", help="the step's record, JSON ('-' for standard input)"),
         as_json: bool = JSON) -> None:
    """Record a step (`safeguard commissioner process steps` lists them and their fields)."""
    record = guarded(lambda: read_json(file))
    principal = guarded(lambda: identity.acting(actor, role, "commissioner process step"))
    c = processes.Record(service_id, step_id, record)
    show(use(lambda: processes.record_step(ports(), principal, c, common.now())).value, as_json)


@process_app.command("decide")
def decide(service_id: str, outcome: str = typer.Argument(..., help="continue, restrict_admissions, suspend or terminate"),
           role: str = ROLE, actor: str = ACTOR,
           file: Optional[Path] = typer.Option(None, "--file", "-f", help="the evidence, JSON ('-' for standard input)"),
           as_json: bool = JSON) -> None:
    """Decide, with the evidence the outcome needs: refused, naming each missing item, without it."""
    record = guarded(lambda: read_json(file)) if file else {}
    principal = guarded(lambda: identity.acting(actor, role, "commissioner process decide"))
    c = processes.Decide(service_id, outcome, record)
    show(use(lambda: processes.decide(ports(), principal, c, common.now())).value, as_json)


@process_app.command("propose")
def propose(as_json: bool = JSON) -> None:
    """Record a proposal for every service whose Appendix A decision reached caution or suspension consideration
    and has no process since its latest concern."""
    principal = guarded(lambda: identity.reading("commissioner process propose"))
    found = use(lambda: processes.propose(ports(), principal, common.now()))
    if as_json:
        emit_json(found)
        return
    if not found:
        say("no service needs a proposal")
    for s in found:
        say(f"{s.service_id}: {s.status} ({(s.proposed or {}).get('appendix_a', s.basis)})")


@process_app.command("steps")
def steps() -> None:
    """The process's steps, roles, deadlines and fields, and the decision's outcomes with the evidence each needs."""
    p = processes.definition(ports())
    for s in p.steps:
        deadline = s.deadline.describe() if s.deadline else (f"by the {s.due_field}" if s.due_field else "no deadline")
        say(f"{s.id}  ({'/'.join(s.roles())}, {deadline}) [{s.seed[0].cite()[:60]}...]")
        plan = [f"{p.planned_actions_field} (a list of {{id, action, owner, due}})"] if s.id == PROVIDER_MEETING.id else []
        say("    fields: " + ", ".join([*(f.name + ("" if f.required else "?") for f in s.record), *plan]))
    for o in p.outcomes:
        say(f"decide {o.id}: " + ("; ".join(f"{i.title} [" + (", ".join(f.name for f in i.fields) or i.source) + "]"
                                           for i in o.requires) or "no evidence items required"))


@process_app.command("chronology")
def chronology(service_id: str, process_id: Optional[str] = typer.Option(None, help="an earlier process of the service"),
               as_json: bool = JSON) -> None:
    """The evidence trail: every fact of the service's latest process, in order, from the event store."""
    principal = guarded(lambda: identity.reading("commissioner process chronology"))
    entries = guarded(lambda: processes.process_chronology(ports(), principal, service_id, process_id))
    if as_json:
        emit_json(entries)
        return
    for e in entries:
        who = f" {e['actor']} ({e['role']})" if e["actor"] else ""
        step = f" {e['step']}" if e["step"] else (f" {e['details']['item']}" if "item" in e["details"] else "")
        deadline = ""
        if e["deadline"]:
            deadline = f" due {e['deadline']} " + {True: "met", False: "MISSED", None: "pending"}[e["deadline_met"]]
        outcome = f" {e['details']['outcome']}" if "outcome" in e["details"] else ""
        say(f"{e['seq']:>4} {e['at']} {e['type']}{step}{outcome}{who}{deadline}")
