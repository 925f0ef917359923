"""`safeguard threshold assess|profiles`, driven through the real `safeguard` command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app as root

pytestmark = pytest.mark.unit

runner = CliRunner()

CLI_KEYS = {"level", "rag", "matched", "rationale", "alternative_actions", "required_notifications",
            "urgent_escalation", "profile", "profile_version"}


def run(*args: str, stdin: str | None = None):
    return runner.invoke(root, ["threshold", *args], input=stdin)


@pytest.fixture
def facts_file(tmp_path):
    def write(content, name="facts.json"):
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return str(path)
    return write


# --- assess ----------------------------------------------------------------------------------


def test_assess_json_sussex(facts_file):
    path = facts_file({"category": "incidents_between_adults",
                       "facts": {"weapon_or_object_used": True, "crime_indicated": True, "escalating_behaviour": True}})
    result = run("assess", "--profile", "sussex", "--file", path, "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert CLI_KEYS <= set(out)
    assert (out["level"], out["rag"], out["profile"], out["profile_version"]) == ("reportable", "red", "sussex", "1.0.0")
    assert out["required_notifications"] == ["police"] and out["urgent_escalation"] is False
    first = out["matched"][0]
    assert {"indicator", "level", "source"} <= set(first)
    assert first["indicator"] == "Any incident where a weapon or other object is used with the intention to cause injury."
    assert first["source"] == {"seed": "002_bdbd6ad1bcc6475b.txt", "category": "Incidents between adults in a service",
                               "column": "Reportable", "line": 318}
    assert out["alternative_actions"][0] == "RAISE SAFEGUARDING CONCERN"
    assert "Threshold decision: Reportable (red)" in out["rationale"]


def test_assess_json_guernsey_mutual_dislike(facts_file):
    # 003 line 216: "Both people display a dislike for one another but no abuse has occurred" is yellow
    path = facts_file({"category": "incidents_between_adults", "facts": {"mutual_dislike_no_abuse": True}})
    out = json.loads(run("assess", "--profile", "guernsey", "--file", path, "--json").stdout)
    assert (out["level"], out["rag"]) == ("consultation", "yellow")
    assert [m["source"]["line"] for m in out["matched"]] == [216, 214, 216]


def test_assess_human_readable(facts_file):
    path = facts_file({"category": "incidents_between_adults", "facts": {"humiliation": True, "coercion": True}})
    result = run("assess", "--profile", "sussex", "--file", path)
    assert result.exit_code == 0
    assert result.stdout.startswith("REQUIRES CONSULTATION (yellow) - sussex 1.0.0 - Incidents between adults in a service")
    assert "Urgent escalation: YES" in result.stdout
    assert "Matched indicators:" in result.stdout and "001_83683b439f7bdd5b.txt line" in result.stdout
    assert "Alternative actions (requires consultation):" in result.stdout
    assert "Rationale:" in result.stdout


def test_assess_reads_standard_input_and_prior():
    request = {"category": "incidents_between_adults", "facts": {"impact": "none", "risk_reduction_actions_taken": True,
                                                                 "professional_advice_sought": True},
               "prior": {"same_pair": 2, "source_note": "event store, 180 days"}}
    result = run("assess", "--profile", "sussex", "--file", "-", "--json", stdin=json.dumps(request))
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["level"] == "consultation"
    assert out["matched"][0]["id"] == "incidents_between_adults.several_low_level_concerns"
    assert out["prior"] == {"same_source": 0, "same_pair": 2, "same_service": 0, "source_note": "event store, 180 days"}


def test_assess_other_category(facts_file):
    path = facts_file({"category": "neglect_unsafe_discharge", "facts": {"covid_status_at_discharge": "status_unknown"}})
    out = json.loads(run("assess", "--profile", "guernsey", "--file", path, "--json").stdout)
    assert out["level"] == "consultation" and out["matched"][0]["source"]["line"] == 222


# --- bad input: "error: <message>" on stderr, exit code 2 ------------------------------------


def assert_error(result, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_unknown_profile(facts_file):
    path = facts_file({"category": "falls", "facts": {}})
    assert_error(run("assess", "--profile", "kent", "--file", path), "unknown threshold profile 'kent'", "guernsey, sussex")


def test_unknown_category(facts_file):
    path = facts_file({"category": "incidents_between_residents", "facts": {}})
    assert_error(run("assess", "--profile", "sussex", "--file", path, "--json"),
                 "unknown category 'incidents_between_residents'", "incidents_between_adults")


def test_unknown_fact(facts_file):
    path = facts_file({"category": "incidents_between_adults", "facts": {"weapon": True}})
    assert_error(run("assess", "--profile", "guernsey", "--file", path, "--json"),
                 "unknown fact 'weapon' for category 'incidents_between_adults' (profile guernsey)")


@pytest.mark.parametrize("facts, fragment", [
    ({"medical_attention_required": "yes"}, "fact 'medical_attention_required' in category 'incidents_between_adults' (profile sussex) expects true or false, got \"yes\" (string)"),
    ({"prior_incidents_same_source": "two"}, "fact 'prior_incidents_same_source' in category 'incidents_between_adults' (profile sussex) expects a whole number, 0 or more, got \"two\" (string)"),
    ({"impact": "severe"}, "fact 'impact' in category 'incidents_between_adults' (profile sussex) expects one of 'none', 'some', 'significant', got \"severe\" (string)"),
])
def test_wrong_type(facts_file, facts, fragment):
    path = facts_file({"category": "incidents_between_adults", "facts": facts})
    assert_error(run("assess", "--profile", "sussex", "--file", path, "--json"), fragment)


def test_malformed_json_names_line_and_column(facts_file):
    path = facts_file('{\n  "category": "falls",\n  "facts": {"previous_falls": 2,}\n}')
    assert_error(run("assess", "--profile", "sussex", "--file", path), "is not valid JSON", "line 3, column 33")


def test_missing_file(tmp_path):
    missing = str(tmp_path / "nope.json")
    assert_error(run("assess", "--profile", "sussex", "--file", missing), f"{missing}: no such file")


def test_file_is_a_directory(tmp_path):
    assert_error(run("assess", "--profile", "sussex", "--file", str(tmp_path)), "cannot read")


@pytest.mark.parametrize("request_body, fragment", [
    ([], "expected an object"),
    ({"facts": {}}, "missing 'category'"),
    ({"category": "falls"}, "missing 'facts'"),
    ({"category": 3, "facts": {}}, "'category' must be a string"),
    ({"category": "falls", "facts": []}, "must be an object of fact names to values, got array"),
    ({"category": "falls", "facts": {}, "fact": {}}, "unknown key 'fact'"),
    ({"category": "falls", "facts": {}, "prior": 3}, "'prior' must be an object"),
    ({"category": "falls", "facts": {}, "prior": {"same_pairs": 1}}, "invalid prior concerns: same_pairs: is not a field here: remove it"),
])
def test_bad_request_shape(facts_file, request_body, fragment):
    path = facts_file(request_body)
    assert_error(run("assess", "--profile", "sussex", "--file", path), fragment)


def test_missing_option_is_a_usage_error():
    result = run("assess", "--profile", "sussex")
    assert result.exit_code == 2 and "--file" in result.stderr


# --- profiles --------------------------------------------------------------------------------


def test_profiles_lists_profiles_categories_and_indicators():
    result = run("profiles")
    assert result.exit_code == 0
    out = result.stdout
    assert "guernsey 1.0.0:" in out and "sussex 1.0.0:" in out
    assert "  homelessness: Homelessness" in out and "  neglect_unsafe_discharge:" in out
    assert "incidents_between_adults.r2  reportable  002_bdbd6ad1bcc6475b.txt line 318, Reportable" in out
    assert "when weapon_or_object_used" in out


def test_profiles_json():
    result = run("profiles", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [p["name"] for p in data] == ["guernsey", "sussex"]
    sussex = data[1]
    assert sussex["version"] == "1.0.0" and len(sussex["digest"]) == 64
    peer = next(c for c in sussex["categories"] if c["key"] == "incidents_between_adults")
    assert {f["name"] for f in peer["facts"]} >= {"impact", "prior_incidents_same_source", "mutual_dislike_no_abuse"}
    weapon = next(i for i in peer["indicators"] if i["id"] == "incidents_between_adults.r2")
    assert weapon["when"] == {"fact": "weapon_or_object_used", "equals": True}
    assert weapon["source"]["line"] == 318


def test_profiles_filters():
    data = json.loads(run("profiles", "--profile", "guernsey", "--category", "falls", "--json").stdout)
    assert [p["name"] for p in data] == ["guernsey"]
    assert [c["key"] for c in data[0]["categories"]] == ["falls"]
    text = run("profiles", "--profile", "sussex", "--category", "homelessness").stdout
    assert "homelessness: Homelessness" in text and "falls: Falls" not in text


def test_profiles_bad_filters():
    assert_error(run("profiles", "--profile", "kent"), "unknown threshold profile 'kent'")
    assert_error(run("profiles", "--profile", "guernsey", "--category", "homelessness"),
                 "unknown category 'homelessness'", "neglect_unsafe_discharge")
