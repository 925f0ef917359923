"""`safeguard evidence ...`: what inspectors, boards and courts are given, and the proof it is untouched."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Optional

import typer

from bootstrap import WORKFLOWS, open_records
from casework import exports
from casework.inputs import parse_as_at
from casework.refusals import Refusal
from cli import common, identity
from cli.common import CommandError, emit_json, fail, read_json, say
from cli.runtime import client_for, guarded, ports, records
from configuration.settings import get_settings
from evidence.files import new_file, out_dir, private_dir
from evidence.replay import ReplayReport, every_case, replay_case, summary as replay_summary
from evidence.store import EvidenceError, export, exported_checkpoint, take_checkpoint
from evidence.verify import counted, verify as verify_store
from projections.registry import open_documents
from workflows.concern import SafeguardingConcernWorkflow

app = typer.Typer(help="Evidence for inspection: verify the store, checkpoint its chain heads, case packs, replay.",
                  no_args_is_help=True)
JSON = typer.Option(False, "--json", help="machine-readable output")


def _progress(done: int, total: int) -> None:
    typer.echo(f"  verified {done:,} of {total:,} events", err=True)


@app.command()
def verify(case_id: Optional[str] = typer.Argument(None, help="one case (default: the whole store)"),
           against: Optional[Path] = typer.Option(None, "--against", help="a checkpoint exported earlier "
                                                  "(`safeguard evidence checkpoint --export`), held outside Safeguard"),
           as_json: bool = JSON) -> None:
    """Check every event against its hash chain and the checkpointed heads: exit 0 intact, 1 with every break."""
    records = open_records(get_settings())
    try:
        exported = exported_checkpoint(read_json(against), str(against)) if against else None
        result = verify_store(records, open_documents(records), case_id, exported, None if as_json else _progress)
    except EvidenceError as e:
        fail(str(e))
    except Refusal as e:
        fail(e.message)
    except CommandError as e:  # the file given with --against is missing or not JSON
        fail(str(e), e.code)
    if as_json:
        emit_json(result.as_json())
    else:
        say(result.summary())
        for b in result.breaks:
            say(f"  {b.line()}")
    if not result.intact:
        raise typer.Exit(1)


@app.command()
def checkpoint(export_as: Optional[str] = typer.Option(None, "--export", help="also write the latest checkpoint "
                                                        "and every stream's head to this new file, to hold elsewhere"),
               as_json: bool = JSON) -> None:
    """Record the chain heads of every stream changed since the last checkpoint (the first is the genesis point)."""
    try:  # the file is checked before anything is recorded; an export is held as written, so never replaced
        export_to = new_file(export_as, "--export", "an exported checkpoint is kept as written") if export_as is not None else None
    except EvidenceError as e:
        fail(str(e))
    reserved = _reserve(export_to) if export_to is not None else None  # made before anything is recorded
    records = open_records(get_settings())
    documents = open_documents(records)
    try:
        taken = take_checkpoint(records, documents)
        exported = export(documents) if export_to else None
    except EvidenceError as e:
        if reserved is not None and export_to is not None:
            os.close(reserved)
            export_to.unlink(missing_ok=True)
        fail(str(e), 1)
    if exported is not None and reserved is not None:
        with os.fdopen(reserved, "wb") as f:
            f.write((json.dumps(exported, indent=1, sort_keys=True) + "\n").encode())
    summary = {"taken": taken is not None, "seq": taken["seq"] if taken else None,
               "streams": len(taken["streams"]) if taken else 0, "exported": str(export_to) if export_to else None}
    if as_json:
        emit_json(summary)
    elif taken:
        say(f"checkpoint {taken['seq']}: heads of {counted(len(taken['streams']), 'stream')} at position {taken['position']:,} "
            f"(hash {taken['hash'][:16]})" + (f"; exported to {export_to}" if export_to else ""))
    else:
        say("nothing recorded since the last checkpoint" + (f"; exported it to {export_to}" if export_to else ""))


def _reserve(path: Path) -> int:
    """The export's file, made now (owner-only, new, never through a link) so a place that cannot
    take it is found before a checkpoint is recorded: some refuse a write that access checks allow."""
    try:
        private_dir(path.parent)
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except (OSError, EvidenceError) as e:
        fail(f"--export {path}: cannot write it ({getattr(e, 'strerror', None) or e}); nothing was recorded")


@app.command()
def replay(case_id: Optional[str] = typer.Argument(None, help="the case to replay"),
           all_cases: bool = typer.Option(False, "--all", help="every case in the event store"),
           as_json: bool = JSON) -> None:
    """Replay the case's Temporal history (every run) on today's code and check the store holds exactly the
    facts it recorded: exit 0 consistent (or history retained by Safeguard only), 1 otherwise."""
    if (case_id is None) == (not all_cases):
        fail("give one case id, or --all")
    settings = get_settings()
    store = records()

    async def go() -> list[ReplayReport]:
        client = await client_for(settings)
        if case_id:
            ids = [case_id]
        else:
            ids, listed = await every_case(client, store, SafeguardingConcernWorkflow.__name__)
            if not listed:
                typer.echo("  Temporal cannot list workflows here: cases gone from the store entirely are not looked for",
                           err=True)
        reports = []
        for i, c in enumerate(ids, start=1):
            reports.append(await replay_case(client, store, c, WORKFLOWS, client.data_converter))
            if all_cases and not as_json and (i % 50 == 0 or i == len(ids)):
                typer.echo(f"  replayed {i:,} of {len(ids):,} cases", err=True)
        return reports

    try:
        reports = guarded(lambda: asyncio.run(go()))
    except EvidenceError as e:
        fail(str(e))
    if as_json:
        emit_json([r.as_json() for r in reports])
    elif case_id:
        say(reports[0].line())
    else:
        say(replay_summary(reports))
        for r in (r for r in reports if not r.ok):
            say(f"  {r.line()}")
    if any(not r.ok for r in reports):
        raise typer.Exit(1)


def _out(text: str) -> Path:
    """--out, checked before anything is built or recorded."""
    try:
        return out_dir(text)
    except EvidenceError as e:
        fail(str(e))


BY = typer.Option(None, "--by", help="who is doing it, a staff id, recorded with it (default: the login name; in production mode your token's holder, and --by is refused)")


@app.command()
def pack(case_id: str = typer.Argument(..., help="the case"),
         out_: str = typer.Option(..., "--out", help="directory for CASE.pdf, CASE.html and CASE.json"),
         as_at_: Optional[str] = typer.Option(None, "--as-at", help="the case as it stood then: an ISO date or instant"),
         by: Optional[str] = BY, as_json: bool = JSON) -> None:
    """A case's evidence pack (PDF, HTML, JSON), with its verification; the export is recorded."""
    out = _out(out_)
    at = common.now()
    principal = guarded(lambda: identity.answering(by, "evidence pack"))
    instant = guarded(lambda: parse_as_at(as_at_, at)) if as_at_ else None
    try:
        made = guarded(lambda: exports.export_pack(ports(), principal, exports.ExportPack(case_id, out, instant), at))
    except OSError as e:  # the disk full, or the directory changed since it was checked: nothing is recorded
        fail(f"cannot write the pack to {out}: {e}")
    if as_json:
        emit_json({"case_id": case_id, "files": {str(out / n): d for n, d in made.files.items()}, "intact": made.intact})
    else:
        say(f"evidence pack for case {case_id} ({made.events} events, "
            f"{'intact' if made.intact else 'NOT INTACT'}) written to {out}: {', '.join(made.files)}")


@app.command()
def subject(adult_id: str = typer.Argument(..., help="the adult's id"),
            out_: str = typer.Option(..., "--out", help="directory: one sub-directory of pack files per case, and ADULT_ID.json"),
            by: Optional[str] = BY, as_json: bool = JSON) -> None:
    """Subject access: every case in which the adult is the adult at risk or the alleged source; the export is recorded."""
    out = _out(out_)
    principal = guarded(lambda: identity.answering(by, "evidence subject"))
    try:
        index = guarded(lambda: exports.subject_access(ports(), principal, exports.SubjectAccess(adult_id, out), common.now()))
    except OSError as e:  # as for a pack
        fail(f"cannot write the subject access export to {out}: {e}")
    if as_json:
        emit_json(index)
    else:
        say(f"{counted(len(index['cases']), 'case')} naming {adult_id} written to {out}:")
        for c in index["cases"]:
            say(f"  {c['case_id']}: {c['appears_as']}, {c['status']}, raised {c['raised_at']}")
