"""An amended record in the chronology and the evidence pack (issue 22): the original entry stays
as it was made, with a note that it was corrected later (which amendment, which entry); the
amendment's entry says who, when, in what role, why, each field from its old value to its new one
in the pages' words and UK time, whether a decision rested on it and the review that opened; the
review's entry says whether the decision stands or what it is now. "As at" before the amendment
shows the original alone. The hash chain and the comparison with the workflow's history hold.

Cases from tests/test_amended_read_models.py: AM-1 (four amendments, the threshold level changed on
review) and AM-C (closed; its closure review corrected and its outcome changed on review)."""

from __future__ import annotations

import asyncio
import html as html_lib
import json
import re

import jsonschema
import pytest
from pypdf import PdfReader
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.models import StoredBatch
from domain.pathway import current_pathway
from evidence.pack import EvidencePack, build_pack
from evidence.render import html, write_pack
from evidence.replay import compare
from evidence.schema import SCHEMA_FILE
from evidence.verify import verify
from projections.case_history import chronology
from projections.chronology_words import worded
from projections.engine_words import when
from projections.registry import open_documents
from tests.amending import amend, review
from tests.page_words_support import assert_plain
from tests.test_amended_read_models import BEFORE, SVC, amended_am1
from tests.test_evidence_pack import GENERATED, closed_case
from tests.test_evidence_pack_words import FACT_TYPES, ISO_DATE, ISO_INSTANT, SNAKE, _text_of

pytestmark = pytest.mark.unit

DECIDED = "Date the local authority decided: changed from Fri 31 Mar 2028, 10:00 BST to Sat 1 Apr 2028, 10:00 BST"


def _entries(records, case_id: str, until=None) -> list[dict]:
    facts = [r for r in records.stored_facts(case_id) if until is None or r.at <= until]
    return worded(chronology(facts), current_pathway(), when)


def _words(entries: list[dict]) -> list[str]:
    """Each entry's headline and its rows, as a person reads them."""
    return [e["headline"] for e in entries] + [f"{label}: {text}" for e in entries for label, text in e["said"]]


def _plain(text: str, where: str) -> None:
    assert not ISO_INSTANT.search(text) and not ISO_DATE.search(text), (where, ISO_INSTANT.findall(text)[:3])
    assert not SNAKE.search(text), (where, sorted(set(SNAKE.findall(text)))[:10])
    assert not [t for t in FACT_TYPES if re.search(rf"\b{t}\b", text)], where


