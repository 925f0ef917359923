"""The evidence pack reads like the pages (issue 21, part 4): its PDF and HTML say times in UK time
with the zone named, roles in words and never broken mid-word, what happened as sentences, seeds by
their title, phase and step, indicators by their wording and level, and the calendar in words. The
JSON keeps the raw values."""

from __future__ import annotations

import inspect
import json
import re

import pytest
from pypdf import PdfReader

import domain.facts
import domain.process_facts
from domain.facts import Fact
from domain.seed_sentences import SEED_FILES
from evidence.pack import build_pack
from evidence.render import write_pack
from projections.engine_words import (
    calendar_words,
    indicator_words,
    level_words,
    plain,
    role_words,
)
from projections.registry import open_documents
from tests.test_evidence_pack import GENERATED, closed_case

FACT_TYPES = sorted({c.__name__ for m in (domain.facts, domain.process_facts) for c in vars(m).values()
                     if inspect.isclass(c) and issubclass(c, Fact) and c is not Fact})
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
SEED_FILE = re.compile(r"\b\d{3}_[0-9a-f]{8,}\.txt\b")


def _text_of(html_page: str) -> str:
    """The HTML's words as read: tags and the stylesheet left out, entities as characters."""
    import html as html_lib

    body = re.sub(r"<style>.*?</style>", "", html_page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def written(records, tmp_path):
    closed_case(records, "PK-W")
    pack = build_pack(records, open_documents(records), "PK-W", "DSL-3", GENERATED)
    write_pack(pack, tmp_path)
    pdf = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "PK-W.pdf").pages)
    return pack, pdf, _text_of((tmp_path / "PK-W.html").read_text()), json.loads((tmp_path / "PK-W.json").read_text())


def test_the_pack_reads_in_plain_english(written):
    pack, pdf, page, _ = written
    assert len(FACT_TYPES) > 20 and "StepOpened" in FACT_TYPES and "ConcernRaised" in FACT_TYPES
    for form, text in (("pdf", pdf), ("html", page)):
        assert not ISO_INSTANT.search(text), (form, ISO_INSTANT.findall(text)[:5])
        assert not ISO_DATE.search(text), (form, ISO_DATE.findall(text)[:5])
        assert not SNAKE.search(text), (form, sorted(set(SNAKE.findall(text)))[:10])
        assert not SEED_FILE.search(text) and ".txt" not in text, form
        named = [t for t in FACT_TYPES if re.search(rf"\b{t}\b", text)]
        assert not named, (form, named)
        assert "Working weekdays" not in text and "Rag:" not in text and "Id:" not in text, form
    # pypdf joins a cell's wrapped lines with a newline: the words are compared with spaces
    flat = re.sub(r"\s+", " ", pdf)
    for expected in (
        "Tue 12 Jan 2027, 09:30 GMT",  # UK time, the zone named
        "Concern raised by SSW-14 (senior support worker)",  # what happened, as a sentence
        "designated safeguarding lead",
        "Record the initial peer-to-peer concern: opened for the senior support worker",
        "Escalation pathway, phase 1, step 1",  # a step's seed, by title, phase and step
        "Sussex threshold tool",
        "reportable (red)",  # an indicator's level in words
        "The victim is, or appears, fearful in the presence of the other person",  # its seed wording
        "Monday to Friday, 09:00 to 17:00, excluding bank holidays in England",
        "Mon 3 May 2027",  # a bank holiday the case counted, as a date in words
        "Incidents between adults in a service",  # the category by its title
        "Where the risk was: Care home (residential)",  # a field by its label, a choice by its words, as the pages say them
    ):
        assert expected in flat, expected
    # never broken mid-word: every role's words whole on a line somewhere, none split inside a word
    assert "designated_safeguardin" not in pdf and "safeguardin\ng" not in pdf


def test_the_json_keeps_the_raw_values(written):
    pack, _, _, data = written
    assert data["concern"]["raised_at"] == "2027-01-12T09:30:00Z"
    assert data["concern"]["raised_by"]["role"] == "senior_support_worker"
    assert data["calendar"]["working_calendar"]["working_weekdays"] == [0, 1, 2, 3, 4]
    assert data["calendar"]["holiday_source"].startswith("holidays ")
    matched = data["threshold_decisions"][0]["matched"][0]
    assert matched["rag"] == "red" and matched["source"]["seed"] == SEED_FILES["002"]
    assert any(e["type"] == "StepOpened" for e in data["chronology"])


def test_the_stylesheet_breaks_only_long_ids(written, tmp_path):
    page = (tmp_path / "PK-W.html").read_text()
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    rules = dict(re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"@page\s*\{.*?\}\s*\}", "", style, flags=re.S)))
    cells = next(v for k, v in rules.items() if k.strip().startswith("th, td"))
    for setting in ("hyphens: manual", "overflow-wrap: normal", "word-break: normal"):
        assert setting in cells, setting
    assert "break-word" not in style.replace(".mono", "")  # only ids may break
    mono = next(v for k, v in rules.items() if k.strip() == ".mono")
    assert "overflow-wrap: anywhere" in mono


