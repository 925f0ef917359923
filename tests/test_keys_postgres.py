"""The key store in PostgreSQL (eventstore/keys_postgres.py), beside the PostgreSQL event store: a
case's events and Temporal payloads under keys another process (another host) reads there; the
role deploy/postgres-init.sql makes, which the event store's role cannot read past; `safeguard keys
migrate` from a keys.sqlite; a rotation killed mid-way that carries on; a backup taking the keys.
The scan of PostgreSQL's files after a shred and a rotation: tests/test_key_rotation_scan.py."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from base64 import b64encode
from datetime import date
from pathlib import Path

import psycopg
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from typer.testing import CliRunner

from bootstrap import build_worker, open_records
from cli.main import app
from configuration.settings import Settings, get_settings
from encryption.payload_codec import KEY, decrypt
from encryption.seal import sealing_key
from eventstore.events import case_stream
from eventstore.keys import RECHECK, Erased, KeyStore
from eventstore.keys_sqlite import SqliteKeys
from eventstore.master_keys import ring_for
from evidence.replay import fetch_runs, replay_case
from bootstrap import WORKFLOWS
from operations.keys import open_key_store
from simulation.runner import start_test_environment
from tests.cases import CaseDriver
from tests.conftest import concern
from tests.stories import full_pathway
from tests.test_backup import filled
from tests.test_master_keys import K1, K2
from tests.test_postgres_store import SERVER, pg_settings, use_postgres  # noqa: F401  (a fixture)

pytestmark = pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
ROOT = Path(__file__).resolve().parents[1]
SUMMARY = "Perpetua took Anselm's walking frame and hid it"
runner = CliRunner()


def superuser(dbname: str = "postgres") -> psycopg.Connection:
    host, port = SERVER.split(":")
    return psycopg.connect(host=host, port=int(port), user="postgres", dbname=dbname, autocommit=True)


def safeguard(monkeypatch, *args: str, **env: str):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    try:
        return runner.invoke(app, list(args))
    finally:
        get_settings.cache_clear()


@pytest_asyncio.fixture(loop_scope="session")
async def pg_cases(pg_settings):
    """A worker and a test client whose payloads are encrypted with keys from the PostgreSQL key store."""
    records = open_records(pg_settings)
    env = await start_test_environment(records.keys, sealing_key(pg_settings))
    async with build_worker(env.client, records, pg_settings):
        d = CaseDriver(env, pg_settings, records)
        yield d
        await d.terminate_open_cases()
    await env.shutdown()
    records.close()


async def test_events_and_temporal_payloads_under_keys_kept_in_postgresql(pg_cases, pg_settings):
    case = await pg_cases.raise_concern(concern("2027-01-12T09:30:00+00:00", summary=SUMMARY))
    await full_pathway(case)
    assert not (pg_settings.data_dir / "keys.sqlite").exists()
    with superuser(pg_settings.postgres_dbname) as db:
        streams = {r[0] for r in db.execute("SELECT stream FROM safeguard_keys.stream_keys WHERE master_version = 1")}
    assert case_stream(case.id) in streams

    elsewhere = open_records(pg_settings)  # another process, as on another host: the same keys, from PostgreSQL
    assert [f.type for f in elsewhere.stored_facts(case.id)] == [f.type for f in case.facts()]
    runs = await fetch_runs(pg_cases.env.client, case.id)
    started = runs[0].events[0].workflow_execution_started_event_attributes.input.payloads[0]
    assert started.metadata[KEY] == case_stream(case.id).hex.encode() and SUMMARY.encode() not in started.data
    assert SUMMARY in decrypt(elsewhere.keys, started).data.decode()
    report = await replay_case(pg_cases.env.client, elsewhere, case.id, WORKFLOWS, pg_cases.env.client.data_converter)
    assert report.status == "consistent", report.problems

    elsewhere.keys.shred(case_stream(case.id), date(2035, 1, 20))  # `retention apply` there
    await asyncio.sleep(RECHECK + 0.1)
    with pytest.raises(Erased, match="2035-01-20"):
        pg_cases.records.keys.cipher(case_stream(case.id))  # refused here too, without a restart
    with pytest.raises(Erased):
        decrypt(pg_cases.records.keys, started)


def _init_sql(prefix: str) -> list[tuple[str, str]]:
    """deploy/postgres-init.sql with its names made the test's own: (database, statement) in order."""
    text = (ROOT / "deploy" / "postgres-init.sql").read_text()
    text = re.sub(r"\bsafeguard_keys\b", f"{prefix}_keys", re.sub(r"--.*", "", text))
    text = re.sub(r"\bsafeguard\b", prefix, text)
    out, db = [], "postgres"
    for line in text.splitlines():
        if line.startswith("\\connect"):
            db = line.split()[1]
        elif line.strip():
            out.append((db, line.strip().rstrip(";")))
    return out


