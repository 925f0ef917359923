"""Tamper evidence on real stores, SQLite and PostgreSQL: rows are edited with SQL behind
Safeguard's back (one byte altered, the last event deleted, a whole case deleted, an event
inserted with a correctly forged link, two events swapped) and `verify` names each break by case
and event number. A store written before the chain is anchored by its genesis checkpoint."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest
from typer.testing import CliRunner

from bootstrap import open_records
from cli.main import app
from configuration.settings import Settings, get_settings
from domain.facts import DevelopmentRecorded
from eventstore.chain import MAGIC, link, split
from eventstore.events import case_stream
from evidence.store import EvidenceError, checkpoints, export, take_checkpoint
from evidence.verify import verify
from projections.registry import open_documents
from tests.conftest import concern
from telemetry.instruments import REGISTRY
from tests.pure_case import PureCase
from tests.test_legacy_store import load_legacy
from tests.test_postgres_store import SERVER, pg_settings, use_postgres  # noqa: F401  (a fixture)

CASES = ("TV-A", "TV-B", "TV-C")


def fill(records) -> None:
    """Three cases, each recorded in two batches (the second links to the first's last event)."""
    for case_id in CASES:
        case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id=case_id))
        records.record(case_id, 1, case.facts)
        first = len(case.facts)
        case.at("2027-01-12T09:40:00+00:00")
        case.complete("record_concern")
        records.record(case_id, first + 1, case.facts[first:])


class Rows:
    """SQL on the events table, as someone with database access would run it."""

    def __init__(self, records, settings: Settings) -> None:
        self.records, self.settings = records, settings
        self.pg = settings.event_store == "postgres"
        self.table = records.recorder.events_table_name

    def run(self, sql: str, *args: Any) -> list[tuple]:
        sql = sql.replace("{t}", self.table)
        if self.pg:
            import psycopg

            with psycopg.connect(host=self.settings.postgres_host, port=self.settings.postgres_port,
                                 user=self.settings.postgres_user, dbname=self.settings.postgres_dbname) as conn:
                cur = conn.execute(sql.replace("?", "%s"), args)
                return cur.fetchall() if cur.description else []
        import sqlite3

        with sqlite3.connect(self.settings.event_store_env()["SQLITE_DBNAME"]) as conn:
            return conn.execute(sql, args).fetchall()

    def sid(self, case_id: str) -> Any:
        s = case_stream(case_id)
        return s if self.pg else s.hex

    def state(self, case_id: str, n: int) -> tuple[str, bytes]:
        ((topic, state),) = self.run("SELECT topic, state FROM {t} WHERE originator_id=? AND originator_version=?",
                                     self.sid(case_id), n)
        return topic, bytes(state)

    def count(self, case_id: str) -> int:
        return self.run("SELECT COUNT(*) FROM {t} WHERE originator_id=?", self.sid(case_id))[0][0]

    def renumber(self, case_id: str, from_n: int, by: int) -> None:
        sid = self.sid(case_id)  # through negatives: the key is checked row by row
        self.run("UPDATE {t} SET originator_version = -originator_version WHERE originator_id=? AND originator_version>=?",
                 sid, from_n)
        self.run("UPDATE {t} SET originator_version = ? - originator_version WHERE originator_id=? AND originator_version<0",
                 by, sid)

    def swap(self, case_id: str, a: int, b: int) -> None:
        sid = self.sid(case_id)
        self.run("UPDATE {t} SET originator_version=-1 WHERE originator_id=? AND originator_version=?", sid, a)
        self.run("UPDATE {t} SET originator_version=? WHERE originator_id=? AND originator_version=?", a, sid, b)
        self.run("UPDATE {t} SET originator_version=? WHERE originator_id=? AND originator_version=-1", b, sid)


