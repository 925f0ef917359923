"""`safeguard backup` and `safeguard restore`: the event store, with its read models, as a file."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.common import EXIT_BAD_INPUT, emit_json, fail
from configuration.settings import get_settings
from operations.backup import BackupError, backup as take_backup, manifest_path, restore as do_restore

JSON = typer.Option(False, "--json", help="machine-readable output")


def _progress(events: int) -> None:
    typer.echo(f"  {events:,} events read", err=True)


def backup(out: Path = typer.Option(..., "--out", help="the backup file to write (never overwritten)"),
           as_json: bool = JSON) -> None:
    """A consistent snapshot of the event store and read models, taken while the worker runs, with a manifest."""
    settings = get_settings()
    try:
        manifest = take_backup(settings, out, _progress)
    except BackupError as e:
        fail(str(e), EXIT_BAD_INPUT)
    summary = {"backup": str(out), "manifest": str(manifest_path(out)), "store": manifest.store,
               "events": manifest.events, "streams": len(manifest.streams)}
    emit_json(summary) if as_json else typer.echo(
        f"backed up {manifest.events:,} events in {len(manifest.streams):,} streams ({manifest.store}) to {out}")


def restore(backup_file: Path = typer.Argument(..., help="a file written by `safeguard backup`"),
            as_json: bool = JSON) -> None:
    """Restore a backup into the configured event store, which must be empty, then check every stream."""
    settings = get_settings()
    try:
        restored, differ = do_restore(settings, backup_file, _progress)
    except BackupError as e:
        fail(str(e), EXIT_BAD_INPUT)
    summary = {"restored": restored.events, "streams": len(restored.streams), "streams_differing": differ}
    if as_json:
        emit_json(summary)
    elif not differ:
        typer.echo(f"restored {restored.events:,} events in {len(restored.streams):,} streams; every stream matches its backup")
    if differ:
        fail(f"{len(differ)} streams differ from the backup's manifest: {', '.join(differ[:5])}", 1)
