"""Accounts, tokens and the access audit in the event store, on SQLite and (under ./scripts/test)
PostgreSQL: the audit's one stream takes concurrent appends without losing or doubling a line."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from bootstrap import open_records
from cli.main import app
from configuration.settings import Settings, get_settings
from domain.access import Assignment
from eventstore.accounts import ACCESS_STREAM, AccountError, Accounts, token_stream
from tests.test_backup import MASTER_KEY
from tests.test_postgres_store import SERVER, pg_settings  # noqa: F401 (a fixture)

STORES = [pytest.param("sqlite", marks=pytest.mark.unit), pytest.param("postgres", marks=pytest.mark.skipif(not SERVER, reason="no PostgreSQL"))]


@pytest.fixture(params=STORES)
def store(request, settings, tmp_path):
    if request.param == "sqlite":
        yield open_records(settings)
        return
    pg_settings = request.getfixturevalue("pg_settings")
    records = open_records(pg_settings)
    yield records
    records.close()


def test_accounts_tokens_and_the_audit_round_trip(store):
    accounts = Accounts(store)
    accounts.add_user("TL-1", "Tess", "correct horse battery", by="test")
    with pytest.raises(AccountError, match="already exists"):
        accounts.add_user("TL-1", "Tess again", None, by="test")
    accounts.grant("TL-1", Assignment("team_leader", "SVC-ELM"), by="test")
    issued = accounts.issue_token("TL-1", "rota", (Assignment("team_leader", "SVC-ELM"),), timedelta(days=1), by="test")
    token, account = accounts.check_token(issued.secret)
    assert account.principal("api", token.scope).roles_at("SVC-ELM") == ("team_leader",)
    assert [a.user_id for a in accounts.users()] == ["TL-1"]
    assert [t.token_id for t in accounts.tokens("TL-1")] == [issued.token.token_id]
    actions = [a.action for a in accounts.access_log(user_id="TL-1")]
    assert actions == ["user_added", "grant", "token_issued"]
    assert "correct horse battery" not in str([a.model_dump() for a in accounts.access_log()])


def test_concurrent_audit_lines_are_all_kept_once(store):
    accounts = Accounts(store)
    threads = [threading.Thread(target=lambda n=n: [accounts.audit(f"U-{n}", "read", "GET /x", True, case_id=f"C-{n}-{i}")
                                                   for i in range(15)]) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = accounts.access_log()
    assert sorted(a.case_id for a in lines) == sorted(f"C-{n}-{i}" for n in range(6) for i in range(15))
    versions = [e.originator_version for e in store.recorder.select_events(ACCESS_STREAM)]
    assert versions == list(range(1, 91))


@pytest.mark.unit
def test_safeguard_backup_covers_accounts_tokens_and_the_audit(tmp_path, monkeypatch):
    source, restored, out = tmp_path / "source", tmp_path / "restored", tmp_path / "backup.sqlite"
    monkeypatch.setenv("SAFEGUARD_MASTER_KEY", MASTER_KEY)  # a restore needs the master key the keys are wrapped under
    accounts = Accounts(open_records(Settings(data_dir=source)))
    accounts.add_user("TL-1", "Tess", "correct horse battery", by="test")
    accounts.grant("TL-1", Assignment("team_leader", "SVC-ELM"), by="test")
    secret = accounts.issue_token("TL-1", "rota", None, timedelta(days=1), by="test").secret

    def safeguard(data_dir, *args):
        monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(data_dir))
        monkeypatch.setenv("SAFEGUARD_EVENT_STORE", "sqlite")
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(app, list(args))
        finally:
            get_settings.cache_clear()

    assert safeguard(source, "backup", "--out", str(out)).exit_code == 0
    result = safeguard(restored, "restore", str(out))
    assert result.exit_code == 0, result.output
    back = Accounts(open_records(Settings(data_dir=restored)))
    assert back.account("TL-1").assignments == [Assignment("team_leader", "SVC-ELM")]
    assert back.check_token(secret)[1].user_id == "TL-1"
    assert [a.action for a in back.access_log()] == ["user_added", "grant", "token_issued"]


def test_a_tokens_uses_are_kept_apart_so_checking_it_reads_two_events(store):
    accounts = Accounts(store)
    accounts.add_user("TL-2", "Tess", None, by="test")
    issued = accounts.issue_token("TL-2", "rota", None, timedelta(days=1), by="test")
    for _ in range(30):
        accounts.token_used(issued.token.token_id, "10.0.0.1")
    assert len(store.recorder.select_events(token_stream(issued.token.token_id))) == 1
    assert accounts.token(issued.token.token_id).last_used_from == "10.0.0.1"
    assert accounts.check_token(issued.secret)[0].token_id == issued.token.token_id