def alter_one_byte(rows: Rows) -> None:
    topic, state = rows.state("TV-A", 2)  # encrypted at rest: one byte of its ciphertext
    rows.run("UPDATE {t} SET state=? WHERE originator_id=? AND originator_version=2",
             state[:-1] + bytes([state[-1] ^ 1]), rows.sid("TV-A"))


def delete_last(rows: Rows) -> None:
    rows.run("DELETE FROM {t} WHERE originator_id=? AND originator_version=?", rows.sid("TV-A"), rows.count("TV-A"))


def delete_case(rows: Rows) -> None:
    rows.run("DELETE FROM {t} WHERE originator_id=?", rows.sid("TV-B"))


def insert_forged(rows: Rows) -> None:
    """An event slipped in at #3, its link forged correctly (the algorithm is no secret)."""
    topic, before = rows.state("TV-A", 2)
    prev = split(before).own
    payload = split(before).payload.replace(b'"reason":"', b'"reason":"forged ')
    forged = MAGIC + prev + link(prev, case_stream("TV-A"), topic, payload) + payload
    rows.renumber("TV-A", 3, 1)
    rows.run("INSERT INTO {t} (originator_id, originator_version, topic, state) VALUES (?, 3, ?, ?)",
             rows.sid("TV-A"), topic, forged)


def remove_and_renumber(rows: Rows) -> None:
    rows.run("DELETE FROM {t} WHERE originator_id=? AND originator_version=3", rows.sid("TV-A"))
    rows.renumber("TV-A", 4, -1)


def swap(rows: Rows) -> None:
    rows.swap("TV-A", 2, 4)


TAMPERING: dict[str, tuple[Callable[[Rows], None], list[tuple[str, int | None, str]]]] = {
    "one byte altered": (alter_one_byte, [("case TV-A", 2, "altered")]),
    "last event deleted": (delete_last, [("case TV-A", None, "removed")]),
    "whole case deleted": (delete_case, [("case TV-B", None, "missing")]),
    "event inserted": (insert_forged, [("case TV-A", 3, "inserted")]),
    "event removed, the rest renumbered": (remove_and_renumber, [("case TV-A", 3, "removed")]),
    "two events swapped": (swap, [("case TV-A", 2, "reordered"), ("case TV-A", 4, "reordered")]),
}


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.unit), "postgres"])
def store(request, tmp_path):
    if request.param == "postgres":
        if not SERVER:
            pytest.skip("no PostgreSQL: run the suite with ./scripts/test, which starts one")
        settings = request.getfixturevalue("pg_settings")
    else:
        settings = Settings(data_dir=tmp_path)
    records = open_records(settings)
    yield records, settings
    records.close()


def test_an_untouched_store_verifies_and_appends_are_linked(store):
    records, settings = store
    fill(records)
    rows = Rows(records, settings)
    assert all(split(rows.state(c, n)[1]).own for c in CASES for n in range(1, rows.count(c) + 1))
    result = verify(records, open_documents(records))
    assert result.intact and (result.cases, result.events) == (3, 3 * rows.count("TV-A"))
    assert result.checkpoint is None  # chains only, until a checkpoint is taken
    assert [f.type for f in records.stored_facts("TV-A")][0] == "ConcernRaised"  # read back through the link


