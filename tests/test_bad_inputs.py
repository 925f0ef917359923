"""The bad-input corpus (issue 8): every bad input found in the trial, through the real
`safeguard` command. Each is refused with exit 2 and a message naming the problem, before
anything is sent: Temporal is pointed at a closed port, so anything sent would end in exit 3
(the good inputs at the end of the table do, which shows the table is not refusing everything).
Also: text output shows control characters escaped, and `audit run` prints no Python reprs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
from typer.testing import CliRunner

from cli.main import app
from configuration.settings import Settings, get_settings
from domain.case import decide_raise
from domain.concern import ConcernBody, StepCompletion
from eventstore.application import SafeguardingRecords
from tests.conftest import concern
from tests.pure_case import PureCase

runner = CliRunner()
NOW = datetime.now(timezone.utc).replace(microsecond=0)
RECENT = (NOW - timedelta(hours=1)).isoformat()
RECORD = {"behaviour_observed": "blocked the lounge door", "initiated_by": "A-204", "presentation": "tearful"}
ASSESSMENT = {"frequency_of_similar_incidents": 2, "power_imbalance": "some", "fear_or_avoidance": True}
FAKE_LINE = "\n  99 2027-01-12T10:00:00+00:00 CaseClosed (quality_safeguarding_lead)"


pytestmark = [pytest.mark.usefixtures("offline"), pytest.mark.unit]  # no Temporal, a store of the test's own (conftest)


def body(**over: Any) -> dict[str, Any]:
    return {**concern(RECENT), **over}


def write(tmp: Path, content: Any) -> str:
    path = tmp / f"input-{len(list(tmp.iterdir()))}.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def raise_(content: Any) -> Callable[[Path], list[str]]:
    return lambda tmp: ["concern", "raise", "--file", write(tmp, content)]


def complete(step: str, record: Any, actor: str = "S-1", role: str = "senior_support_worker", *extra: str):
    return lambda tmp: ["step", "complete", "SG-20261123-ABC123", step, "--as", role, "--actor", actor,
                        "--file", write(tmp, record), *extra]


def development(content: Any, *extra: str):
    return lambda tmp: ["concern", "development", "SG-20261123-ABC123", "--file", write(tmp, content), *extra]


def acknowledge(actor: str, *extra: str):
    return lambda tmp: ["escalation", "acknowledge", "SG-20261123-ABC123", "E1", "--as", "team_leader", "--actor", actor, *extra]


def with_duplicate(data: dict[str, Any], key: str, value: Any) -> str:
    return json.dumps(data)[:-1] + f", {json.dumps(key)}: {json.dumps(value)}}}"


BAD = [
    # 1. names are not ids
    ("adult-name", raise_(body(adult_at_risk="Mary Smith")),
     "adult_at_risk: 'Mary Smith' is not an id: give the service user's id (e.g. A-117), never a name"),
    ("source-name-object", raise_(body(alleged_source={"id": "John Brown"})), "alleged_source: 'John Brown' is not an id"),
    ("id-without-digit", raise_(body(adult_at_risk="SMITH")), "adult_at_risk: 'SMITH' is not an id"),
    ("actor-name", complete("record_concern", RECORD, "John Brown"),
     "actor: 'John Brown' is not an id: give the staff member's id (e.g. SSW-14), never a name"),
    ("initiated-by-name", complete("record_concern", {**RECORD, "initiated_by": "the other resident"}),
     "record for record_concern: field 'initiated_by' is not an id: give the service user's id"),
    ("development-actor-name", development({"kind": "other", "summary": "called"}, "--actor", "Jane Doe"),
     "development: actor: 'Jane Doe' is not an id"),
    ("acknowledging-actor-name", acknowledge("Jane Doe"), "acknowledgement: actor: 'Jane Doe' is not an id"),
    # 6. forgery through the actor id
    ("actor-with-fake-line", complete("record_concern", RECORD, "S-1" + FAKE_LINE), "actor: 'S-1\\n  99 2027-01-12T10:00:00+00:0"),
    ("actor-ansi-10000", complete("record_concern", RECORD, "\x1b[31m" + "A" * 10_000),
     "actor: '\\x1b[31mAAAA"),
    # 8. implausible dates
    ("identified-1900", raise_(body(identified_at="1900-01-01T00:00:00+00:00")),
     "more than 30: check the date, or give late_report_reason saying why it is reported this late"),
    ("identified-epoch", raise_(body(identified_at=1732368000)),
     "identified_at: 1732368000 is a number: give an ISO 8601 date-time with a UTC offset"),
    ("identified-future", raise_(body(identified_at=(NOW + timedelta(days=2)).isoformat())), "is in the future"),
    ("referred-in-future", complete("external_referral", {"referred_at": (NOW + timedelta(days=30)).isoformat(),
                                                          "receiving_authority": "LA hub", "rationale": "fear",
                                                          "receipt_confirmed": True}, "DSL-1", "designated_safeguarding_lead"),
     "field 'referred_at' is in the future"),
    ("referred-epoch", complete("external_referral", {"referred_at": 1732368000}, "DSL-1", "designated_safeguarding_lead"),
     "field 'referred_at' expects an ISO 8601 date-time with a UTC offset, got 1732368000 (number): epoch numbers are not accepted"),
    # 9. tracebacks instead of exit 2
    ("utf16-file", raise_(json.dumps(body()).encode("utf-16")), "is UTF-16 text: save it as UTF-8"),
    ("latin1-file", raise_(json.dumps(body(summary="caf\u00e9"), ensure_ascii=False).encode("latin-1")), "is not UTF-8 text"),
    ("file-is-directory", lambda tmp: ["concern", "raise", "--file", str(tmp)], "cannot read a directory"),
    ("5000-nested-brackets", complete("record_concern", "[" * 5000 + "]" * 5000), "nests brackets too deeply"),
    ("100-nested-objects", complete("record_concern", {**RECORD, "notes": json.loads('{"a":' * 100 + "1" + "}" * 100)}),
     "nests brackets too deeply"),
    ("development-as-janitor", development({"kind": "agency_contact", "summary": "LA hub called"}, "--as", "janitor"),
     "development: role: Input should be"),
    ("huge-integer-literal", complete("seriousness_assessment", '{"frequency_of_similar_incidents": ' + "9" * 5000 + "}",
                                      "RM-1", "registered_manager"), "a number of 5,000 digits is too large"),
    # 10. no size limits
    ("summary-4001", raise_(body(summary="x" * 4001)), "summary: is 4,001 characters: at most 4,000"),
    ("summary-1mb", raise_(body(summary="x" * 1_000_000)), "summary: is 1,000,000 characters: at most 4,000"),
    ("summary-whitespace", raise_(body(summary=" \n\t ")), "summary: is empty or only spaces"),
    ("summary-nul", raise_(body(summary="pushed\x00")), "summary: contains a NUL character"),
    ("summary-ansi", raise_(body(summary="pushed \x1b[2J")), "summary: contains a control character (\\x1b)"),
    ("service-name-3000", raise_(body(service={**body()["service"], "name": "E" * 3000})),
     "service.name: is 3,000 characters: at most 2,000"),
    ("id-100000", raise_(body(adult_at_risk="A1" * 50_000)), "adult_at_risk: 'A1A1"),
    ("text-field-2001", complete("record_concern", {**RECORD, "behaviour_observed": "b" * 2001}),
     "field 'behaviour_observed' is 2,001 characters: at most 2,000"),
    ("record-nul", complete("record_concern", {**RECORD, "presentation": "tearful\x00"}),
     "field 'presentation' contains a NUL character"),
    ("record-70kb", complete("record_concern", {**RECORD, **{f"x{i}": "y" * 1000 for i in range(70)}}),
     "step completion: record: the record is 69 KB: at most 64 KB"),
    ("frequency-10e29", complete("seriousness_assessment", {**ASSESSMENT, "frequency_of_similar_incidents": 10**29},
                                 "RM-1", "registered_manager"),
     "field 'frequency_of_similar_incidents' expects a whole number from 0 to 10,000"),
    ("occurrence-0", complete("follow_up_review", {"stabilised": True}, "RM-1", "registered_manager", "--occurrence", "0"),
     "occurrence: 0 is not an occurrence"),
    ("note-3000", acknowledge("TL-3", "--note", "n" * 3000), "note: is 3,000 characters: at most 2,000"),
    ("duplicate-key-concern", raise_(with_duplicate(body(), "summary", "a second account")),
     "key 'summary' appears twice in one object"),
    ("duplicate-key-record", complete("record_concern", with_duplicate(RECORD, "initiated_by", "A-999")),
     "key 'initiated_by' appears twice"),
    ("development-summary-4001", development({"kind": "other", "summary": "s" * 4001}),
     "development: summary: is 4,001 characters: at most 4,000"),
    # 11. unclear messages
    ("nan-in-record", complete("seriousness_assessment", json.dumps(ASSESSMENT).replace("2", "NaN", 1),
                               "RM-1", "registered_manager"), "NaN is not a number JSON allows"),
    ("infinity-in-record", complete("seriousness_assessment", '{"frequency_of_similar_incidents": 1e999}',
                                    "RM-1", "registered_manager"), "1e999 is too large a number"),
    ("case-id-pattern", raise_(body(case_id="my case!")),
     "case_id: 'my case!' is not a case id: 3 to 64 letters, digits and - _ . : starting with a letter or digit"),
]


@pytest.mark.parametrize("argv, message", [row[1:] for row in BAD], ids=[row[0] for row in BAD])
def test_bad_input_is_refused_before_anything_is_sent(tmp_path, argv, message):
    result = runner.invoke(app, argv(tmp_path))
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1  # one line, escaped
    assert "\x1b" not in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert "String should match pattern" not in result.stderr
    assert len(result.stderr) < 2000


GOOD = [
    ("concern", raise_(body())),
    ("late-report-with-reason", raise_(body(identified_at="2026-01-05T09:00:00+00:00",
                                            late_report_reason="disclosed at the annual review"))),
    ("identified-now-overrides-an-old-date", lambda tmp: ["concern", "raise", "--identified-now", "--file",
                                                          write(tmp, body(identified_at="1900-01-01T00:00:00+00:00"))]),
    ("completion", complete("record_concern", RECORD, "SSW-14")),
    ("nhs-number-as-id", raise_(body(adult_at_risk="9434765919"))),
    ("multi-line-text-field", complete("record_concern", {**RECORD, "notes": "first line\nsecond line"})),
    ("utf8-with-bom", raise_(b"\xef\xbb\xbf" + json.dumps(body()).encode())),
    ("development", development({"kind": "other", "summary": "called"}, "--actor", "DSL-2", "--as", "designated_safeguarding_lead")),
    ("acknowledgement", acknowledge("TL-3", "--note", "seen, and called the home")),
]


@pytest.mark.parametrize("argv", [row[1] for row in GOOD], ids=[row[0] for row in GOOD])
def test_good_input_passes_the_checks_and_is_sent(tmp_path, argv):
    result = runner.invoke(app, argv(tmp_path))
    assert result.exit_code == 3 and "cannot reach Temporal at 127.0.0.1:1" in result.stderr, result.stderr


def test_an_organisation_sets_its_own_id_pattern_and_nhs_number_check(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_ID_PATTERN", r"P[0-9]{6}|[0-9]{10}")
    monkeypatch.setenv("SAFEGUARD_NHS_NUMBER_IDS", "true")
    get_settings.cache_clear()
    refused = runner.invoke(app, raise_(body(adult_at_risk="A-117", alleged_source="P000001"))(tmp_path))
    assert refused.exit_code == 2 and "adult_at_risk: 'A-117' is not an id" in refused.stderr
    check_digit = runner.invoke(app, raise_(body(adult_at_risk="9434765918", alleged_source="P000001"))(tmp_path))
    assert check_digit.exit_code == 2
    assert "adult_at_risk: '9434765918' is not a valid NHS number: its check digit does not match" in check_digit.stderr
    sent = runner.invoke(app, raise_(body(adult_at_risk="9434765919", alleged_source="P000001",
                                          raised_by={"actor": "P000009", "role": "senior_support_worker"}))(tmp_path))
    assert sent.exit_code == 3, sent.stderr


def test_a_bad_id_pattern_setting_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_ID_PATTERN", "A-[0-9")
    get_settings.cache_clear()
    result = runner.invoke(app, raise_(body())(tmp_path))
    assert result.exit_code == 2, result.stderr
    assert "settings (SAFEGUARD_*): id_pattern: 'A-[0-9' is not a regular expression" in result.stderr


# ---- text output escapes control characters (defect 6) -----------------------------------------


def test_text_output_escapes_what_was_recorded_before_ids_were_checked(tmp_path):
    """A store written before the checks, holding a forged actor id, an adult id with a newline and
    a service name with an ANSI escape: the text chronology and the dashboard show them escaped,
    one line each, and never draw the fake line."""
    forged = "S-1" + FAKE_LINE
    case = PureCase(body(case_id="SG-FORGED-1", adult_at_risk="A-1\nCaseClosed", service={
        **body()["service"], "name": "Elm \x1b[2J House"}))
    case.at(NOW - timedelta(minutes=50))
    case.complete("record_concern", actor=forged)
    records = SafeguardingRecords(env=Settings(data_dir=tmp_path).event_store_env())
    records.record("SG-FORGED-1", 1, case.facts)

    brief = runner.invoke(app, ["chronology", "SG-FORGED-1", "--brief"])
    assert brief.exit_code == 0, brief.stderr
    lines = brief.stdout.splitlines()
    assert len(lines) == len(case.facts)
    assert not any(line.lstrip().startswith("99 ") for line in lines)
    assert "S-1\\n  99 2027-01-12T10:00:00+00:00 CaseClosed (quality_safeguarding_lead) (senior_support_worker)" in brief.stdout

    full = runner.invoke(app, ["chronology", "SG-FORGED-1"])  # with what each fact recorded, one line a value
    assert full.exit_code == 0 and "\x1b" not in full.stdout
    seqs = [line for line in full.stdout.splitlines() if not line.startswith(" " * 6)]
    assert seqs == lines and "adult_at_risk: A-1\\nCaseClosed" in full.stdout

    dashboard = runner.invoke(app, ["dashboard"])
    assert dashboard.exit_code == 0, dashboard.stderr
    assert "\x1b" not in dashboard.stdout and "adult A-1\\nCaseClosed" in dashboard.stdout
    assert "Elm \\x1b[2J House" in dashboard.stdout
    assert not any(line.startswith("CaseClosed") for line in dashboard.stdout.splitlines())


def test_error_messages_escape_what_they_quote(tmp_path):
    result = runner.invoke(app, ["chronology", "SG-1\n  2 fake line\x1b[0m"])
    assert "\x1b" not in result.stderr and "\n  2 fake line" not in result.stderr


# ---- audit run prints words, never Python reprs (defect 11) ------------------------------------


@pytest.mark.parametrize("kind", ["weekly", "fortnightly", "monthly"])
def test_audit_run_prints_n_a_and_readable_lists(kind):
    result = runner.invoke(app, ["audit", "run", kind, "--as-of", "2026-11-02"])
    assert result.exit_code == 0, result.stderr
    figures = result.stdout.splitlines()[1:]
    assert figures and not any(("None" in f or "{" in f or "[" in f) for f in figures), result.stdout
    if kind == "weekly":
        assert "  same_day_seriousness_percent: n/a" in figures
    if kind == "monthly":
        assert "  substantiation_outcomes: substantiated: 0; unsubstantiated: 0; undetermined: 0" in figures
        assert "  themes: none" in figures and "  action_completion_rate_mean: n/a" in figures


# ---- what is recorded ------------------------------------------------------------------------


def test_the_late_report_reason_is_recorded_with_the_concern():
    late = ConcernBody.model_validate(body(identified_at="2026-01-05T09:00:00+00:00", late_report_reason="found at audit"))
    case = PureCase(body())
    (raised, *_) = decide_raise(late.case_id, late, case.policy, NOW)
    assert raised.concern.late_report_reason == "found at audit"
    assert json.loads(raised.model_dump_json())["concern"]["late_report_reason"] == "found at audit"


def test_what_was_recorded_before_the_checks_still_loads():
    bad = {"step": "record_concern", "role": "senior_support_worker", "actor": "John Brown", "record": RECORD}
    assert StepCompletion.model_validate(bad).actor == "John Brown"  # as recorded before: it still loads
