"""`safeguard step amend`: correct a completed step's record, with the reason. The original stays
as recorded; the amendment is a new fact (casework/amendments.py checks who may, which fields, and
each new value as the step's record checks it, for every face alike).

Each change is `--set FIELD=TEXT` (the value as text: an id, a time, free text) or `--set
FIELD:=JSON` (the value as JSON, read under the same rules as `step complete`'s file: a number,
true/false, a list, null to take an answer away); or a JSON object of changes in `--file`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import typer

from casework import amendments
from casework.inputs import parse_json
from cli import common, identity
from cli.common import CommandError, emit_json, read_json, say
from cli.runtime import guarded, ports, use

NAME = re.compile(r"[a-z][a-z0-9_]*")


def changes_from(sets: list[str], file: Path | None) -> dict[str, Any]:
    """The changes the options give, or a CommandError saying which option is wrong and how."""
    changes: dict[str, Any] = {}
    if file is not None:
        given = read_json(file)
        if not isinstance(given, dict):
            raise CommandError(f"{file}: give the changes as a JSON object, {{\"field\": new value, ...}}")
        changes.update(given)
    for option in sets:
        name, json_, value = _split(option)
        if name in changes:
            raise CommandError(f"--set {option!r}: {name} is given twice: give each field once")
        changes[name] = parse_json(value, f"--set {name}") if json_ else value
    if not changes:
        raise CommandError("give at least one change: --set FIELD=VALUE (repeat it for each field), or --file")
    return changes


def _split(option: str) -> tuple[str, bool, str]:
    """'field=text' -> (field, False, text); 'field:=json' -> (field, True, json)."""
    name, eq, value = option.partition("=")
    json_ = name.endswith(":")
    name = name.removesuffix(":").strip()
    if not eq or not NAME.fullmatch(name):
        raise CommandError(f"--set {option!r}: write it as FIELD=VALUE (text) or FIELD:=JSON, "
                           "with the field's name as the pathway gives it, e.g. --set initiated_by=A-204")
    return name, json_, value


def amend(
    case_id: str, step: str,
    sets: list[str] = typer.Option([], "--set", metavar="FIELD=VALUE",
                                   help="a field and its corrected value (repeat for each field); FIELD:=JSON for a "
                                        "number, true/false, a list, or null to take an answer away"),
    reason: Optional[str] = typer.Option(None, "--reason", help="why the record is corrected (required; ids, no names)"),
    occurrence: int = typer.Option(1, "--occurrence", min=1, help="which occurrence of a recurring step"),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="the changes as a JSON object ('-' for standard input)"),
    role: Optional[str] = typer.Option(None, "--as", help="the role you act in (embedded mode)"),
    actor: Optional[str] = typer.Option(None, help="your staff id (embedded mode)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Correct a completed step's record (ids, times, free text; never a decision), with the reason: the original is kept.

    Its author may, or a registered manager or designated safeguarding lead at the service. Refused,
    with nothing recorded, if anything is wrong."""
    changes = guarded(lambda: changes_from(sets, file))
    principal = guarded(lambda: identity.acting(actor, role, "step amend"))
    c = amendments.AmendStep(case_id, step, occurrence, changes, reason or "")
    n = use(lambda: amendments.amend_step(ports(), principal, c, common.now())).value
    if as_json:
        emit_json({"case_id": case_id, "step": step, "occurrence": occurrence, "amendment": n})
        return
    say(f"amendment {n} recorded on {case_id}: {step}#{occurrence} ({', '.join(changes)})")
