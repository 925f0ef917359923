"""`safeguard evidence pack`: a case's PDF, HTML and JSON, from the stored facts. The PDF is read
back as text (pypdf), the JSON is checked against the documented schema (docs/), the export is
recorded, and a long case's tables run over pages with their headers repeated."""

from __future__ import annotations

import gc
import hashlib
import json
import re
from datetime import datetime, timedelta, timezone

import jsonschema
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from bootstrap import open_records
from cli.main import app
from configuration.settings import get_settings
from domain.access import Assignment
from eventstore.accounts import Accounts
from evidence.exports import exports
from evidence.pack import EvidencePack, build_pack
from evidence.render import html, write_pack
from evidence.schema import SCHEMA_FILE, schema_text
from evidence.store import take_checkpoint
from projections.registry import open_documents
from tests.conftest import concern
from tests.pure_case import PureCase
from tests.test_postgres_store import SERVER, pg_settings  # noqa: F401  (a fixture)

GENERATED = datetime(2027, 2, 1, 9, tzinfo=timezone.utc)


def closed_case(records, case_id: str = "PK-1", **over) -> PureCase:
    """001 to closure, with a missed deadline, a live-risk escalation acknowledged and a development."""
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id=case_id, **over))
    case.at("2027-01-12T09:50:00+00:00")  # record_concern missed: E1 to the team leader
    case.complete("record_concern", role="team_leader")
    case.complete("peer_risk_review", source_still_has_access=True)  # E2: live risk to the DSL
    case.acknowledge("E2", "designated_safeguarding_lead", actor="DSL-7", note="on it")
    case.development("new_incident", "second incident in the lounge")
    case.complete("route_decision")
    case.at("2027-01-12T11:00:00+00:00")
    for step in ("seriousness_assessment", "external_referral", "follow_up_plan"):
        case.complete(step)
    case.at("2027-01-12T11:30:00+00:00")
    for step in ("protection_plan", "implementation_check", "chronology_update", "pattern_impact_review",
                 "service_risk_review"):
        case.complete(step)
    case.at("2027-01-12T16:30:00+00:00")
    case.complete("follow_up_review", stabilised=False)
    case.at("2027-01-13T16:00:00+00:00")
    case.complete("follow_up_review", stabilised=True)
    case.complete("conclude_case")
    case.at("2027-01-14T10:00:00+00:00")
    case.complete("closure_learning_review")
    records.record(case_id, 1, case.facts)
    return case


def pdf_pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.mark.unit
def test_the_schema_in_docs_is_the_models():
    assert SCHEMA_FILE.read_text() == schema_text(), "run: .venv/bin/python -m evidence.schema"