def test_the_chronology_keeps_the_original_and_shows_the_amendment_each_pointing_at_the_other(records):
    amended_am1(records)
    entries = _entries(records, "AM-1")
    by_seq = {e["seq"]: e for e in entries}
    (original,) = [e for e in entries if e["type"] == "StepCompleted" and e["step"] == "la_response"]
    (amendment,) = [e for e in entries if e["type"] == "StepAmended" and e["step"] == "la_response"]
    # the original as it was made, with a note of the correction; the correction naming the original
    assert original["details"]["record"]["la_decided_at"] == "2028-03-31T09:00:00+00:00"
    assert original["corrected_by"] == [{"amendment": 1, "seq": amendment["seq"], "at": "2028-04-03T10:00:00+01:00",
                                         "type": "StepAmended"}]
    assert amendment["about"] == original["seq"] and by_seq[amendment["about"]] is original
    assert ("Corrected later", f"amendment 1 (entry {amendment['seq']}), Mon 3 Apr 2028, 10:00 BST") in original["said"]
    # its own words unchanged, each field by its label in the pages' words table (never "La decided at")
    assert ("Date the local authority decided", "Fri 31 Mar 2028, 10:00 BST") in original["said"]
    assert not any(label == "La decided at" for label, _ in original["said"])
    assert amendment["headline"] == ("Local authority's decision on the referral: record corrected (amendment 1) "
                                     "by RM-1 (registered manager)")
    assert amendment["said"] == [
        ("Corrects", f"entry {original['seq']}, the record as first made, which is kept as it was"),
        tuple(DECIDED.split(": ", 1)), ("Reason", "the time was typed wrongly"),
        ("Decisions made on the original record", "none")]
    # the seriousness assessment's correction: a decision rested on it, and its review changed it
    (seriousness,) = [e for e in entries if e["type"] == "StepAmended" and e["step"] == "seriousness_assessment"]
    assert ("Decisions made on the original record", "threshold level") in seriousness["said"]
    assert ("Review opened", "Review the threshold decision after a correction, for the registered manager") \
        in seriousness["said"]
    opened = [e for e in entries if e.get("step") == "decision_review"]
    assert [e["headline"] for e in opened] == [
        "Review the threshold decision after a correction: opened for the registered manager",
        "Review the threshold decision after a correction: done by DSL-7 (registered manager)"]
    # the review's own record, as its step's page words it: labels and choices from the words table
    done = next(e for e in opened if e["type"] == "StepCompleted")
    assert ("Whether the decision stands", "No, it has changed: record the new decision") in done["said"]
    assert ("New threshold level", "Requires consultation") in done["said"]
    assert not any(label in ("Decision stands", "Review reason") for label, _ in done["said"])
    (reviewed,) = [e for e in entries if e["type"] == "DecisionReviewed"]
    assert reviewed["headline"] == "Threshold level reviewed after amendment 4 by DSL-7 (registered manager): changed"
    assert ("Threshold level", "changed from reportable to requires consultation") in reviewed["said"]
    assert ("After", f"amendment 4 (entry {seriousness['seq']})") in reviewed["said"] and reviewed["about"] == seriousness["seq"]
    filed = next(e for e in entries if e["type"] == "ThresholdDecisionFiled")
    assert ("Decision reviewed later", f"after amendment 4 (entry {reviewed['seq']}), Tue 4 Apr 2028, 10:00 BST: changed") \
        in filed["said"] and filed["headline"] == "Seriousness decided: reportable"
    words = _words([e for e in entries if e["type"] in ("StepAmended", "DecisionReviewed") or e.get("corrected_by")])
    _plain("\n".join(words), "the chronology")
    page = "".join(f"<h2>{html_lib.escape(w)}</h2>" for w in words)
    assert_plain(page, "the chronology's amendments")


def test_as_at_before_the_amendment_the_chronology_shows_the_original_alone(records):
    amended_am1(records)
    entries = _entries(records, "AM-1", BEFORE)
    assert not [e for e in entries if e["type"] in ("StepAmended", "DecisionReviewed") or "corrected_by" in e]
    assert not any(label.startswith("Corrected") for e in entries for label, _ in e["said"])


def test_the_pack_holds_the_original_and_its_amendments_in_json_html_and_pdf(records, tmp_path):
    amended_am1(records)
    documents = open_documents(records)
    pack = build_pack(records, documents, "AM-1", "DSL-3", GENERATED)
    data = json.loads(json.dumps(pack.model_dump(mode="json")))
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()))
    assert EvidencePack.model_validate(data) == pack
    assert [a["amendment"] for a in data["amendments"]] == [1, 2, 3, 4]
    first, fourth = data["amendments"][0], data["amendments"][3]
    assert first["changes"] == [{"field": "la_decided_at", "old": "2028-03-31T09:00:00+00:00",
                                 "new": "2028-04-01T09:00:00+00:00"}]
    assert (first["actor"], first["role"], first["reason"], first["decisions"], first["review_opened"]) == (
        "RM-1", "registered_manager", "the time was typed wrongly", [], None)
    original = next(e for e in data["chronology"] if e["seq"] == first["corrects"])
    assert original["details"]["record"]["la_decided_at"] == "2028-03-31T09:00:00+00:00"  # never rewritten
    assert original["corrected_by"][0]["seq"] == first["seq"]
    assert fourth["decisions"] == ["threshold_level"] and fourth["review_opened"]["role"] == "registered_manager"
    (r,) = fourth["reviews"]
    assert (r["outcome"], r["changes"], r["actor"]) == ("changed", [{"field": "threshold_level", "old": "reportable",
                                                                     "new": "consultation"}], "DSL-7")
    assert [s["title"] for s in data["steps"] if s["step"] == "decision_review"] == [
        "Review the threshold decision after a correction"]
    assert pack.verification.intact and pack.verification.events_in_pack == len(records.stored_facts("AM-1"))

    write_pack(pack, tmp_path)
    pdf = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(tmp_path / "AM-1.pdf").pages))
    page = _text_of((tmp_path / "AM-1.html").read_text())
    for form, text in (("pdf", pdf), ("html", re.sub(r"\s+", " ", page))):
        _plain(text, form)
        for expected in ("Corrections", "Record corrected (amendment 1) by RM-1 (registered manager)", DECIDED,
                         "the time was typed wrongly", "Threshold level: changed from reportable to requires consultation",
                         "Threshold level: a review opened for the registered manager, due Wed 5 Apr 2028, 10:15 BST",
                         "Reviewed after a correction", "Review the threshold decision after a correction",
                         "after amendment 4: changed. Threshold level: requires consultation; it was reportable",
                         "Behaviour seen: changed from a clash in the lounge to A-204 pushed A-117 against the lounge door"):
            assert expected.lower() in text.lower(), (form, expected)
    assert_plain((tmp_path / "AM-1.html").read_text(), "the pack")


