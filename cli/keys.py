"""`safeguard keys ...`: the key store and its master keys (operations/keys.py): status, a new
master key, rotation, retirement, and moving a keys.sqlite into PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Optional, TypeVar

import typer
from eventsourcing.persistence import OperationalError

from cli.common import EXIT_UNAVAILABLE, emit_json, fail, now, say
from configuration.settings import get_settings
from eventstore.keys import KeyStore
from operations.key_migration import import_keys
from operations.keys import KeyStoreError, new_master_key, open_key_store, retire as retire_version, rotate as rotate_keys
from operations.keys import BATCH, sqlite_keys_path, status as key_status

app = typer.Typer(help="The key store and its master keys: status, rotation, retirement, migration into PostgreSQL.",
                  no_args_is_help=True)
JSON = typer.Option(False, "--json", help="machine-readable output")
GUIDE = "docs/operations.md, 'Rotating the master key'"
T = TypeVar("T")


def _do(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except KeyStoreError as e:
        fail(str(e))
    except OperationalError as e:
        fail(str(e), EXIT_UNAVAILABLE)


def _store(guard: bool = True) -> KeyStore:
    if not get_settings().encrypt_at_rest:
        fail("encryption at rest is off (SAFEGUARD_ENCRYPT_AT_REST=false): there is no key store")
    return _do(lambda: open_key_store(get_settings(), guard))


def _versions(versions: list[int]) -> str:
    return ", ".join(str(v) for v in versions)


@app.command()
def status(as_json: bool = JSON) -> None:
    """Where the keys are, the master-key versions they are wrapped under, and which can be retired."""
    s = _do(lambda: key_status(_store()))
    if as_json:
        emit_json(s.as_json())
        return
    say(f"key store: {s.where}")
    say(f"current master-key version: {s.current}; versions configured: {_versions(list(s.held))}")
    for version, n in sorted(s.keys.items(), reverse=True):
        missing = "" if version in s.held else " (not configured here: add it to SAFEGUARD_MASTER_KEYS or SAFEGUARD_MASTER_KEYS_FILE)"
        say(f"  version {version}: {n:,} key(s){missing}")
    say(f"  {s.shredded:,} key(s) shredded under retention")
    for version, on in sorted(s.retired.items()):
        still = " (still configured: remove it and destroy it)" if version in s.held else ""
        say(f"  version {version} retired on {on}{still}")
    if [v for v in s.retirable() if v not in s.retired]:
        say(f"version(s) {_versions([v for v in s.retirable() if v not in s.retired])} wrap no key: "
            f"take a new backup, then `safeguard keys retire VERSION` ({GUIDE})")


@app.command("new-master-key")
def new_key() -> None:
    """Print a new master key as VERSION:BASE64, to add to SAFEGUARD_MASTER_KEYS (keep it secret)."""
    entry = _do(lambda: new_master_key(_store()))
    typer.echo(entry)
    typer.echo(f"add it to SAFEGUARD_MASTER_KEYS after the current version on every host and restart every Safeguard "
               f"process; then list it first, restart them again, and run `safeguard keys rotate` ({GUIDE})", err=True)


@app.command()
def rotate(batch: int = typer.Option(BATCH, "--batch", min=1, max=10_000, help="keys rewrapped per transaction"),
           as_json: bool = JSON) -> None:
    """Rewrap every key under the current master-key version. Safe to stop and run again."""
    store = _store()
    shown, so_far = [0.0], [0]

    def progress(done: int, total: int) -> None:
        so_far[0] = done
        if time.monotonic() - shown[0] >= 1 or done == total:
            shown[0] = time.monotonic()
            typer.echo(f"  {done:,} of {total:,} keys rewrapped", err=True)

    try:
        done = _do(lambda: rotate_keys(store, batch, progress))
    except KeyboardInterrupt:  # each batch is its own transaction: what is done stays done
        fail(f"interrupted after {so_far[0]:,} key(s) rewrapped: run `safeguard keys rotate` again to carry on", 130)
    if as_json:
        emit_json({"rewrapped": done.rewrapped, "current_version": done.current, "seconds": round(done.seconds, 3),
                   "retirable": done.retirable})
        return
    say(f"{done.rewrapped:,} key(s) rewrapped under master-key version {done.current} in {done.seconds:.1f} s"
        + (f" ({done.rate():,.0f} a second)" if done.rewrapped else "") + "; every key is under it now")
    if done.retirable:
        say(f"version(s) {_versions(done.retirable)} wrap no key now and can be retired: take a new backup first "
            f"(`safeguard backup --out FILE`), then `safeguard keys retire VERSION` ({GUIDE})")


@app.command()
def retire(version: int = typer.Argument(..., min=1, help="the master-key version no key is wrapped under any more"),
           as_json: bool = JSON) -> None:
    """Record a master-key version as retired; refused while any key is still wrapped under it."""
    where = _do(lambda: retire_version(_store(), version, now().date()))
    if as_json:
        emit_json({"retired": version, "already": where is None, "configured_in": where})
    elif where is None:
        say(f"master-key version {version} was retired already")
    else:
        remove = f"remove it from {where} on every host" if where else "make sure no host still lists it"
        say(f"master-key version {version} retired. Now {remove}, restart every Safeguard process, and destroy every "
            "copy of it (secret stores, .env files, password managers). Once it is destroyed, backups taken before "
            f"the rotation can no longer be read ({GUIDE})")


@app.command()
def migrate(source: Optional[Path] = typer.Option(None, "--from", help="the key store to move (default: the "
                                                  "configured SAFEGUARD_KEY_STORE_PATH, or <data_dir>/keys.sqlite)"),
            as_json: bool = JSON) -> None:
    """Move an existing keys.sqlite into the PostgreSQL key store. Safe to run again."""
    settings = get_settings()
    if settings.event_store != "postgres":
        fail("the key store moves into PostgreSQL with the PostgreSQL event store: set SAFEGUARD_EVENT_STORE=postgres "
             "and the SAFEGUARD_POSTGRES_* settings first")
    path = source or sqlite_keys_path(settings)
    if not path.is_file():
        fail(f"{path}: no such key store")

    def progress(read: int) -> None:
        typer.echo(f"  {read:,} key rows read", err=True)

    moved = _do(lambda: import_keys(settings, path, progress))
    if as_json:
        emit_json({"from": str(path), **moved.as_json()})
        return
    say(f"{moved.read:,} key row(s) in {path}: {moved.copied:,} copied ({moved.shredded:,} of them erasures, "
        f"with no key), {moved.present:,} already there")
    say(f"{path} still holds copies of the keys: once the master key is rotated and the versions they are wrapped "
        f"under retired and destroyed, they cannot be read; delete it then ({GUIDE})")
