"""`safeguard concern|step|escalation|deadlines|chronology`: casework from the command line. Each
command parses its options and files, calls one use case (casework/) as who the CLI acts for
(cli/identity.py), and prints what it answered."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from casework import case_reads, cases, oversight, recovery
from casework.refusals import NotYetRecorded
from casework.temporal.availability import no_worker, worker_polling
from cli import identity
from cli import common
from cli.common import deadline_line, emit_json, fail, read_json, say
from cli.runtime import ask_temporal, guarded, ports, use
from configuration.settings import get_settings
from domain.policy import ROLES

concern_app = typer.Typer(help="Raise a concern, record developments and notes, read a case's status.", no_args_is_help=True)
step_app = typer.Typer(help="Complete a step of a case's pathway.", no_args_is_help=True)
escalation_app = typer.Typer(help="Acknowledge an escalation raised to your role.", no_args_is_help=True)

FILE = typer.Option(..., "--file", "-f", help="JSON file ('-' for standard input)")
JSON = typer.Option(False, "--json", help="print JSON")


def show_status(status, as_json: bool) -> None:
    if as_json:
        emit_json(status)
        return
    say(f"case {status.case_id} ({status.status}) at service {status.service_id}, pathway {status.pathway_version}")
    if status.identified_at:
        by = f" by {status.raised_by.actor} ({status.raised_by.role})" if status.raised_by else ""
        say(f"  identified {status.identified_at.isoformat()}, raised{by}")
    if status.summary:
        say(f"  summary: {status.summary}")
    if status.threshold_decision:
        t = status.threshold_decision
        say(f"  threshold: {t.level} ({t.rag}, {t.profile} {t.profile_version}): {t.rationale}")
    for s in status.open_steps:
        due = s.due.isoformat() if s.due else "no deadline"
        flag = "  OVERDUE" if s.missed else ""
        say(f"  open  {f'{s.step}#{s.occurrence}':<28} {s.role:<30} due {due}{flag}")
    for e in status.escalations:
        say(f"  escalation {e.escalation_id}: {e.reason} -> {e.to_role}")
    if status.outcome:
        say(f"  outcome: {status.outcome}")


@concern_app.command("raise")
def raise_concern(
    file: Path = FILE,
    identified_now: bool = typer.Option(False, "--identified-now", help="set identified_at to the current time"),
    actor: Optional[str] = typer.Option(None, help="who is raising it (a staff id); sets raised_by"),
    role: Optional[str] = typer.Option(None, "--as", help="the role they raise it in; sets raised_by"),
    as_json: bool = JSON,
) -> None:
    """Raise a peer-to-peer safeguarding concern: starts its workflow."""
    at, data = common.now(), guarded(lambda: read_json(file))
    if isinstance(data, dict) and identified_now:
        data = {**data, "identified_at": at.isoformat()}
    if guarded(identity.production):  # raised_by is the token's holder, in a role they hold at the concern's service
        principal = guarded(lambda: identity.acting(actor, role, "concern raise"))
    else:  # the operator names who raised it: --actor and --as, or the file's raised_by
        if isinstance(data, dict) and (actor or role):
            given = data.get("raised_by") if isinstance(data.get("raised_by"), dict) else {}
            data = {**data, "raised_by": {**given, **{k: v for k, v in (("actor", actor), ("role", role)) if v}}}
        who = data.get("raised_by") if isinstance(data, dict) and isinstance(data.get("raised_by"), dict) else {}
        principal = identity.Principal.local_operator(str(who.get("actor") or f"cli:{identity.os_user()}"),
                                                      who.get("role"), "concern raise", identity.os_user())

    async def raise_it():
        try:
            return await cases.raise_concern(ports(), principal, cases.RaiseConcern(data), at)
        except NotYetRecorded as e:
            if e.raised:  # the case exists and will be recorded: its id, where a script reads it
                emit_json({"case_id": e.case_id, "recorded": False}) if as_json else say(
                    f"case {e.case_id} accepted, not yet recorded")
            raise

    show_status(use(raise_it).value, as_json)


@concern_app.command("development")
def development(
    case_id: str, file: Path = FILE,
    actor: Optional[str] = typer.Option(None, help="who is recording it (an id)"),
    role: Optional[str] = typer.Option(None, "--as", help="their role"),
    as_json: bool = JSON,
) -> None:
    """Record a development (new incident, agency contact) on a live case."""
    data = guarded(lambda: read_json(file))
    principal = guarded(lambda: identity.acting(actor, role, "concern development", both=False))
    c = cases.RecordDevelopment(case_id, data)
    n = use(lambda: cases.record_development(ports(), principal, c, common.now())).value
    emit_json({"case_id": case_id, "development": n}) if as_json else say(f"development {n} recorded on {case_id}")


@concern_app.command("note")
def note(
    case_id: str, text: str = typer.Option(..., "--text", help="the note (ids only, no names; at most 2,000 characters)"),
    actor: Optional[str] = typer.Option(None, help="who is adding it (a staff id; embedded mode)"),
    role: Optional[str] = typer.Option(None, "--as", help="their role (embedded mode)"),
    as_json: bool = JSON,
) -> None:
    """Add a note to a live case: anyone who may read it may add one; it is shown in the chronology and the pack."""
    principal = guarded(lambda: identity.acting(actor, role, "concern note"))
    n = use(lambda: cases.add_note(ports(), principal, cases.AddNote(case_id, text), common.now())).value
    emit_json({"case_id": case_id, "note": n}) if as_json else say(f"note {n} added to {case_id}")


@concern_app.command("recover")
def recover(
    case_id: str, reason: str = typer.Option(..., "--reason", help="why it is recovered (ids only): what stopped it"),
    actor: Optional[str] = typer.Option(None, help="your staff id (embedded mode)"),
    role: Optional[str] = typer.Option(None, "--as", help="your role (embedded mode)"),
    as_json: bool = JSON,
) -> None:
    """Restart a case whose workflow stopped without the case closing, from the event store's facts."""
    principal = guarded(lambda: identity.acting(actor, role, "concern recover"))
    done = use(lambda: recovery.recover_case(ports(), principal, recovery.RecoverCase(case_id, reason), common.now()))
    if as_json:
        emit_json({"case_id": case_id, "stopped_run_id": done.stopped_run_id, "stopped_status": done.stopped_status,
                   "run_id": done.run_id})
        return
    say(f"{case_id} recovered: its workflow ({done.stopped_status}) restarted from the event store's facts; "
        "any deadline missed meanwhile is recorded and escalated now")