def test_as_at_before_the_amendment_the_pack_has_none(records):
    amended_am1(records)
    pack = build_pack(records, open_documents(records), "AM-1", "DSL-3", GENERATED, BEFORE)
    assert pack.amendments == [] and not any(e.corrected_by or e.about for e in pack.chronology)
    assert "2028-03-31T09:00:00+00:00" in json.dumps(pack.model_dump(mode="json"))
    page = html(pack)
    assert "<h2>Corrections</h2>" in page and "Corrected later" not in page and "Sat 1 Apr 2028, 10:00 BST" not in page


def test_a_closed_cases_pack_says_its_outcome_changed_on_review(records):
    case = closed_case(records, "AM-C2", service=SVC)
    n = len(case.facts)
    amend(case, "route_decision", "2027-01-15T09:00:00+00:00", role="designated_safeguarding_lead", actor="DSL-7",
          reason="the note was on the wrong case", notes="agreed with the LA hub by phone")
    review(case, 1, "2027-01-15T10:00:00+00:00", actor="DSL-7", reason="the route stands")
    amend(case, "closure_learning_review", "2027-01-15T11:00:00+00:00", actor="QSL-1", role="quality_safeguarding_lead",
          reason="the lessons were another case's", lessons="Supervision of the lounge was too thin")
    review(case, 2, "2027-01-15T12:00:00+00:00", new="unsubstantiated", actor="QSL-1")
    records.record("AM-C2", n + 1, case.facts[n:])
    pack = build_pack(records, open_documents(records), "AM-C2", "DSL-3", GENERATED)
    assert pack.closure.outcome == "substantiated"  # as the case closed; the review's outcome beside it
    assert pack.route_decisions[0].amended_by == [1] and pack.closure.closure_review.amended_by == [2]
    page = re.sub(r"\s+", " ", _text_of(html(pack)))
    _plain(page, "html")
    for expected in ("Closed (substantiated; changed on review to unsubstantiated)",
                     "Corrected later: amendment 1 (see Corrections)", "Corrected later: amendment 2 (see Corrections)",
                     "Outcome reviewed after a correction",
                     "Whether the concern was found true: changed from Substantiated (found to be true) "
                     "to Unsubstantiated (found not to be true)",
                     "Decision on whether to refer: a review opened for the designated safeguarding lead",
                     "confirmed: the decision stands; reason: the route stands"):
        assert expected in page, expected


def test_the_amendment_facts_keep_the_hash_chain_and_compare_with_the_workflows_history(records):
    case = amended_am1(records)
    documents = open_documents(records)
    assert verify(records, documents, "AM-1").intact
    stored = [r.fact for r in records.stored_facts("AM-1")]

    async def as_the_history_holds_them():  # what `append_facts` returns, through the payload converter
        payloads = await pydantic_data_converter.encode([StoredBatch(facts=case.facts)])
        return (await pydantic_data_converter.decode(payloads, [StoredBatch]))[0].facts
    recorded = asyncio.run(as_the_history_holds_them())
    assert compare(stored, recorded) == []
    assert compare(stored, recorded[:-1]) != []  # and a missing one is found