def test_a_closed_case_pack_in_three_forms(records, tmp_path):
    case = closed_case(records)
    documents = open_documents(records)
    take_checkpoint(records, documents)
    pack = build_pack(records, documents, "PK-1", "DSL-3", GENERATED)
    files = write_pack(pack, tmp_path / "out")
    assert set(files) == {"PK-1.pdf", "PK-1.html", "PK-1.json"}
    for name, digest in files.items():
        assert hashlib.sha256((tmp_path / "out" / name).read_bytes()).hexdigest() == digest

    data = json.loads((tmp_path / "out" / "PK-1.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()))
    assert EvidencePack.model_validate(data) == pack
    assert data["status"] == "closed" and data["closure"]["outcome"] == "substantiated"
    assert data["verification"]["intact"] and data["verification"]["checkpoint"]["seq"] == 1
    assert data["verification"]["events_in_pack"] == len(case.facts) == len(data["chronology"])
    (record,) = [s for s in data["steps"] if s["step"] == "record_concern"]
    assert record["result"] == "missed" and record["role"] == "senior_support_worker"
    (e1,) = [e for e in data["escalations"] if e["escalation_id"] == "E1"]
    assert e1["to_role"] == "team_leader" and e1["cause"] == "missed_deadline"
    (e2,) = [e for e in data["escalations"] if e["escalation_id"] == "E2"]
    assert e2["acknowledged_by"] == {"actor": "DSL-7", "role": "designated_safeguarding_lead"} and e2["note"] == "on it"
    (decision,) = data["threshold_decisions"]
    assert decision["profile"] == "sussex" and decision["profile_digest"] and decision["rationale"]
    assert data["route_decisions"] and data["referrals"] and len(data["follow_up_reviews"]) == 2
    assert [d["summary"] for d in data["developments"]] == ["second incident in the lounge"]
    assert data["closure"]["closure_review"]["step"] == "closure_learning_review"
    assert "2027-05-03" in data["calendar"]["holidays"]  # the early May bank holiday the case counted

    pages = pdf_pages(tmp_path / "out" / "PK-1.pdf")
    text = "\n".join(pages)
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in page
        assert "Case PK-1" in page and "evidence pack as at" in page  # the header on every page
    for expected in ("Evidence pack: case PK-1", "Intact", pack.verification.chain_head[:40], "DSL-3",
                     "team leader", "DSL-7", "second incident in the lounge",
                     "Escalation pathway", pack.pathway_version, "Mon 3 May 2027", "substantiated", "A-117", "A-204"):
        assert expected in text, expected  # the PDF in words (tests/test_evidence_pack_words.py: no engine names)


@pytest.mark.unit
def test_as_at_a_pack_holds_what_had_happened_by_then(records):
    closed_case(records)
    documents = open_documents(records)
    then = datetime(2027, 1, 12, 10, tzinfo=timezone.utc)
    pack = build_pack(records, documents, "PK-1", "DSL-3", GENERATED, then)
    assert pack.status == "open" and pack.closure.closed_at is None and pack.threshold_decisions == []
    assert all(e.at <= then for e in pack.chronology)
    assert pack.verification.events_in_pack < pack.verification.events_in_store
    assert pack.verification.last_included_hash != pack.verification.chain_head


def test_a_long_case_breaks_its_tables_across_pages(records, tmp_path):
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="PK-LONG"))
    for i in range(60):
        case.development("agency_contact", f"call {i} with the hub")
    records.record("PK-LONG", 1, case.facts)
    pack = build_pack(records, open_documents(records), "PK-LONG", "DSL-3", GENERATED)
    write_pack(pack, tmp_path)
    pages = pdf_pages(tmp_path / "PK-LONG.pdf")
    assert len(pages) > 4
    # A4 landscape, so that instants and ids fit their columns rather than break mid-word
    assert all(abs(p.mediabox.width - 842) < 1 and abs(p.mediabox.height - 595) < 1
               for p in PdfReader(tmp_path / "PK-LONG.pdf").pages)
    assert re.search(r"Chronology update for a\s+development:\s+opened\s+for\s+the", "\n".join(pages))  # what happened, in words
    with_rows = [p for p in pages if "with the hub" in p]
    assert len(with_rows) >= 3
    # each page a table runs onto starts with its header row again (developments: Summary; chronology: Details)
    assert all("Summary" in p or "Details" in p for p in with_rows)
    for i in (0, 30, 59):  # every row whole on one page: in the developments and in the chronology
        assert sum(f"call {i} with the hub" in p for p in pages) == 2


@pytest.mark.unit
def test_the_pdf_is_rendered_with_the_collector_paused_and_left_as_it_was(records, tmp_path, monkeypatch):
    from weasyprint import HTML

    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="PK-GC"))
    records.record("PK-GC", 1, case.facts)
    pack = build_pack(records, open_documents(records), "PK-GC", "DSL-3", GENERATED)
    during, write_pdf = [], HTML.write_pdf
    monkeypatch.setattr(HTML, "write_pdf", lambda self, *a, **kw: during.append(gc.isenabled()) or write_pdf(self, *a, **kw))
    assert gc.isenabled()
    write_pack(pack, tmp_path / "on")
    assert gc.isenabled()
    gc.disable()  # paused by the caller: still paused afterwards
    try:
        write_pack(pack, tmp_path / "off")
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert during == [False, False]