def test_the_key_store_role_is_the_only_one_that_reads_the_keys(tmp_path, monkeypatch):
    prefix = f"sgk{uuid.uuid4().hex[:8]}"
    host, port = SERVER.split(":")
    try:
        for db, statement in _init_sql(prefix):
            with superuser(db) as c:
                c.execute(statement)
        env = {"SAFEGUARD_EVENT_STORE": "postgres", "SAFEGUARD_POSTGRES_HOST": host, "SAFEGUARD_POSTGRES_PORT": port,
               "SAFEGUARD_POSTGRES_DBNAME": prefix, "SAFEGUARD_POSTGRES_USER": prefix,
               "SAFEGUARD_POSTGRES_KEYS_USER": f"{prefix}_keys", "SAFEGUARD_KEY_STORE_SCHEMA": f"{prefix}_keys",
               "SAFEGUARD_DATA_DIR": str(tmp_path), "SAFEGUARD_MASTER_KEY": K1}
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()
        events = filled(open_records(get_settings()))
        assert sum(len(open_records(get_settings()).stored_facts(f"BK-{i}")) for i in range(3)) == events
        with psycopg.connect(host=host, port=int(port), user=prefix, dbname=prefix) as as_events:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for schema"):
                as_events.execute(f"SELECT * FROM {prefix}_keys.stream_keys")
        with psycopg.connect(host=host, port=int(port), user=f"{prefix}_keys", dbname=prefix) as as_keys:
            assert as_keys.execute(f"SELECT count(*) FROM {prefix}_keys.stream_keys").fetchone()[0] == 3  # a key a case
        backup = safeguard(monkeypatch, "backup", "--out", str(tmp_path / "store.pgdump"))  # pg_dump as the event store's role
        assert backup.exit_code == 0, backup.output
        assert len(SqliteKeys(tmp_path / "store.pgdump.keys.sqlite").rows(None, 100)) == 3  # the keys beside it
    finally:
        get_settings.cache_clear()
        with superuser() as c:
            c.execute(f"DROP DATABASE IF EXISTS {prefix} WITH (FORCE)")
            c.execute(f"DROP ROLE IF EXISTS {prefix}_keys")
            c.execute(f"DROP ROLE IF EXISTS {prefix}")


def test_migrate_moves_a_keys_sqlite_into_postgresql_once_and_refuses_different_keys(pg_settings, tmp_path, monkeypatch):
    use_postgres(monkeypatch, pg_settings, tmp_path)
    monkeypatch.setenv("SAFEGUARD_MASTER_KEY", K1)
    get_settings.cache_clear()
    settings = get_settings()
    from eventstore.application import SafeguardingRecords

    old = KeyStore(SqliteKeys(tmp_path / "keys.sqlite"), ring_for(settings))  # as before: events in PostgreSQL, keys in a file
    events = filled(SafeguardingRecords(env=settings.event_store_env(), keys=old))
    old.shred(case_stream("BK-2"), date(2035, 1, 20))
    with pytest.raises(Exception, match="the key store in PostgreSQL is empty but .*keys.sqlite holds keys: move them "
                                        "first with `safeguard keys migrate`"):
        open_records(settings)

    moved = safeguard(monkeypatch, "keys", "migrate")
    assert moved.exit_code == 0, moved.output
    assert f"3 key row(s) in {tmp_path / 'keys.sqlite'}: 3 copied (1 of them erasures, with no key), 0 already there" \
        in moved.stdout
    records = open_records(get_settings())
    assert sum(len(records.stored_facts(f"BK-{i}")) for i in range(2)) == events * 2 // 3
    assert records.keys.erased_on(case_stream("BK-2")) == "2035-01-20"
    again = safeguard(monkeypatch, "keys", "migrate", "--json")
    assert json.loads(again.stdout) == {"from": str(tmp_path / "keys.sqlite"), "read": 3, "copied": 0,
                                        "already_there": 3, "erasures_copied": 0}

    other = KeyStore(SqliteKeys(tmp_path / "other.sqlite"), ring_for(settings))  # another installation's keys
    other.cipher(case_stream("BK-0"), create=True)
    other.cipher(case_stream("ONLY-THERE"), create=True)
    refused = safeguard(monkeypatch, "keys", "migrate", "--from", str(tmp_path / "other.sqlite"))
    assert refused.exit_code == 2, refused.output
    assert f"already holds different keys for 1 of the streams in {tmp_path / 'other.sqlite'} (the first: " \
        f"{case_stream('BK-0')}): nothing was copied" in refused.stderr
    assert records.keys.rows.row(case_stream("ONLY-THERE")) is None

    foreign = KeyStore(SqliteKeys(tmp_path / "foreign.sqlite"), ring_for(Settings(data_dir=tmp_path, master_key=K2)))
    foreign.cipher(case_stream("FOREIGN"), create=True)  # under another master key
    unreadable = safeguard(monkeypatch, "keys", "migrate", "--from", str(tmp_path / "foreign.sqlite"))
    assert unreadable.exit_code == 2 and "were wrapped under another master key than the one from SAFEGUARD_MASTER_KEY" \
        in unreadable.stderr