@pytest.mark.parametrize("what", list(TAMPERING))
def test_tampering_is_found_and_named(store, what):
    records, settings = store
    fill(records)
    documents = open_documents(records)
    events = verify(records, documents).events
    assert take_checkpoint(records, documents)["seq"] == 1
    tamper, expected = TAMPERING[what]
    tamper(Rows(records, settings))
    failures = REGISTRY.get_sample_value("safeguard_evidence_verification_failures_total")
    result = verify(records, documents)
    assert not result.intact
    assert REGISTRY.get_sample_value("safeguard_evidence_verification_failures_total") == failures + 1  # /metrics
    found = {(b.name, b.event, b.kind) for b in result.breaks}
    for name, event, kind in expected:
        assert any(n == name and k == kind and (event is None or e == event) for n, e, k in found), (what, result.breaks)
    assert {b.name for b in result.breaks} == {e[0] for e in expected}  # nothing else is blamed
    if what == "last event deleted":
        assert any(f"#{events // 3}" in b.detail for b in result.breaks)
    if what != "whole case deleted":  # the next checkpoint checks the streams that changed: it refuses
        n = len(Rows(records, settings).run("SELECT 1 FROM {t} WHERE originator_id=?", Rows(records, settings).sid("TV-A")))
        records.record("TV-A", n + 1, [DevelopmentRecorded(at="2027-01-12T10:00:00+00:00", development=1, kind="update",
                                                            summary="later")])
        with pytest.raises(EvidenceError, match="fails verification"):
            take_checkpoint(records, documents)
        assert REGISTRY.get_sample_value("safeguard_evidence_verification_failures_total") == failures + 2


def test_a_case_verified_alone_and_the_checkpoint_chain_itself(store):
    records, settings = store
    fill(records)
    documents = open_documents(records)
    take_checkpoint(records, documents)
    assert take_checkpoint(records, documents) is None  # nothing new
    n = Rows(records, settings).count("TV-C")
    records.record("TV-C", n + 1, [DevelopmentRecorded(at="2027-01-12T10:00:00+00:00", development=1, kind="update",
                                                        summary="x")])
    second = take_checkpoint(records, documents)
    assert second["seq"] == 2 and [v["name"] for v in second["streams"].values()] == ["case TV-C"]
    one = verify(records, documents, "TV-C")
    assert one.intact and (one.cases, one.events) == (1, n + 1)
    with pytest.raises(EvidenceError, match="no case NOPE"):
        verify(records, documents, "NOPE")
    exported = export(documents)
    delete_last(Rows(records, settings))
    documents.write("evidence_checkpoints", {"000000000002": {**second, "streams": {}}}, None)  # the anchor rewritten too
    result = verify(records, documents, exported=exported)
    kinds = {(b.name, b.kind) for b in result.breaks}
    assert ("checkpoints", "altered") in kinds and ("case TV-A", "removed") in kinds


@pytest.mark.unit
def test_a_store_from_before_the_chain_is_anchored_by_its_genesis(records):
    load_legacy(records)
    documents = open_documents(records)
    before = verify(records, documents)
    assert {b.kind for b in before.breaks} == {"unanchored"}
    genesis = take_checkpoint(records, documents)
    assert genesis["seq"] == 1 and "case LEGACY-full" in {v["name"] for v in genesis["streams"].values()}
    assert verify(records, documents).intact
    n = len(records.stored_facts("LEGACY-missed"))
    records.record("LEGACY-missed", n + 1, [DevelopmentRecorded(at="2027-02-01T10:00:00+00:00", development=9,
                                                                 kind="update", summary="after the genesis")])
    assert verify(records, documents).intact  # the first linked event follows the unlinked ones' head
    rows = Rows(records, Settings(data_dir=Path(records.env["SQLITE_DBNAME"]).parent))
    topic, state = rows.state("LEGACY-full", 3)
    rows.run("UPDATE {t} SET state=? WHERE originator_id=? AND originator_version=3",
             state.replace(b'"', b"'", 1).replace(b"'", b'"', 1)[:-2] + b" }", rows.sid("LEGACY-full"))
    result = verify(records, documents)
    assert [(b.name, b.kind) for b in result.breaks] == [("case LEGACY-full", "altered")]
    assert "before the chain's genesis" in result.breaks[0].detail


@pytest.fixture
def cli_store(offline, monkeypatch):
    """A filled SQLite store where the CLI finds it."""
    monkeypatch.setenv("SAFEGUARD_EVENT_STORE", "sqlite")
    get_settings.cache_clear()
    records = open_records(get_settings())
    fill(records)
    return records, get_settings()


