"""`safeguard backup` and `safeguard restore`, through the real command, on SQLite and PostgreSQL:
a snapshot with its manifest, never overwritten; a restore only into an empty store, checked
stream by stream; a changed event in a backup is found."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bootstrap import open_records
from cli.main import app
from configuration.settings import Settings, get_settings
from projections.registry import open_feed
from tests.conftest import concern
from tests.pure_case import PureCase

runner = CliRunner()


def filled(records, n: int = 3) -> int:
    """n cases raised and recorded, read models caught up; returns the events stored."""
    for i in range(n):
        case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id=f"BK-{i}"))
        case.at("2027-01-12T09:40:00+00:00")
        case.complete("record_concern")
        records.record(f"BK-{i}", 1, case.facts)
    open_feed(records).catch_up()
    return sum(len(records.stored_facts(f"BK-{i}")) for i in range(n))


@pytest.fixture
def safeguard(monkeypatch):
    def run(env: dict[str, str], *args: str):
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()
        try:
            return runner.invoke(app, list(args))
        finally:
            get_settings.cache_clear()
    return run


MASTER_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # one master key for every store here: a restore needs it


@pytest.fixture(autouse=True)
def _master_key(monkeypatch):
    monkeypatch.setenv("SAFEGUARD_MASTER_KEY", MASTER_KEY)


def sqlite_env(path: Path) -> dict[str, str]:
    return {"SAFEGUARD_EVENT_STORE": "sqlite", "SAFEGUARD_DATA_DIR": str(path), "SAFEGUARD_MASTER_KEY": MASTER_KEY}


@pytest.mark.unit
def test_sqlite_backup_restore_and_a_changed_event_found(tmp_path, safeguard):
    source = tmp_path / "source"
    events = filled(open_records(Settings(data_dir=source)))
    out = tmp_path / "backups" / "store.sqlite"

    result = safeguard(sqlite_env(source), "backup", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["events"], summary["streams"]) == (events, 3)
    again = safeguard(sqlite_env(source), "backup", "--out", str(out))
    assert again.exit_code == 2 and "already exists: a backup never overwrites one" in again.stderr

    result = safeguard(sqlite_env(tmp_path / "restored"), "restore", str(out))
    assert result.exit_code == 0, result.output
    assert f"restored {events} events in 3 streams; every stream matches its backup" in result.stdout
    restored = open_records(Settings(data_dir=tmp_path / "restored"))
    assert [f.type for f in restored.stored_facts("BK-1")] == [f.type for f in open_records(Settings(data_dir=source)).stored_facts("BK-1")]
    assert dict(open_feed(restored).documents.scan("live_cases"))  # the read models came too

    refused = safeguard(sqlite_env(source), "restore", str(out))
    assert refused.exit_code == 2 and "the event store is not empty" in refused.stderr

    with sqlite3.connect(out) as db:  # one event changed in the backup after it was taken
        db.execute("UPDATE stored_events SET state = substr(state, 1, length(state) - 1) WHERE originator_version = 1")  # encrypted: bytes, not words
    result = safeguard(sqlite_env(tmp_path / "again"), "restore", str(out))
    assert result.exit_code == 1 and "3 streams differ from the backup's manifest" in result.stderr


@pytest.mark.unit
def test_a_backup_that_is_not_there_is_named(tmp_path, safeguard):
    result = safeguard(sqlite_env(tmp_path), "restore", str(tmp_path / "nope.sqlite"))
    assert result.exit_code == 2 and "nope.sqlite: no such backup file" in result.stderr


SERVER = os.environ.get("SAFEGUARD_TEST_POSTGRES")


@pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
def test_postgres_backup_and_restore_into_an_empty_database(tmp_path, safeguard):
    import psycopg

    host, port = SERVER.split(":")
    names = [f"safeguard_bk_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f"CREATE DATABASE {name}")
    env = lambda db: {"SAFEGUARD_EVENT_STORE": "postgres", "SAFEGUARD_POSTGRES_HOST": host, "SAFEGUARD_POSTGRES_PORT": port,
                      "SAFEGUARD_POSTGRES_USER": "postgres", "SAFEGUARD_POSTGRES_DBNAME": db, "SAFEGUARD_DATA_DIR": str(tmp_path)}
    try:
        source = open_records(Settings(**{k.removeprefix("SAFEGUARD_").lower(): v for k, v in env(names[0]).items()}))
        events = filled(source)
        out = tmp_path / "store.pgdump"
        result = safeguard(env(names[0]), "backup", "--out", str(out))
        assert result.exit_code == 0, result.output
        result = safeguard(env(names[1]), "restore", str(out))
        assert result.exit_code == 0, result.output
        assert f"restored {events} events in 3 streams; every stream matches its backup" in result.stdout
        source.close()
    finally:
        with psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres", autocommit=True) as conn:
            for name in names:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.unit
def test_a_restore_under_another_master_key_is_refused_before_anything_is_restored(tmp_path, safeguard):
    filled(open_records(Settings(data_dir=tmp_path / "source")))
    out = tmp_path / "backups" / "store.sqlite"
    assert safeguard(sqlite_env(tmp_path / "source"), "backup", "--out", str(out)).exit_code == 0
    other = {**sqlite_env(tmp_path / "restored"), "SAFEGUARD_MASTER_KEY": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="}
    refused = safeguard(other, "restore", str(out))
    assert refused.exit_code == 2, refused.output
    assert "wrapped under another master key than the one from SAFEGUARD_MASTER_KEY" in refused.stderr
    assert not open_records(Settings(data_dir=tmp_path / "restored", master_key=other["SAFEGUARD_MASTER_KEY"])).recorder.max_notification_id()