@pytest.mark.unit
def test_the_pack_command_writes_and_records_the_export(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        records = open_records(get_settings())
        case = PureCase(concern("2026-11-16T09:30:00+00:00", case_id="PK-CLI"))
        case.at("2026-11-16T09:40:00+00:00")
        case.complete("record_concern")
        records.record("PK-CLI", 1, case.facts)
        runner = CliRunner()
        out = tmp_path / "packs"
        made = runner.invoke(app, ["evidence", "pack", "PK-CLI", "--out", str(out), "--by", "DSL-3",
                                   "--as-at", "2026-11-16T09:35:00+00:00"])
        assert made.exit_code == 0, made.output
        assert "evidence pack for case PK-CLI" in made.stdout and "intact" in made.stdout
        assert json.loads((out / "PK-CLI.json").read_text())["as_at"] == "2026-11-16T09:35:00Z"
        (export,) = exports(records)
        assert (export.kind, export.subject, export.cases, export.generated_by) == ("case_pack", "PK-CLI", ["PK-CLI"], "DSL-3")
        assert export.files["PK-CLI.pdf"] == hashlib.sha256((out / "PK-CLI.pdf").read_bytes()).hexdigest()
        audited = [(a.user_id, a.action, a.what, a.channel) for a in Accounts(records).access_log(case_id="PK-CLI")]
        assert audited == [("DSL-3", "export", "evidence pack", "cli")]
        verified = runner.invoke(app, ["evidence", "verify"])
        assert verified.exit_code == 0 and "1 case, 2 other streams" in verified.stdout  # the export and the audit, chained
        missing = runner.invoke(app, ["evidence", "pack", "NOPE-1", "--out", str(out)])
        assert missing.exit_code == 2 and "no case NOPE-1" in missing.stderr
        assert len(exports(records)) == 1  # a refused pack records nothing
    finally:
        get_settings.cache_clear()


@pytest.mark.unit
def test_in_production_the_pack_command_exports_as_the_tokens_holder_if_allowed(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SAFEGUARD_MODE", "production")
    get_settings.cache_clear()
    try:
        records = open_records(get_settings())
        records.record("PK-PROD", 1, PureCase(concern("2026-11-16T09:30:00+00:00", case_id="PK-PROD")).facts)
        accounts = Accounts(records)
        tokens = {}
        for user, role in (("SSW-5", "senior_support_worker"), ("RM-5", "registered_manager")):
            accounts.add_user(user, user, None, by="test")
            accounts.grant(user, Assignment(role, "SVC-ELM"), by="test")
            tokens[user] = accounts.issue_token(user, "cli", None, timedelta(days=1), by="test").secret
        runner = CliRunner()
        out = tmp_path / "packs"
        monkeypatch.setenv("SAFEGUARD_TOKEN", tokens["SSW-5"])
        get_settings.cache_clear()
        refused = runner.invoke(app, ["evidence", "pack", "PK-PROD", "--out", str(out)])
        assert refused.exit_code == 2 and "can export the evidence pack of case PK-PROD. You are a senior support worker there." in refused.stderr, refused.output
        assert not out.exists() and exports(records) == []
        monkeypatch.setenv("SAFEGUARD_TOKEN", tokens["RM-5"])
        get_settings.cache_clear()
        by_hand = runner.invoke(app, ["evidence", "pack", "PK-PROD", "--out", str(out), "--by", "SOMEONE"])
        assert by_hand.exit_code == 2 and "leave out --by" in by_hand.stderr
        made = runner.invoke(app, ["evidence", "pack", "PK-PROD", "--out", str(out)])
        assert made.exit_code == 0, made.output
        assert [e.generated_by for e in exports(records)] == ["RM-5"]
        log = [(a.user_id, a.action, a.allowed) for a in accounts.access_log(case_id="PK-PROD")]
        assert log == [("SSW-5", "refused", False), ("RM-5", "export", True)]
        sar = runner.invoke(app, ["evidence", "subject", "A-117", "--out", str(tmp_path / "sar")])
        assert sar.exit_code == 2 and "for the whole organisation can export a subject's records" in sar.stderr  # organisation-level roles only
    finally:
        get_settings.cache_clear()


@pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
def test_pack_and_subject_access_on_postgres(pg_settings, tmp_path):
    from evidence.subject import subject_access
    from projections.registry import open_feed

    records = open_records(pg_settings)
    closed_case(records, "PG-PACK")
    documents = open_documents(records)
    take_checkpoint(records, documents)
    pack = build_pack(records, documents, "PG-PACK", "DSL-3", GENERATED)
    assert pack.verification.intact and pack.verification.checkpoint["seq"] == 1 and pack.status == "closed"
    index, files = subject_access(records, open_feed(records), "A-117", tmp_path, "DPO-1", GENERATED)
    assert [c["case_id"] for c in index["cases"]] == ["PG-PACK"] and "PG-PACK/PG-PACK.pdf" in files
    assert "Evidence pack: case PG-PACK" in "\n".join(pdf_pages(tmp_path / "PG-PACK" / "PG-PACK.pdf"))
    records.close()


@pytest.mark.unit
def test_a_bad_out_path_is_refused_before_anything_is_built_or_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    try:
        records = open_records(get_settings())
        records.record("PK-OUT", 1, PureCase(concern("2026-11-16T09:30:00+00:00", case_id="PK-OUT")).facts)
        afile = tmp_path / "afile"
        afile.write_text("not a directory")
        runner = CliRunner()
        for out, says in ((str(afile), f"--out {afile} is a file, not a directory"),
                          (str(afile / "sub"), f"--out {afile}/sub: {afile} is a file, so no directory can be made under it"),
                          (str(afile / "a" / "b"), f"--out {afile}/a/b: {afile} is a file, so no directory can be made under it"),
                          ("", "--out is empty: name a directory")):
            refused = runner.invoke(app, ["evidence", "pack", "PK-OUT", "--out", out, "--by", "DSL-3"])
            assert refused.exit_code == 2, (out, refused.output)
            assert refused.stderr.splitlines() == [f"error: {says}"], refused.output
            assert refused.exception is None or isinstance(refused.exception, SystemExit)
        assert exports(records) == [] and afile.read_text() == "not a directory"
        assert not list(tmp_path.glob("PK-OUT.*"))  # not written here instead
    finally:
        get_settings.cache_clear()


def test_pack_files_are_the_owners_only(records, tmp_path):
    closed_case(records, "PK-MODE")
    pack = build_pack(records, open_documents(records), "PK-MODE", "DSL-3", GENERATED)
    out = tmp_path / "made" / "here"
    write_pack(pack, out)
    assert (out.stat().st_mode & 0o777, out.parent.stat().st_mode & 0o777) == (0o700, 0o700)
    for name in ("PK-MODE.json", "PK-MODE.html", "PK-MODE.pdf"):
        assert (out / name).stat().st_mode & 0o777 == 0o600, name
    (out / "PK-MODE.json").chmod(0o644)  # an earlier pack, written before: made the owner's only again
    write_pack(pack, out)
    assert (out / "PK-MODE.json").stat().st_mode & 0o777 == 0o600


@pytest.mark.unit
def test_records_in_the_pages_words_and_the_envelope_left_out(records):
    closed_case(records, "PK-WORDS")
    pack = build_pack(records, open_documents(records), "PK-WORDS", "DSL-3", GENERATED)
    page = html(pack)
    details = re.findall(r"<td>((?:[^<]|<br>)*)</td></tr>\n", page.split("<h2>Chronology</h2>")[1])
    assert details and not any(re.search(r"\bTrue\b|\bFalse\b|on_time|On time|channel|Channel|os_user|Os user", d)
                               for d in details), details
    # the peer risk review's record, each field by its label as the step's page says it
    assert "Alleged source still has access: yes" in page and not re.search(r"<br>Source still has access|>Source still", page)
    assert not re.search(r"\b(True|False)\b", page) and "source_still_has_access" not in page
    assert ", met</td>" in page and ", <strong>missed</strong></td>" in page  # the Deadline column keeps met and missed
    data = pack.model_dump(mode="json")  # the JSON holds everything as recorded
    assert any(e["details"].get("channel") == "cli" or "on_time" in e["details"] for e in data["chronology"])
