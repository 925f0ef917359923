"""Retention by crypto-shredding: a closed case past retention has its key destroyed, after which
none of its personal data can be read back from the database files, while the hash chain still
verifies and the case reads as "erased under retention on DATE"."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from bootstrap import open_records
from cli.main import app
from configuration.settings import get_settings
from domain.access import Assignment
from eventstore.accounts import Accounts
from eventstore.events import case_stream
from evidence.replay import case_ids, replay_case
from operations.retention import retention_stream
from projections.registry import open_feed
from tests.conftest import concern
from tests.pure_case import PureCase
from tests.test_evidence_pack import closed_case
from tests.test_postgres_store import SERVER, pg_settings, use_postgres  # noqa: F401  (a fixture)

SUMMARY = "Zebulon pushed Marguerite against the dresser"
ADULTS = ("ADULT-QX-7731", "ADULT-QX-5502")
RECORD_TEXT = "second incident in the lounge"  # the development closed_case records
runner = CliRunner()
LATER = datetime(2036, 1, 1, 12, tzinfo=timezone.utc)  # the clock the erasing commands read: 2035's dates are past


def clock_at(monkeypatch, instant: datetime = LATER) -> None:
    import cli.retention

    monkeypatch.setattr(cli.retention, "now", lambda: instant)


def raw_bytes(data_dir) -> bytes:
    """Every file of the data directory, as stored on disk (the database, its WAL, the key store)."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.iterdir()) if p.is_file())


@pytest.mark.unit
def test_a_case_past_retention_is_erased_and_the_chain_still_verifies(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(data))
    clock_at(monkeypatch)
    get_settings.cache_clear()
    try:
        records = open_records(get_settings())
        closed_case(records, "RT-1", summary=SUMMARY, adult_at_risk={"id": ADULTS[0]}, alleged_source={"id": ADULTS[1]})
        still_open = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="RT-2", summary="kept: the case is open"))
        still_open.at("2027-01-12T09:40:00+00:00").complete("record_concern")
        records.record("RT-2", 1, still_open.facts)
        open_feed(records).catch_up()
        key = records.keys.cipher(case_stream("RT-1")).key
        stored = raw_bytes(data)
        assert SUMMARY.encode() not in stored  # encrypted at rest in the events ...
        assert ADULTS[0].encode() in stored  # ... the read models hold ids (until the case is erased)
        assert runner.invoke(app, ["evidence", "checkpoint"]).exit_code == 0

        # closed 2027-01-14: due 8 years on, 2035-01-14
        early = runner.invoke(app, ["retention", "due", "--today", "2035-01-13", "--json"])
        assert early.exit_code == 0, early.output
        assert json.loads(early.stdout)["due"] == []
        listed = runner.invoke(app, ["retention", "due", "--today", "2035-01-14"])
        assert listed.exit_code == 0 and "RT-1  closed 2027-01-14  due 2035-01-14" in listed.stdout
        assert "RT-2" not in listed.stdout

        applied = runner.invoke(app, ["retention", "apply", "--today", "2035-01-20", "--by", "DPO-1"])
        assert applied.exit_code == 0, applied.output
        assert "RT-1: erased under retention on 2035-01-20" in applied.stdout
        assert "1 case(s) erased" in applied.stdout

        stored = raw_bytes(data)
        for personal in (SUMMARY, *ADULTS, RECORD_TEXT):
            assert personal.encode() not in stored, personal
        assert key not in stored  # the key itself is gone from the key store

        verified = runner.invoke(app, ["evidence", "verify"])
        assert verified.exit_code == 0, verified.output
        chronology = runner.invoke(app, ["chronology", "RT-1"])
        assert "erased under retention on 2035-01-20" in chronology.stderr
        status = runner.invoke(app, ["concern", "status", "RT-1"])
        assert status.exit_code == 0 and "RT-1: erased under retention on 2035-01-20" in status.stdout
        pack = runner.invoke(app, ["evidence", "pack", "RT-1", "--out", str(tmp_path / "pack")])
        assert pack.exit_code == 2 and "erased under retention on 2035-01-20" in pack.stderr

        fresh = open_records(get_settings())
        assert [r.fact.case_id for r in fresh.stream(retention_stream("RT-1"))] == ["RT-1"]
        assert fresh.stream(retention_stream("RT-1"))[0].fact.actor == "DPO-1"
        assert fresh.stored_facts("RT-2")[0].fact.concern.summary == "kept: the case is open"
        replayed = asyncio.run(replay_case(None, fresh, "RT-1", [], None))  # type: ignore[arg-type]
        assert replayed.ok and replayed.line() == "RT-1: erased under retention on 2035-01-20; its facts cannot be compared"
        assert case_ids(fresh) == ["RT-2"]
        again = runner.invoke(app, ["retention", "apply", "--today", "2035-01-21"])
        assert again.exit_code == 0 and "0 case(s) erased" in again.stdout
    finally:
        get_settings.cache_clear()