@pytest.mark.unit
def test_verify_command_exit_codes_and_json(cli_store, tmp_path):
    records, settings = cli_store
    runner = CliRunner()
    took = runner.invoke(app, ["evidence", "checkpoint", "--export", str(tmp_path / "held" / "cp.json")])
    assert took.exit_code == 0 and "checkpoint 1: heads of 3 streams" in took.stdout
    ok = runner.invoke(app, ["evidence", "verify", "--against", str(tmp_path / "held" / "cp.json")])
    assert ok.exit_code == 0 and ok.stdout.startswith("intact: 3 cases") and len(ok.stdout.splitlines()) == 1
    swap(Rows(records, settings))
    delete_case(Rows(records, settings))
    bad = runner.invoke(app, ["evidence", "verify"])
    assert bad.exit_code == 1
    assert "case TV-A event #2: reordered" in bad.stdout and "case TV-B: missing: missing entirely" in bad.stdout
    as_json = runner.invoke(app, ["evidence", "verify", "--json"])
    data = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and data["intact"] is False and len(data["breaks"]) == 3


@pytest.mark.unit
def test_a_checkpoint_export_is_checked_first_and_written_once(cli_store, tmp_path):
    records, _ = cli_store
    documents = open_documents(records)
    runner = CliRunner()
    afile = tmp_path / "afile"
    afile.write_text("")
    for to, says in ((afile / "x.json", f"--export {afile}/x.json: {afile} is a file, not a directory"),
                     (afile / "a" / "x.json", f"--export {afile}/a/x.json: {afile} is a file, so no directory can be made under it"),
                     ("", "--export is empty: name a file")):
        refused = runner.invoke(app, ["evidence", "checkpoint", "--export", str(to)])
        assert refused.exit_code == 2 and refused.stderr.splitlines() == [f"error: {says}"], refused.output
    assert checkpoints(documents) == []  # nothing recorded
    held = tmp_path / "held" / "cp.json"
    assert runner.invoke(app, ["evidence", "checkpoint", "--export", str(held)]).exit_code == 0
    assert held.stat().st_mode & 0o777 == 0o600
    first = held.read_text()
    records.record("TV-D", 1, PureCase(concern("2027-01-13T09:30:00+00:00", case_id="TV-D")).facts)  # more to anchor
    again = runner.invoke(app, ["evidence", "checkpoint", "--export", str(held)])
    assert again.exit_code == 2 and again.stderr.splitlines() == [
        f"error: {held} exists: an exported checkpoint is kept as written; choose a new name"], again.output
    assert held.read_text() == first and len(checkpoints(documents)) == 1


@pytest.mark.unit
def test_verify_refuses_a_file_that_is_not_an_export_or_disagrees_with_itself(cli_store, tmp_path):
    runner = CliRunner()
    held = tmp_path / "cp.json"
    assert runner.invoke(app, ["evidence", "checkpoint", "--export", str(held)]).exit_code == 0
    exported = json.loads(held.read_text())
    other = tmp_path / "other.json"
    for data, why in (({"x": 1}, "it holds x, not a checkpoint and heads"),
                      ([], "it holds a list, not a checkpoint and heads"),
                      ({"checkpoint": {"seq": 1}, "heads": {}}, "its checkpoint has no seq, hash and streams"),
                      ({**exported, "heads": {"nope": {}}}, "'nope' is not a stream id")):
        other.write_text(json.dumps(data))
        refused = runner.invoke(app, ["evidence", "verify", "--against", str(other)])
        assert refused.exit_code == 2, refused.output
        assert refused.stderr.splitlines() == [f"error: {other} is not an exported checkpoint ({why})"]
    stream, entry = next(iter(exported["checkpoint"]["streams"].items()))
    entry["head"] = "0" * 64  # edited in the checkpoint's copy only: only the heads are checked against the store
    other.write_text(json.dumps(exported))
    refused = runner.invoke(app, ["evidence", "verify", "--against", str(other)])
    assert refused.exit_code == 2 and len(refused.stderr.splitlines()) == 1, refused.output
    assert f"{other} disagrees with itself: stream {stream} ({entry['name']})" in refused.stderr
    exported["heads"][stream]["head"] = "0" * 64  # both copies edited alike: the store's checkpoint differs
    other.write_text(json.dumps(exported))
    altered = runner.invoke(app, ["evidence", "verify", "--against", str(other)])
    assert altered.exit_code == 1 and "checkpoints: altered: checkpoint 1" in altered.stdout, altered.output
    assert f"{entry['name']} event #8: altered" in altered.stdout


@pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
def test_the_commands_on_postgres(pg_settings, tmp_path, monkeypatch):
    use_postgres(monkeypatch, pg_settings, tmp_path)
    try:
        records = open_records(get_settings())
        fill(records)
        runner = CliRunner()
        assert runner.invoke(app, ["evidence", "checkpoint"]).exit_code == 0
        ok = runner.invoke(app, ["evidence", "verify"])
        assert ok.exit_code == 0 and ok.stdout.startswith("intact: 3 cases, 0 other streams"), ok.output
        made = runner.invoke(app, ["evidence", "pack", "TV-A", "--out", str(tmp_path / "out"), "--by", "DSL-3"])
        assert made.exit_code == 0 and (tmp_path / "out" / "TV-A.pdf").exists(), made.output
        sar = runner.invoke(app, ["evidence", "subject", "A-117", "--out", str(tmp_path / "sar")])
        assert sar.exit_code == 0 and "3 cases naming A-117" in sar.stdout, sar.output
        delete_last(Rows(records, pg_settings))
        bad = runner.invoke(app, ["evidence", "verify", "--json"])
        assert bad.exit_code == 1 and [b["kind"] for b in json.loads(bad.stdout)["breaks"]] == ["removed"]
    finally:
        get_settings.cache_clear()


@pytest.mark.unit
@pytest.mark.parametrize("rewrite", ["CAST(state AS TEXT)", "'not what Safeguard wrote'"])
def test_an_event_rewritten_as_text_is_named_unreadable(cli_store, rewrite):
    """Issue 19 §0: a state rewritten as text with SQL (SQLite keeps whatever type it is given) made
    `evidence verify` crash with a traceback; it names the case and event and exits 1."""
    records, settings = cli_store
    rows = Rows(records, settings)
    rows.run(f"UPDATE {{t}} SET state={rewrite} WHERE originator_id=? AND originator_version=2", rows.sid("TV-B"))
    result = CliRunner().invoke(app, ["evidence", "verify"])
    assert result.exit_code == 1, result.output
    assert "case TV-B event #2: unreadable" in result.stdout
    assert "Traceback" not in result.output
    assert {line.split(":")[0] for line in result.stdout.splitlines()[1:]} == {"  case TV-B event #2"}


@pytest.mark.unit
def test_an_export_that_cannot_be_written_records_no_checkpoint_and_a_missing_file_is_plain(cli_store, tmp_path):
    """Found by a trial: `checkpoint --export /proc/z.json` recorded the checkpoint, then failed with a
    traceback (the access check passes for root); `verify --against` a missing file printed one too."""
    records, _ = cli_store
    runner = CliRunner()
    refused = runner.invoke(app, ["evidence", "checkpoint", "--export", "/proc/z.json"])
    assert refused.exit_code == 2 and "cannot write it" in refused.stderr and "nothing was recorded" in refused.stderr
    assert checkpoints(open_documents(records)) == []
    missing = runner.invoke(app, ["evidence", "verify", "--against", str(tmp_path / "nonexist.json")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    took = runner.invoke(app, ["evidence", "checkpoint", "--export", str(tmp_path / "held" / "cp.json")])
    assert took.exit_code == 0 and (tmp_path / "held" / "cp.json").stat().st_mode & 0o777 == 0o600
    assert json.loads((tmp_path / "held" / "cp.json").read_text())["checkpoint"]["seq"] == 1
