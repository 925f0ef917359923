"""Backup and restore of the event store (events, read models and their positions: one database).

A backup is a consistent online snapshot taken while the worker runs: SQLite's backup API, or
`pg_dump` for PostgreSQL. Beside it, a manifest lists every stream (a case, an audit) with its
event count and a digest of its events as stored, taken from the snapshot itself. A restore goes
only into an empty store and ends by checking the restored events against that manifest.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from configuration.settings import Settings
from eventstore.keys import KeyStore
from eventstore.keys_sqlite import SqliteKeys
from eventstore.master_keys import MasterKeyError, ring_for
from eventstore.application import SafeguardingRecords
from operations.key_migration import export_keys, import_keys
from operations.keys import KeyStoreError, sqlite_keys_path

Progress = Callable[[int], None]  # events read so far


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass
class Manifest:
    store: str  # "sqlite" | "postgres"
    taken_at: str
    events: int = 0
    streams: dict[str, dict[str, object]] = field(default_factory=dict)  # stream id -> {"events", "digest"}

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1, sort_keys=True) + "\n")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        if not path.exists():
            raise BackupError(f"{path}: no manifest beside the backup (it is written with it; was it moved?)")
        return cls(**json.loads(path.read_text()))


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".manifest.json")


def keys_path(backup: Path) -> Path:
    """The key store taken with a backup (encryption at rest), a SQLite file whatever the store: without
    it the events cannot be read. Its keys are wrapped under the master keys, which a backup never holds."""
    return backup.with_name(backup.name + ".keys.sqlite")


def _check_master_key(settings: Settings, keys: Path) -> None:
    """Refused unless the configured master keys unwrap the backup's keys (checked on a private copy:
    opening a key store from before master-key versions would change it)."""
    try:
        ring = ring_for(settings)
    except MasterKeyError as e:
        raise BackupError(str(e)) from None
    with tempfile.TemporaryDirectory(dir=settings.data_dir) as scratch:
        _copy_keys(keys, Path(scratch) / "keys.sqlite")
        store = KeyStore(SqliteKeys(Path(scratch) / "keys.sqlite"), ring)
        try:
            if not store.opens():
                where = ", ".join(sorted(set(ring.sources.values())))
                raise BackupError(f"the backup's keys were wrapped under another master key than the one from {where}: "
                                  "set SAFEGUARD_MASTER_KEY to the master key of the store that was backed up")
        finally:
            store.close()


def _keys(move: Callable[[], object]) -> None:
    try:
        move()
    except KeyStoreError as e:
        raise BackupError(str(e)) from None


def _copy_keys(source: Path, out: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(out) as dst:
        src.backup(dst)


Row = tuple[object, int, str, bytes]  # stream id, position in it, topic, state as stored


def take_manifest(rows: Iterable[Row], store: str, progress: Progress | None = None) -> Manifest:
    """Every stream's event count and a digest of its events as stored (topic and state bytes, in order)."""
    digests: dict[str, hashlib._Hash] = {}
    counts: dict[str, int] = {}
    seen = 0
    for originator_id, version, topic, state in rows:
        stream = str(originator_id)
        d = digests.setdefault(stream, hashlib.sha256())
        d.update(f"{version}\n{topic}\n".encode())
        d.update(state.encode() if isinstance(state, str) else bytes(state))
        counts[stream] = counts.get(stream, 0) + 1
        seen += 1
        if progress and seen % 50_000 == 0:
            progress(seen)
    return Manifest(store=store, taken_at=datetime.now(timezone.utc).isoformat(), events=seen,
                    streams={s: {"events": counts[s], "digest": digests[s].hexdigest()} for s in sorted(counts)})


def store_rows(records: SafeguardingRecords, batch: int = 5000) -> Iterator[Row]:
    start = 1
    while notifications := records.recorder.select_notifications(start=start, limit=batch):
        yield from ((n.originator_id, n.originator_version, n.topic, n.state) for n in notifications)
        start = notifications[-1].id + 1