@pytest.mark.unit
async def test_the_api_answers_an_erased_case_as_gone(tmp_path):
    import httpx

    from operations.retention import apply
    from tests.api_support import API, BASE
    from web.app import create_app

    from eventstore.keys import RECHECK

    settings = get_settings().model_copy(update={"data_dir": tmp_path})
    records = open_records(settings)
    closed_case(records, "RT-API")
    accounts = Accounts(records)
    accounts.add_user("DSL-1", "User DSL-1", None, by="test")
    accounts.grant("DSL-1", Assignment("designated_safeguarding_lead", "SVC-ELM"), by="test")
    token = accounts.issue_token("DSL-1", "test", None, timedelta(days=1), by="test").secret
    app = create_app(settings, records=records, client=None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE + API,
                                 headers={"Authorization": f"Bearer {token}"}) as c:
        assert (await c.get("/cases/RT-API/chronology")).status_code == 200  # the app holds the case's key now
        elsewhere = open_records(settings)  # `retention apply` in another process: its own key store connection
        apply(elsewhere, open_feed(elsewhere), 8, date(2035, 2, 1), "DPO-1")
        await asyncio.sleep(RECHECK + 0.1)
        r = await c.get("/cases/RT-API/chronology")
    assert r.status_code == 410, r.text  # at once, not after the app restarts
    assert r.json()["detail"] == "erased under retention on 2035-02-01"


def _key_store_db(settings):
    import psycopg

    return psycopg.connect(**settings.key_store_connection(), autocommit=True)


def key_row(settings, stream) -> tuple:
    """The stream's row in the PostgreSQL key store (schema safeguard_keys): wrapped, version, shredded on."""
    with _key_store_db(settings) as db:
        row = db.execute(f"SELECT wrapped, master_version, shredded_on FROM {settings.key_store_schema}.stream_keys "
                         "WHERE stream = %s", [stream]).fetchone()
    return (bytes(row[0]) if row[0] is not None else None, *row[1:])


def key_rows_holding(settings, *secrets: bytes) -> list:
    """The key store's rows whose wrapped bytes contain any of `secrets`."""
    with _key_store_db(settings) as db:
        rows = db.execute(f"SELECT stream, wrapped FROM {settings.key_store_schema}.stream_keys "
                          "WHERE wrapped IS NOT NULL").fetchall()
    return [s for s, w in rows if any(x in bytes(w) for x in secrets)]


@pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
def test_retention_on_postgres(pg_settings, tmp_path, monkeypatch):
    """`retention due` and `apply` on the PostgreSQL store: the events stay, chained and unreadable."""
    from tests.test_evidence_verify import Rows

    use_postgres(monkeypatch, pg_settings, tmp_path)
    clock_at(monkeypatch)
    try:
        records = open_records(get_settings())
        closed_case(records, "RT-PG", summary=SUMMARY, adult_at_risk={"id": ADULTS[0]}, alleged_source={"id": ADULTS[1]})
        rows = Rows(records, get_settings())
        states = lambda: b"".join(bytes(r[0]) for r in rows.run("SELECT state FROM {t} WHERE originator_id = ?", rows.sid("RT-PG")))  # noqa: E731
        assert states() and SUMMARY.encode() not in states()  # encrypted at rest on PostgreSQL too
        key = records.keys.cipher(case_stream("RT-PG")).key
        wrapped, _, shredded_on = key_row(get_settings(), case_stream("RT-PG"))
        assert wrapped and shredded_on is None  # the case's key is in PostgreSQL's key store, wrapped
        listed = runner.invoke(app, ["retention", "due", "--today", "2035-01-14"])
        assert listed.exit_code == 0 and "RT-PG  closed 2027-01-14  due 2035-01-14" in listed.stdout, listed.output
        applied = runner.invoke(app, ["retention", "apply", "--today", "2035-01-20", "--by", "DPO-1"])
        assert applied.exit_code == 0 and "RT-PG: erased under retention on 2035-01-20" in applied.stdout, applied.output
        verified = runner.invoke(app, ["evidence", "verify"])
        assert verified.exit_code == 0, verified.output
        status = runner.invoke(app, ["concern", "status", "RT-PG"])
        assert "RT-PG: erased under retention on 2035-01-20" in status.stdout, status.output
        fresh = open_records(get_settings())
        assert case_ids(fresh) == [] and states()  # still stored, chained; no longer readable
        wrapped_now, _, shredded_on = key_row(get_settings(), case_stream("RT-PG"))
        assert (wrapped_now, shredded_on) == (None, date(2035, 1, 20))  # no key material, only the date it was shredded
        assert not key_rows_holding(get_settings(), key, wrapped)  # nor anywhere else in the key store's rows
    finally:
        get_settings.cache_clear()


