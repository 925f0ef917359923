"""What supervisors and inspectors asked for in the text output (issue 8, defect 12): `deadlines`
with due instant, escalated-to role and working time left, filtered by role and service; the
dashboard's escalation ids; a chronology that shows what each fact recorded (`--brief` hides it);
who raised a concern; the summary in `concern status`; the pathway's choices. Read from a store of
the test's own, written by the decider (no Temporal)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from cli.cases import show_status
from cli.main import app
from configuration.settings import Settings, get_settings
from domain.case import status_of
from eventstore.application import SafeguardingRecords
from tests.conftest import concern
from domain.alerts import ALERTS
from domain.case import decide_alert_outcome, decide_alerts_adopted
from tests.pure_case import PureCase

runner = CliRunner()
NOW = datetime.now(timezone.utc).replace(microsecond=0)


pytestmark = [pytest.mark.usefixtures("offline"), pytest.mark.unit]  # no Temporal, a store of the test's own (conftest)


def stored(tmp_path, *cases: PureCase) -> None:
    records = SafeguardingRecords(env=Settings(data_dir=tmp_path).event_store_env())
    for c in cases:
        records.record(c.state.case_id, 1, c.facts)


def escalated_case(case_id: str, service: str) -> PureCase:
    """Raised 20 minutes ago; recorded; the peer-risk review finds live risk, which escalates to the DSL,
    who acknowledges it with a note."""
    body = concern((NOW - timedelta(minutes=20)).isoformat(), case_id=case_id,
                   service={"id": service, "name": "Elm House", "provider": "Northgate Care", "client_group": "older people"})
    case = PureCase(body)
    case.at(NOW - timedelta(minutes=15))
    case.complete("record_concern", actor="SSW-14", behaviour_observed="blocked the lounge door")
    case.complete("peer_risk_review", actor="TL-3", source_still_has_access=True)
    case.acknowledge("E1", "designated_safeguarding_lead", actor="DSL-2", note="moved A-204 to the garden room")
    case.at(NOW)
    return case


def test_deadlines_show_due_role_escalation_and_working_time_and_filter_by_role_and_service(tmp_path):
    elm, oak = escalated_case("SG-TXT-ELM", "SVC-ELM"), escalated_case("SG-TXT-OAK", "SVC-OAK")
    missed = PureCase(concern((NOW - timedelta(minutes=20)).isoformat(), case_id="SG-TXT-LATE")).at(NOW)  # nothing recorded
    stored(tmp_path, elm, oak, missed)
    every = json.loads(runner.invoke(app, ["deadlines", "--json"]).stdout)
    assert {r["case_id"] for r in every} == {"SG-TXT-ELM", "SG-TXT-OAK", "SG-TXT-LATE"}

    text = runner.invoke(app, ["deadlines"])
    assert text.exit_code == 0, text.stderr
    assert "warning: cannot reach Temporal at 127.0.0.1:1: until it and a worker run, deadlines that fall due are " \
           "not recorded" in text.stderr  # no Temporal here
    lines = text.stdout.splitlines()
    assert "SG-TXT-LATE" in lines[0] and "record_concern#1" in lines[0]  # overdue first
    assert "senior_support_worker -> team_leader" in lines[0] and "OVERDUE by 0h" in lines[0]  # 5 min or so
    for on_time in (r for r in every if not r["overdue"]):
        line = next(x for x in lines if on_time["case_id"] in x and f"{on_time['step']}#" in x)
        assert line.startswith(on_time["due"]) and on_time["service_id"] in line
        # a deadline in working time is told in working time; a clock deadline (e.g. 30 minutes) in clock time
        assert ("working time left" in line) == on_time["working_time"], line
    assert {r["working_time"] for r in every if not r["overdue"]} == {True, False}

    by_service = json.loads(runner.invoke(app, ["deadlines", "--service", "SVC-OAK", "--json"]).stdout)
    assert by_service and {r["case_id"] for r in by_service} == {"SG-TXT-OAK"}
    for_tl = json.loads(runner.invoke(app, ["deadlines", "--role", "team_leader", "--json"]).stdout)
    assert {(r["case_id"], r["step"]) for r in for_tl} >= {("SG-TXT-LATE", "record_concern")}  # escalated to them
    assert all("team_leader" in r["can_complete"] for r in for_tl) and len(for_tl) < len(every)
    assert "no open deadlines for nominated_individual at SVC-OAK" in runner.invoke(
        app, ["deadlines", "--role", "nominated_individual", "--service", "SVC-OAK"]).stdout
    bad = runner.invoke(app, ["deadlines", "--role", "janitor"])
    assert bad.exit_code == 2 and "'janitor' is not a role: one of senior_support_worker" in bad.stderr


def test_the_dashboard_names_each_escalation_by_its_id(tmp_path):
    acknowledged = escalated_case("SG-TXT-ACK", "SVC-ELM")
    missed = PureCase(concern((NOW - timedelta(minutes=20)).isoformat(), case_id="SG-TXT-MISS"))
    missed._record(decide_alerts_adopted(missed.state, ALERTS.model_copy(update={"tells_approaching": False}), missed.now))
    missed.at(NOW)
    [alert] = missed.state.alerts
    missed._record(decide_alert_outcome(missed.state, alert.alert_id, [("TL-1", "email", "smtp", "<m@x>")], False, "", NOW))
    stored(tmp_path, acknowledged, missed)
    view = json.loads(runner.invoke(app, ["dashboard", "--json"]).stdout)
    outstanding = {c["case_id"]: c["escalations_outstanding"] for c in view["live_cases"]}
    assert [e["escalation_id"] for e in outstanding["SG-TXT-MISS"]] == ["E1"] and outstanding["SG-TXT-ACK"] == []
    text = runner.invoke(app, ["dashboard"]).stdout
    case_block = text[text.index("SG-TXT-MISS"):]
    assert "escalation E1 " in case_block.splitlines()[1] and "-> team_leader" in case_block.splitlines()[1]
    assert case_block.splitlines()[2].strip().startswith("alerted team_leader: TL-1 by email at ")  # who was told
    assert case_block.splitlines()[3].strip() == "not acknowledged"


def test_the_chronology_shows_what_each_fact_recorded_and_brief_hides_it(tmp_path):
    case = escalated_case("SG-TXT-CHR", "SVC-ELM")
    case.complete("seriousness_assessment", actor="RM-1")
    stored(tmp_path, case)
    full = runner.invoke(app, ["chronology", "SG-TXT-CHR"])
    assert full.exit_code == 0, full.stderr
    out = full.stdout
    assert "ConcernRaised SSW-14 (senior_support_worker)" in out  # who raised it
    assert "A-204 blocked A-117 from the lounge" not in out  # the summary: `concern status` shows it
    assert "behaviour_observed: blocked the lounge door" in out  # record contents
    assert "to_role: designated_safeguarding_lead" in out  # the escalation's target
    assert "note: moved A-204 to the garden room" in out  # the acknowledgement's note
    decision = case.state.threshold_decision
    assert f"threshold: {decision.level} ({decision.rag})" in out and f"rationale: {decision.rationale}" in out

    brief = runner.invoke(app, ["chronology", "SG-TXT-CHR", "--brief"]).stdout
    assert len(brief.splitlines()) == len(case.facts)
    assert "blocked the lounge door" not in brief and "garden room" not in brief


def test_a_concern_must_say_who_raised_it(tmp_path):
    body = concern((NOW - timedelta(minutes=5)).isoformat())
    del body["raised_by"]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(body))
    refused = runner.invoke(app, ["concern", "raise", "--file", str(path)])
    assert refused.exit_code == 2 and "raised_by is required: who raised the concern" in refused.stderr
    named = runner.invoke(app, ["concern", "raise", "--file", str(path), "--actor", "John Smith", "--as", "team_leader"])
    assert named.exit_code == 2 and "raised_by.actor: 'John Smith' is not an id" in named.stderr
    wrong_role = runner.invoke(app, ["concern", "raise", "--file", str(path), "--actor", "TL-3", "--as", "janitor"])
    assert wrong_role.exit_code == 2 and "raised_by.role" in wrong_role.stderr
    given = runner.invoke(app, ["concern", "raise", "--file", str(path), "--actor", "TL-3", "--as", "team_leader"])
    assert given.exit_code == 3  # accepted as input; no Temporal here


def test_status_shows_the_summary_who_raised_it_and_the_threshold(capsys):
    case = escalated_case("SG-TXT-ST", "SVC-ELM")
    case.complete("seriousness_assessment", actor="RM-1")
    show_status(status_of(case.state), as_json=False)
    out = capsys.readouterr().out
    assert "summary: A-204 blocked A-117 from the lounge" in out
    assert "raised by SSW-14 (senior_support_worker)" in out
    assert f"threshold: {case.state.threshold_decision.level}" in out


def test_the_pathway_lists_the_values_a_choice_field_takes():
    out = runner.invoke(app, ["pathway"]).stdout
    assert "power_imbalance(one of none | some | significant)" in out