def _put_keys(settings: Settings, n: int) -> dict[uuid.UUID, bytes]:
    store = open_key_store(settings)
    made = {uuid.uuid4(): AESGCM.generate_key(256) for _ in range(n)}
    store.rows.put([(s, *store.ring.wrap(s, k), None) for s, k in made.items()])
    store.close()
    return made


def test_a_rotation_killed_mid_way_carries_on_when_run_again(pg_settings, tmp_path):
    settings = pg_settings.model_copy(update={"master_key": K1})
    made = _put_keys(settings, 20_000)
    env = {**os.environ, "SAFEGUARD_EVENT_STORE": "postgres", "SAFEGUARD_POSTGRES_HOST": settings.postgres_host,
           "SAFEGUARD_POSTGRES_PORT": str(settings.postgres_port), "SAFEGUARD_POSTGRES_USER": settings.postgres_user,
           "SAFEGUARD_POSTGRES_DBNAME": settings.postgres_dbname, "SAFEGUARD_DATA_DIR": str(tmp_path),
           "SAFEGUARD_MASTER_KEY": K1, "SAFEGUARD_MASTER_KEYS": f"2:{K2}"}
    rotate = [sys.executable, "-m", "cli.main", "keys", "rotate", "--batch", "100"]
    counts = lambda: dict(db.execute("SELECT master_version, count(*) FROM safeguard_keys.stream_keys GROUP BY 1"))  # noqa: E731
    with superuser(settings.postgres_dbname) as db:
        proc = subprocess.Popen(rotate, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while counts().get(2, 0) < 2_000 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)  # nothing flushed, nothing said goodbye
        finally:
            proc.wait()
        stopped = counts()
        assert set(stopped) == {1, 2} and sum(stopped.values()) == len(made), stopped  # killed mid-way, no key lost
        assert stopped[2] % 100 == 0  # whole batches: each its own transaction
        done = subprocess.run(rotate, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert f"{stopped[1]:,} key(s) rewrapped under master-key version 2" in done.stdout
        assert f"{stopped[1]:,} of {stopped[1]:,} keys rewrapped" in done.stderr  # progress shown
        assert counts() == {2: len(made)}
    store = open_key_store(settings.model_copy(update={"master_key": "", "master_keys": f"2:{K2}"}))
    assert {s: store.ring.unwrap(s, w, v) for s, w, v, _ in store.rows.rows(None, 100_000)} == made


def test_retire_is_refused_while_a_key_is_wrapped_under_the_version(pg_settings, tmp_path, monkeypatch):
    use_postgres(monkeypatch, pg_settings, tmp_path)
    _put_keys(pg_settings.model_copy(update={"master_key": K1}), 10)
    refused = safeguard(monkeypatch, "keys", "retire", "1", SAFEGUARD_MASTER_KEY=K1, SAFEGUARD_MASTER_KEYS=f"2:{K2}")
    assert refused.exit_code == 2 and "10 key(s) are still wrapped under master-key version 1" in refused.stderr
    assert safeguard(monkeypatch, "keys", "rotate").exit_code == 0
    assert safeguard(monkeypatch, "keys", "retire", "1").exit_code == 0
    status = safeguard(monkeypatch, "keys", "status", "--json")
    assert json.loads(status.stdout)["retired"] == {"1": date.today().isoformat()}
    assert json.loads(status.stdout)["keys_by_version"] == {"2": 10}


def test_a_backup_takes_the_keys_and_a_restore_puts_them_back(pg_settings, tmp_path, monkeypatch):
    use_postgres(monkeypatch, pg_settings, tmp_path)
    events = filled(open_records(get_settings()))
    out = tmp_path / "store.pgdump"
    assert safeguard(monkeypatch, "backup", "--out", str(out)).exit_code == 0
    from operations.backup import _pg_tool

    listing = subprocess.run([_pg_tool("pg_restore"), "--list", str(out)], capture_output=True, text=True)
    assert listing.returncode == 0 and "safeguardingrecords_events" in listing.stdout and "safeguard_keys" not in listing.stdout
    target = f"safeguard_rs_{uuid.uuid4().hex[:8]}"
    with superuser() as c:
        c.execute(f"CREATE DATABASE {target}")
    try:
        restored = safeguard(monkeypatch, "restore", str(out), SAFEGUARD_POSTGRES_DBNAME=target)
        assert restored.exit_code == 0, restored.output
        records = open_records(pg_settings.model_copy(update={"postgres_dbname": target}))
        assert sum(len(records.stored_facts(f"BK-{i}")) for i in range(3)) == events  # readable: the keys came too
        records.close()
    finally:
        with superuser() as c:
            c.execute(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
