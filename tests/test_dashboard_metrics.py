"""Grafana cannot run here, so the dashboard (deploy/grafana/dashboards/safeguard.json) is checked
as text: every query and every alert rule (deploy/prometheus/rules.yml) names only metrics that a
worker's `/metrics` answers, read live (tests/metrics_exposed.py: Safeguard's own and Temporal's
SDK's, after something has failed), so a renamed metric fails here instead of leaving an empty
panel or an alert that can never fire. Each query parses as PromQL (promtool), and every
Safeguard metric has a panel."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_alert_rules import promtool, rules  # noqa: F401 (promtool is a fixture)

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "safeguard.json"
# series Prometheus makes itself: whether a target answered, and the alerts firing
PROMETHEUS_OWN = {"up", "ALERTS"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
            "offset", "inf", "nan", "atan2"}
STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
IDENTIFIER = re.compile(r"(?<![\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()")
GRAFANA_VARIABLE = re.compile(r"\$\{?\w+\}?")


def metric_names(promql: str) -> set[str]:
    """The metrics a PromQL expression reads: its identifiers, less label matchers, ranges, grouping
    labels, functions and aggregations (an identifier followed by "(") and keywords."""
    text = STRINGS.sub('""', promql)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = GROUPING.sub(" ", text)
    text = GRAFANA_VARIABLE.sub(" ", text)
    return {name for name in IDENTIFIER.findall(text) if name.lower() not in KEYWORDS}


@pytest.mark.unit
def test_metric_names_are_read_out_of_promql():
    assert metric_names('sum by (channel) (rate(safeguard_alerts_failed_total{channel="email"}[$__rate_interval])) * 60') \
        == {"safeguard_alerts_failed_total"}
    assert metric_names('(sum(temporal_num_pollers{job="safeguard-worker", poller_type="workflow_task"}) or vector(0)) < 1') \
        == {"temporal_num_pollers"}
    assert metric_names("histogram_quantile(0.95, sum by (le, route) (rate(safeguard_http_request_seconds_bucket[5m])))") \
        == {"safeguard_http_request_seconds_bucket"}
    assert metric_names("max(a_seconds) >= 30 * 60 unless on(job) b offset 15m and c > bool 1e3") == {"a_seconds", "b", "c"}
    assert metric_names('max without (instance) (x) + ignoring(age) group_left(model) y{m=~"a|b(c)"}') == {"x", "y"}


def panels(items: list[dict]) -> list[dict]:
    return [p for item in items for p in [item, *panels(item.get("panels", []))]]


def queries() -> dict[str, str]:
    """Each dashboard query and rule expression, by where it is."""
    found = {f"panel {p['title']!r} {t['refId']}": t["expr"]
             for p in panels(json.loads(DASHBOARD.read_text())["panels"]) for t in p.get("targets", [])}
    return found | {f"rule {r['alert']}": r["expr"] for r in rules()}


def exposed_names(exposition: str) -> set[str]:
    """The series names an exposition offers: every sample's, and each family's by its type, so a
    labelled metric nothing has counted yet still counts as offered."""
    names = {line.split("{")[0].split(" ")[0] for line in exposition.splitlines() if line and not line.startswith("#")}
    for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", exposition, re.M):
        names |= {name} | ({f"{name}_bucket", f"{name}_sum", f"{name}_count"} if kind in ("histogram", "summary") else set())
    return names


@pytest.fixture(scope="module")
def exposition(tmp_path_factory) -> str:
    answer = subprocess.run([sys.executable, "-m", "tests.metrics_exposed", str(tmp_path_factory.mktemp("metrics"))],
                            cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert answer.returncode == 0, answer.stderr[-3000:]
    return answer.stdout


def test_every_dashboard_query_and_rule_names_only_metrics_that_metrics_answers(exposition):
    offered = exposed_names(exposition) | PROMETHEUS_OWN
    assert {"temporal_num_pollers", "temporal_workflow_task_execution_failed", "safeguard_event_store_up"} <= offered
    unknown = {where: sorted(metric_names(expr) - offered) for where, expr in queries().items()
               if metric_names(expr) - offered}
    assert unknown == {}, "not in /metrics"
    assert all(metric_names(expr) for expr in queries().values())


def test_every_safeguard_metric_has_a_panel(exposition):
    shown = {name for p in panels(json.loads(DASHBOARD.read_text())["panels"]) for t in p.get("targets", [])
             for name in metric_names(t["expr"])}
    families = {name for name, _ in re.findall(r"^# TYPE (safeguard_\S+) (\S+)$", exposition, re.M)}
    missing = {f for f in families if not any(s == f or s.startswith(f + "_") for s in shown)}
    assert missing == set(), "add a panel to deploy/grafana/dashboards/safeguard.json"


@pytest.mark.unit
def test_every_dashboard_query_parses(promtool, tmp_path):  # noqa: F811
    # as recording rules, with Grafana's variables as Grafana sends them
    record = [{"record": f"panel:{i}", "expr": expr.replace("$__rate_interval", "1m").replace("$__range", "1h")}
              for i, expr in enumerate(q for w, q in queries().items() if w.startswith("panel"))]
    (tmp_path / "queries.yml").write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": record}]}))
    checked = subprocess.run([promtool, "check", "rules", str(tmp_path / "queries.yml")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.unit
def test_the_dashboard_reads_the_provisioned_data_source_and_fits_its_grid():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "safeguard" and dashboard["editable"] is False
    every = panels(dashboard["panels"])
    assert len({p["id"] for p in every}) == len(every)
    for p in every:
        grid = p["gridPos"]
        assert grid["x"] + grid["w"] <= 24, p["title"]
        if p["type"] != "row":
            assert p["datasource"]["uid"] == "prometheus" and p["targets"] and p["description"], p["title"]
