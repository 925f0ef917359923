"""The `safeguard` command: bad input is refused with a message naming the problem and a
non-zero exit, before anything is sent; `simulate` rehearses a case end to end."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import concern

runner = CliRunner()


def write(tmp_path: Path, name: str, content) -> str:
    p = tmp_path / name
    p.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(p)


@pytest.mark.unit
@pytest.mark.parametrize("content, message", [
    ('{"identified_at": ', "is not valid JSON: Expecting value at line 1, column 19"),
    ({**concern("2027-01-12T09:30:00+00:00"), "identified_at": "2027-01-12T09:30:00"}, "identified_at: Input should have timezone info"),
    ({k: v for k, v in concern("2027-01-12T09:30:00+00:00").items() if k != "service"}, "service: Field required"),
    ({**concern("2027-01-12T09:30:00+00:00"), "adult_at_risk": {"id": "A-1", "name": "Jane"}}, "adults are referred to by id only; remove name"),
    ({**concern("2027-01-12T09:30:00+00:00"), "alleged_source": {"id": "A-117"}}, "must be different adults"),
    ({**concern("2027-01-12T09:30:00+00:00"), "severity": "high"}, "severity: is not a field here: remove it"),
], ids=["malformed-json", "naive-instant", "missing-service", "name-not-id", "same-adult", "unknown-field"])
def test_raise_refuses_bad_concern_files(tmp_path, content, message):
    result = runner.invoke(app, ["concern", "raise", "--file", write(tmp_path, "c.json", content)])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.unit
def test_missing_file_is_named(tmp_path):
    result = runner.invoke(app, ["concern", "raise", "--file", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "nope.json: no such file" in result.stderr


@pytest.mark.unit
def test_unknown_role_is_refused_before_sending(tmp_path):
    record = write(tmp_path, "r.json", {"source_still_has_access": True})
    result = runner.invoke(app, ["step", "complete", "CASE-1", "peer_risk_review", "--as", "cleaner", "--actor", "S-1", "--file", record])
    assert result.exit_code == 2 and "role: Input should be 'senior_support_worker'" in result.stderr


@pytest.mark.unit
def test_unreachable_temporal_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_TEMPORAL_ADDRESS", "127.0.0.1:1")
    from configuration.settings import get_settings

    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["concern", "status", "CASE-1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 3 and "cannot reach Temporal at 127.0.0.1:1" in result.stderr


def test_simulate_rehearses_a_bank_holiday_friday(tmp_path):
    """'What if the DSL is off on a bank-holiday Friday?' Good Friday 2027 is 26 March."""
    scenario = {
        "concern": concern("2027-03-25T15:30:00+00:00", case_id="REHEARSAL-1"),
        "actions": [
            {"at": "2027-03-25T15:40:00+00:00", "step": "record_concern", "role": "senior_support_worker", "actor": "S-1",
             "record": {"behaviour_observed": "pushed in queue", "initiated_by": "A-204", "presentation": "shaken"}},
            {"at": "2027-03-25T16:00:00+00:00", "step": "peer_risk_review", "role": "senior_support_worker", "actor": "S-1",
             "record": {"source_still_has_access": True, "repeated_or_targeted": True, "other_adult_affected": False,
                        "source_also_adult_at_risk": False}},
            {"at": "2027-03-25T16:05:00+00:00", "step": "peer_risk_review", "role": "team_leader", "actor": "T-1",
             "record": {"source_still_has_access": True, "repeated_or_targeted": True, "other_adult_affected": False,
                        "source_also_adult_at_risk": False}},
            {"at": "2027-03-25T16:10:00+00:00", "development": {"kind": "new_incident", "summary": "second push"}},
        ],
        "run_until": "2027-03-30T12:00:00+00:00",
    }
    result = runner.invoke(app, ["simulate", "--file", write(tmp_path, "s.json", scenario), "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["case_id"] == "REHEARSAL-1" and out["status"] == "open" and out["outcome"] is None
    assert out["rejected"] == [{"action_index": 1, "error": "role senior_support_worker cannot complete peer_risk_review: it is for team_leader"}]
    route = next(s for s in out["steps"] if s["step"] == "route_decision")
    # 4 working hours from Thursday 15:40: 1h20m Thursday, then Tuesday 30 March (after Good Friday,
    # the weekend and Easter Monday) 2h40m from 09:00 BST (08:00Z): 11:40 BST.
    assert route["due"] == "2027-03-30T10:40:00Z" and route["missed_at"] == "2027-03-30T10:40:00Z"
    assert {"at": "2027-03-30T10:40:00Z", "step": "route_decision", "to_role": "operations_director"}.items() <= next(
        e for e in out["escalations"] if e["step"] == "route_decision").items()
    assert any(e["reason"].startswith("live risk") for e in out["escalations"])
    assert [c["seq"] for c in out["chronology"]] == list(range(1, len(out["chronology"]) + 1))
    assert out["chronology"][0]["type"] == "ConcernRaised"


@pytest.mark.unit
def test_simulate_refuses_a_malformed_scenario(tmp_path):
    bad = {"concern": concern("2027-03-25T15:30:00+00:00"), "actions": [{"at": "2027-03-25T15:40:00+00:00", "step": "record_concern"}]}
    result = runner.invoke(app, ["simulate", "--file", write(tmp_path, "s.json", bad)])
    assert result.exit_code == 2
    assert "actions[0] (StepAction): role: Field required; actor: Field required" in result.stderr


@pytest.mark.unit
def test_development_with_unknown_kind_is_refused(tmp_path):
    result = runner.invoke(app, ["concern", "development", "CASE-1", "--file",
                                 write(tmp_path, "d.json", {"kind": "gossip", "summary": "x"})])
    assert result.exit_code == 2
    assert "kind: Input should be 'new_incident', 'agency_contact' or 'other'" in result.stderr


@pytest.mark.unit
def test_a_development_with_an_unknown_role_is_refused_plainly(tmp_path):
    dev = write(tmp_path, "d.json", {"kind": "agency_contact", "summary": "LA hub called"})
    result = runner.invoke(app, ["concern", "development", "SG-1", "--file", dev, "--as", "chef", "--actor", "X-1"])
    assert result.exit_code == 2 and "development: role: Input should be" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_a_rehearsal_past_its_bound_stops_naming_its_action(tmp_path, monkeypatch):
    """Issue 19: a simulation that cannot finish fails within its bound, naming the action it was on
    (the test server does not skip time while an update is awaited). The second action is an update
    that never answers."""
    import asyncio
    import simulation.runner as sim
    sent = sim.send

    async def second_never_answers(handle, action):
        if action.step == "peer_risk_review":
            await asyncio.Event().wait()
        return await sent(handle, action)

    monkeypatch.setattr(sim, "send", second_never_answers)
    scenario = {
        "concern": concern("2027-03-25T15:30:00+00:00", case_id="REHEARSAL-2"),
        "actions": [{"at": "2027-03-25T15:40:00+00:00", "step": "record_concern", "role": "senior_support_worker",
                     "actor": "S-1", "record": {"behaviour_observed": "pushed", "initiated_by": "A-204", "presentation": "shaken"}},
                    {"at": "2027-03-25T15:50:00+00:00", "step": "peer_risk_review", "role": "team_leader", "actor": "T-1",
                     "record": {"source_still_has_access": True, "repeated_or_targeted": True, "other_adult_affected": False,
                                "source_also_adult_at_risk": False}}],
    }
    result = runner.invoke(app, ["simulate", "--file", write(tmp_path, "s.json", scenario), "--bound", "2"])
    assert result.exit_code == 1
    assert "2027-03-25T15:40:00+00:00 record_concern: done" in result.stderr
    assert "action 1 (peer_risk_review at 2027-03-25T15:50:00+00:00) did not finish within 2 seconds" in result.stderr


@pytest.mark.unit
@pytest.mark.parametrize("name, value, says", [
    ("SAFEGUARD_SQLITE_LOCK_TIMEOUT", "0", "SAFEGUARD_SQLITE_LOCK_TIMEOUT: Input should be greater than 0"),
    ("SAFEGUARD_POSTGRES_PORT", "five", "SAFEGUARD_POSTGRES_PORT: Input should be a valid integer"),
])
def test_a_bad_setting_is_named_in_words_not_a_traceback(tmp_path, monkeypatch, name, value, says):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(name, value)
    from configuration.settings import get_settings

    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["projections", "status"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and "error: a setting is not valid, so nothing was done." in result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr + result.stdout and "input_value" not in result.stderr


@pytest.mark.unit
def test_the_worker_started_on_its_own_names_a_bad_setting_in_words(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "SAFEGUARD_DATA_DIR": str(tmp_path), "SAFEGUARD_SQLITE_LOCK_TIMEOUT": "none"}
    done = subprocess.run([sys.executable, "worker.py"], cwd=Path(__file__).parent.parent, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: the worker did not start: a setting is not valid, so nothing was done. "
                                  "SAFEGUARD_SQLITE_LOCK_TIMEOUT: Input should be a valid integer")