@pytest.mark.unit
def test_the_words_table():
    assert role_words("designated_safeguarding_lead") == "designated safeguarding lead"
    assert level_words("consultation", "yellow") == "requires consultation (amber)"
    assert level_words("reportable", "red") == "reportable (red)"
    assert calendar_words({"timezone": "Europe/London", "working_weekdays": [0, 1, 2, 3, 4], "opens_at": "09:00:00",
                           "closes_at": "17:00:00", "holiday_country": "GB", "holiday_subdivision": "ENG"}) \
        == "Monday to Friday, 09:00 to 17:00, excluding bank holidays in England"
    assert calendar_words({"working_weekdays": [0, 2, 4], "opens_at": "08:30:00", "closes_at": "16:00:00",
                           "holiday_country": "GG", "holiday_subdivision": None}) \
        == "Monday, Wednesday and Friday, 08:30 to 16:00, excluding bank holidays in Guernsey"
    said = indicator_words({"id": "incidents_between_adults.r1", "indicator": "Injury requiring medical attention.",
                            "level": "reportable", "rag": "red", "kind": "example", "note": "",
                            "source": {"seed": "002_bdbd6ad1bcc6475b.txt", "category": "Incidents between adults in a service",
                                       "column": "Reportable", "line": 318}})
    assert said == ("Incidents between adults in a service: reportable (red): \"Injury requiring medical "
                    "attention.\" (Sussex threshold tool)")
    assert plain("record_concern deadline missed (due 2027-01-12T09:45:00+00:00)") \
        == "Record the initial peer-to-peer concern deadline missed (due Tue 12 Jan 2027, 09:45 GMT)"
    assert plain("counted from the recorded fact prior_incidents_between_pair (threshold 2) [002_bdbd6ad1bcc6475b.txt line 318]") \
        == ("counted from the recorded answer \"Earlier incidents between the same two adults, in either direction\" "
            "(threshold 2) [Sussex threshold tool]")
    assert plain("care_home_residential") == "Care Home - Residential"
    assert plain("A-204 pushed A-117; free text stays as written") == "A-204 pushed A-117; free text stays as written"


def test_an_open_case_as_at_under_the_guernsey_tool_reads_in_words(records, tmp_path):
    from datetime import datetime, timezone

    from tests.conftest import concern
    from tests.pure_case import PureCase, policy_for
    from tests.cases import at

    case = PureCase(concern("2027-06-14T09:30:00+00:00", case_id="PK-GG", alleged_source={"kind": "member_of_staff"}),
                    policy=policy_for(at("2027-06-14T09:30:00+00:00"), profile="guernsey"))
    case.at("2027-06-14T09:40:00+00:00")
    for step in ("record_concern", "peer_risk_review", "seriousness_assessment", "route_decision"):
        case.complete(step)
    case.at("2027-06-15T12:00:00+00:00")  # deadlines missed and escalated overnight
    records.record("PK-GG", 1, case.facts)
    as_at = datetime(2027, 6, 15, 11, tzinfo=timezone.utc)
    pack = build_pack(records, open_documents(records), "PK-GG", "DSL-3", GENERATED, as_at)
    write_pack(pack, tmp_path)
    pdf = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(tmp_path / "PK-GG.pdf").pages))
    for text in (pdf, _text_of((tmp_path / "PK-GG.html").read_text())):
        assert not ISO_INSTANT.search(text) and not ISO_DATE.search(text) and not SEED_FILE.search(text)
        assert not SNAKE.search(text), sorted(set(SNAKE.findall(text)))[:10]
        assert not [t for t in FACT_TYPES if re.search(rf"\b{t}\b", text)]
    assert "evidence pack as at Tue 15 Jun 2027, 12:00 BST" in pdf  # summer: British Summer Time, named
    assert "Guernsey threshold tool" in pdf and "Open" in pdf
    assert "member of staff (not a service user)" in pdf
    assert "Service user to service user harm" in pdf  # the category as the Guernsey tool names it
    assert re.search(r"Its deadline was missed \(due \w{3} \d+ \w{3} 2027, \d\d:\d\d BST\)", pdf)


def test_a_steps_record_reads_as_its_page_labels_and_words_it(written):
    """The pages' one words table: a record's rows in the pack carry each field's label as the step's
    page asks it and each choice as the pages word it, never the field name made into words."""
    from evidence.render import _LEFT_OUT
    from projections.field_words import known_choice, words_for

    pack, _, page, _ = written
    rows = pack.route_decisions + pack.referrals + pack.follow_up_reviews
    assert rows and pack.closure.closure_review
    choices = 0
    for r in [*rows, pack.closure.closure_review]:
        for name, value in r.record.items():
            if name in _LEFT_OUT or value in (None, "", [], {}):
                continue
            label = words_for(name, r.step).label
            assert f"{label}: " in page, (r.step, name, label)
            if isinstance(value, str) and known_choice(name, value):
                choices += 1
                assert f"{label}: {known_choice(name, value)}" in page, (r.step, name, value)
    assert choices, "no choice recorded in these steps: the test would prove nothing about choices"