@pytest.mark.unit
def test_events_written_before_encryption_are_named_not_claimed_erased(tmp_path, monkeypatch):
    """A case recorded before encryption at rest keeps those events as plain JSON (never rewritten):
    `retention due` and `apply` say so, case by case, rather than let the erasure look complete."""
    data = tmp_path / "data"
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(data))
    monkeypatch.setenv("SAFEGUARD_ENCRYPT_AT_REST", "false")
    clock_at(monkeypatch)
    get_settings.cache_clear()
    try:
        case = closed_case(open_records(get_settings()), "RT-OLD", summary=SUMMARY)
        monkeypatch.setenv("SAFEGUARD_ENCRYPT_AT_REST", "true")
        get_settings.cache_clear()
        listed = runner.invoke(app, ["retention", "due", "--today", "2035-02-01", "--json"])
        assert json.loads(listed.stdout)["due"][0]["plain_events"] == len(case.facts)
        applied = runner.invoke(app, ["retention", "apply", "--today", "2035-02-01"])
        assert applied.exit_code == 0, applied.output
        assert (f"warning: RT-OLD: {len(case.facts)} of its events were written before encryption at rest and still "
                "hold its personal data as plain JSON") in applied.stderr
        assert SUMMARY.encode() in raw_bytes(data)  # as the warning says
    finally:
        get_settings.cache_clear()


@pytest.mark.unit
def test_erasing_is_never_early_nor_by_a_name_and_in_production_needs_a_data_protection_role(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        records = open_records(get_settings())
        closed_case(records, "RT-EARLY")
        clock_at(monkeypatch, datetime(2027, 2, 1, 12, tzinfo=timezone.utc))
        early = runner.invoke(app, ["retention", "apply", "--today", "2035-02-01"])
        assert early.exit_code == 2 and "--today 2035-02-01 is after today (2027-02-01)" in early.stderr
        ahead = runner.invoke(app, ["retention", "due", "--today", "2035-02-01"])
        assert ahead.exit_code == 0 and "RT-EARLY" in ahead.stdout  # looking ahead is allowed
        clock_at(monkeypatch)
        named = runner.invoke(app, ["retention", "apply", "--by", "Bob Smith"])
        assert named.exit_code == 2 and "--by 'Bob Smith' is not an id" in named.stderr
        monkeypatch.setenv("SAFEGUARD_MODE", "production")
        get_settings.cache_clear()
        tokenless = runner.invoke(app, ["retention", "apply"])
        assert tokenless.exit_code == 2 and "SAFEGUARD_TOKEN" in tokenless.stderr
        accounts = Accounts(records)
        accounts.add_user("RM-3", "RM-3", None, by="test")
        accounts.grant("RM-3", Assignment("registered_manager", "SVC-ELM"), by="test")
        monkeypatch.setenv("SAFEGUARD_TOKEN", accounts.issue_token("RM-3", "cli", None, timedelta(days=1), by="test").secret)
        get_settings.cache_clear()
        refused = runner.invoke(app, ["retention", "apply"])
        assert refused.exit_code == 2 and "for the whole organisation can erase the cases past their retention time" in refused.stderr
        assert records.keys.erased_on(case_stream("RT-EARLY")) is None  # nothing was erased by any of these
    finally:
        get_settings.cache_clear()
