"""The alert rules (deploy/prometheus/rules.yml, issue 23) run through Debian's promtool: they
load, Prometheus's configuration loads them, and each fires on the series it is for and stays
quiet on healthy ones (deploy/prometheus/tests.yml). A rule made never to fire, or to fire
always, fails those tests: so every rule is tested both ways.

`./scripts/test` installs promtool when missing (scripts/promtool); without it these tests fail
and say so, never skip."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit
PROMETHEUS = Path(__file__).resolve().parents[1] / "deploy" / "prometheus"
RULES = PROMETHEUS / "rules.yml"
TESTS = PROMETHEUS / "tests.yml"
# what an alert may be labelled with: its severity, and the labels its expression keeps, none of
# which names a case or a person
ALERT_LABELS = {"severity", "job", "instance", "process", "model", "channel", "workflow_type"}
TEMPLATE_FIELD = re.compile(r"\{\{\s*\$labels\.(\w+)")


@pytest.fixture(scope="module")
def promtool() -> str:
    path = os.environ.get("SAFEGUARD_TEST_PROMTOOL") or shutil.which("promtool")
    if not path:
        pytest.fail("no promtool: run ./scripts/test (it installs Debian's prometheus package) or ./scripts/promtool")
    return path


def rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60)


def test_the_rules_load(promtool):
    checked = run(promtool, "check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rules())} rules found" in checked.stdout


def test_prometheus_configuration_loads_the_rules_and_scrapes_the_web_app_and_the_worker(promtool):
    checked = run(promtool, "check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert config["rule_files"] == ["rules.yml"]
    assert {job["job_name"] for job in config["scrape_configs"]} >= {"safeguard-web", "safeguard-worker"}


def test_each_rule_fires_on_its_series_and_stays_quiet_on_healthy_ones(promtool):
    tested = run(promtool, "test", "rules", str(TESTS))
    assert tested.returncode == 0, tested.stdout[-6000:] + tested.stderr[-2000:]
    assert "SUCCESS" in tested.stdout


def test_every_rule_is_tested_firing_and_quiet():
    firing, quiet = set(), set()
    for case in yaml.safe_load(TESTS.read_text())["tests"]:
        for check in case["alert_rule_test"]:
            (firing if check["exp_alerts"] else quiet).add(check["alertname"])
    names = {rule["alert"] for rule in rules()}
    assert names - firing == set(), "never seen firing"
    assert names - quiet == set(), "never seen quiet"


def _mutant(tmp_path: Path, index: int, expr: str) -> Path:
    """tests.yml beside a copy of the rules whose `index`th expression is `expr`."""
    folder = tmp_path / f"{index}-{'never' if '>' in expr else 'always'}"
    folder.mkdir()
    document = yaml.safe_load(RULES.read_text())
    [r for group in document["groups"] for r in group["rules"]][index]["expr"] = expr
    (folder / "rules.yml").write_text(yaml.safe_dump(document))
    shutil.copy(TESTS, folder / "tests.yml")
    return folder / "tests.yml"


def test_a_rule_that_never_fires_or_always_fires_fails_the_tests(promtool, tmp_path):
    mutants = {(rule["alert"], how): _mutant(tmp_path, i, expr)
               for i, rule in enumerate(rules()) for how, expr in (("never", "vector(0) > 1"), ("always", "vector(1)"))}
    running = {key: subprocess.Popen([promtool, "test", "rules", str(path)], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True) for key, path in mutants.items()}
    passed = []
    for key, process in running.items():
        out, _ = process.communicate(timeout=60)
        if process.returncode == 0:
            passed.append(key)
        else:
            assert key[0] in out, f"{key} failed for another reason: {out[-1500:]}"
    assert passed == [], "the tests did not notice these rules changed"


def test_each_rule_says_what_it_means_and_carries_no_personal_label():
    for rule in rules():
        name, labels, notes = rule["alert"], rule["labels"], rule["annotations"]
        assert name.startswith("Safeguard"), name
        assert labels["severity"] in {"critical", "warning"} and set(labels) == {"severity"}, name
        assert set(notes) == {"summary", "description"}, name
        assert notes["summary"][0].isupper() and not notes["summary"].endswith("."), name
        assert notes["description"].rstrip().endswith("."), name
        assert len(notes["description"].split(". ")) >= 2, f"{name}: say what it means and what to do first"
        for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", rule["expr"]):
            kept = {label.strip() for label in group.split(",") if label.strip()}
            assert kept <= ALERT_LABELS, f"{name} keeps {kept - ALERT_LABELS}"
        fields = set(TEMPLATE_FIELD.findall(notes["summary"] + notes["description"]))
        assert fields <= ALERT_LABELS, f"{name} quotes {fields - ALERT_LABELS}"