def backup(settings: Settings, out: Path, progress: Progress | None = None) -> Manifest:
    if out.exists() or manifest_path(out).exists():
        raise BackupError(f"{out} already exists: a backup never overwrites one")
    out.parent.mkdir(parents=True, exist_ok=True)
    if settings.event_store == "sqlite":
        source = _sqlite_path(settings)
        if not source.exists():
            raise BackupError(f"no event store at {source}")
        with sqlite3.connect(source) as src, sqlite3.connect(out) as dst:
            src.backup(dst)  # consistent while the worker writes
        snapshot = SafeguardingRecords(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(out)})
        manifest = take_manifest(store_rows(snapshot), "sqlite", progress)
        if sqlite_keys_path(settings).exists():
            _copy_keys(sqlite_keys_path(settings), keys_path(out))
    else:
        manifest = _pg_dump(settings, out, progress)
        if settings.encrypt_at_rest:  # after the dump: every key its events need is made before them
            _keys(lambda: export_keys(settings, keys_path(out)))
    manifest.write(manifest_path(out))
    return manifest


def _pg_dump(settings: Settings, out: Path, progress: Progress | None) -> Manifest:
    """pg_dump and the manifest read in one exported snapshot, so they describe the same events."""
    import psycopg

    table = _records(settings).recorder.events_table_name
    with psycopg.connect(host=settings.postgres_host, port=settings.postgres_port, user=settings.postgres_user,
                         password=settings.postgres_password or None, dbname=settings.postgres_dbname) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        _run([_pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={out}",
              f"--exclude-schema={settings.key_store_schema}", *_pg_args(settings)],  # the keys: not the event store role's
             "pg_dump", settings)
        with conn.cursor(name="manifest") as rows:
            rows.execute(f"SELECT originator_id, originator_version, topic, state FROM {table} ORDER BY notification_id")
            return take_manifest(rows, "postgres", progress)


def restore(settings: Settings, backup_file: Path, progress: Progress | None = None) -> tuple[Manifest, list[str]]:
    """Restore into the configured store, which must hold no events; return the manifest and any
    stream whose restored events differ from it (empty: every stream matches)."""
    if not backup_file.is_file():
        raise BackupError(f"{backup_file}: no such backup file")
    expected = Manifest.read(manifest_path(backup_file))
    if expected.store != settings.event_store:
        raise BackupError(f"{backup_file} is a {expected.store} backup; the configured store is {settings.event_store}")
    target = _records(settings)
    if target.recorder.max_notification_id():
        raise BackupError("the event store is not empty: restore only into an empty one (move it aside first)")
    if keys_path(backup_file).exists() and settings.event_store == "postgres":
        _check_master_key(settings, keys_path(backup_file))
        _keys(lambda: import_keys(settings, keys_path(backup_file)))
    elif keys_path(backup_file).exists():
        _check_master_key(settings, keys_path(backup_file))
        _copy_keys(keys_path(backup_file), sqlite_keys_path(settings))
    if settings.event_store == "sqlite":
        target.close()
        with sqlite3.connect(backup_file) as src, sqlite3.connect(_sqlite_path(settings)) as dst:
            src.backup(dst)
    else:
        target.close()
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", *_pg_args(settings), str(backup_file)],
             "pg_restore", settings)
    restored = take_manifest(store_rows(_records(settings)), settings.event_store, progress)
    differ = sorted(s for s in set(expected.streams) | set(restored.streams)
                    if expected.streams.get(s) != restored.streams.get(s))
    return restored, differ


def _records(settings: Settings) -> SafeguardingRecords:
    return SafeguardingRecords(env=settings.event_store_env())


def _sqlite_path(settings: Settings) -> Path:
    return Path(settings.event_store_env()["SQLITE_DBNAME"])


def _pg_args(settings: Settings) -> list[str]:
    return [f"--host={settings.postgres_host}", f"--port={settings.postgres_port}",
            f"--username={settings.postgres_user}", f"--dbname={settings.postgres_dbname}"]


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise BackupError(f"{name} not found: install Debian's postgresql-client")
    return found


def _run(command: list[str], what: str, settings: Settings) -> None:
    env = {**os.environ, **({"PGPASSWORD": settings.postgres_password} if settings.postgres_password else {})}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip() or result.stdout.strip()}")