@concern_app.command("status")
def status(case_id: str, as_json: bool = JSON) -> None:
    """A case's open steps with their due instants, and its outstanding escalations."""
    from operations.retention import erased_on

    if on := guarded(lambda: erased_on(ports().records, case_id)):
        emit_json({"case_id": case_id, "erased_on": on}) if as_json else say(f"{case_id}: erased under retention on {on}")
        return
    principal = guarded(lambda: identity.reading("concern status"))
    show_status(use(lambda: case_reads.case_status(ports(), principal, case_id, common.now())), as_json)


@step_app.command("complete")
def complete(
    case_id: str, step: str,
    role: Optional[str] = typer.Option(None, "--as", help="the role you are acting in, e.g. team_leader (embedded mode)"),
    actor: Optional[str] = typer.Option(None, help="your staff id (embedded mode)"),
    file: Path = FILE,
    occurrence: Optional[int] = typer.Option(None, help="which occurrence of a recurring step"),
    as_json: bool = JSON,
) -> None:
    """Complete a step with its record: rejected, with nothing recorded, if anything is wrong."""
    record = guarded(lambda: read_json(file))
    principal = guarded(lambda: identity.acting(actor, role, "step complete"))
    c = cases.CompleteStep(case_id, step, record, occurrence)
    receipt = use(lambda: cases.complete_step(ports(), principal, c, common.now())).value
    if as_json:
        emit_json(receipt)
        return
    timing = "no deadline" if receipt.on_time is None else "on time" if receipt.on_time else "LATE"
    say(f"{receipt.step}#{receipt.occurrence} completed on {case_id} ({timing}); case {receipt.status}")
    for o in receipt.opened:
        say(f"  opened {o}")
    for e in receipt.escalations:
        say(f"  escalated: {e}")


@escalation_app.command("acknowledge")
def acknowledge(
    case_id: str, escalation_id: str,
    role: Optional[str] = typer.Option(None, "--as", help="the role it was raised to (embedded mode)"),
    actor: Optional[str] = typer.Option(None, help="your staff id (embedded mode)"),
    note: Optional[str] = typer.Option(None, help="what was done about it (required)"),
) -> None:
    """Acknowledge a triggered escalation raised to your role, saying what was done."""
    principal = guarded(lambda: identity.acting(actor, role, "escalation acknowledge"))
    c = cases.AcknowledgeEscalation(case_id, escalation_id, note)
    use(lambda: cases.acknowledge_escalation(ports(), principal, c, common.now()))
    say(f"escalation {escalation_id} on {case_id} acknowledged")


def deadlines(
    role: Optional[str] = typer.Option(None, "--role", help="only steps this role can complete (its own, or escalated to it)"),
    service: Optional[str] = typer.Option(None, "--service", help="only cases of this service id"),
    as_json: bool = JSON,
) -> None:
    """Every pending deadline of every live case, most urgent first: due instant, role (and whom it
    escalated to), working time left. From the event store: it answers with or without a worker.
    Warns (on stderr) where an escalation's alert in the next 7 days would reach nobody."""
    settings = get_settings()
    if role is not None and role not in ROLES:
        fail(f"--role {role!r} is not a role: one of {', '.join(ROLES)}")
    principal = guarded(lambda: identity.reading("deadlines"))
    rows = guarded(lambda: oversight.pending_deadlines(ports(), principal, common.now(), role, service))
    polling = ask_temporal(lambda client, settings: worker_polling(client, settings.task_queue))
    if polling is False:
        typer.echo(f"warning: {no_worker(settings.task_queue)}; until one runs, deadlines that fall due are "
                   "not recorded as missed nor escalated", err=True)
    elif polling is None:  # the worst outage must not be the silent one
        typer.echo(f"warning: cannot reach Temporal at {settings.temporal_address}: until it and a worker run, "
                   "deadlines that fall due are not recorded as missed nor escalated", err=True)
    cover = guarded(lambda: oversight.on_call(ports(), principal, common.now(), service))
    for words in [cover["words"]] if not cover["alerts_set_up"] else [w["words"] for w in cover["warnings"]]:
        typer.echo(f"warning: {words}", err=True)  # where an escalation's alert would reach nobody
    if as_json:
        emit_json(rows)
        return
    if not rows:
        which = " ".join(x for x in (f"for {role}" if role else "", f"at {service}" if service else "") if x)
        say(f"no open deadlines{' ' + which if which else ''} in the event store ({settings.store_name()})")
    for r in rows:
        say(deadline_line(r))


def chronology(case_id: str, brief: bool = typer.Option(False, "--brief", help="one line a fact: leave out what each recorded"),
               as_json: bool = JSON) -> None:
    """The case's chronology from the event store: every fact, in order, with who, role, deadline met
    or missed, and what it recorded (threshold level, escalation target, notes, record contents)."""
    principal = guarded(lambda: identity.reading("chronology"))
    entries = guarded(lambda: case_reads.case_chronology(ports(), principal, case_id, common.now()))
    if as_json:
        emit_json(entries)
        return
    for e in entries:
        who = f" {e['actor']} ({e['role']})" if e["actor"] else ""
        step = f" {e['step']}#{e['occurrence']}" if e["step"] else ""
        deadline = ""
        if e["deadline"]:
            met = {True: "met", False: "MISSED", None: "pending"}[e["deadline_met"]]
            deadline = f" deadline {e['deadline']} {met}"
        say(f"{e['seq']:>4} {e['at']} {e['type']}{step}{who}{deadline}")
        if not brief:
            for line in detail_lines(e["details"]):
                say(f"{'':>6}{line}")
def detail_lines(details: dict) -> list[str]:
    """What a fact recorded, one `name: value` line each; a record's fields and a threshold decision's
    level, indicators and rationale one level down."""
    lines = []
    for key, value in details.items():
        if value is None or key in ("type", "calendar", "holidays", "history"):
            continue  # calendar data and the attached service history are in --json
        if key == "decision" and isinstance(value, dict):  # a threshold decision
            lines.append(f"threshold: {value['level']} ({value['rag']}), {value['category']}, "
                         f"{value['profile']} {value['profile_version']}")
            lines += [f"  matched: {m['id']}: {m['indicator']}" for m in value.get("matched", [])]
            lines.append(f"  rationale: {value['rationale']}")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {_flat(v)}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {_flat(value)}")
    return lines


def _flat(value) -> str:
    if isinstance(value, list):
        return ", ".join(_flat(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{k}={_flat(v)}" for k, v in value.items())
    return str(value)
