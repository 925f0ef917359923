"""The examples a reader copies from (README, examples/) fit today's pathway: a record for every step
that the case accepts, and rehearsal scenarios that run with nothing rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from domain.case import check_requirements
from domain.pathway import current_pathway
from domain.records import validate_record
from tests.conftest import concern
from tests.pure_case import PureCase

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCENARIOS = sorted(EXAMPLES.glob("scenario-*.json"))


@pytest.mark.unit
@pytest.mark.parametrize("step", current_pathway().steps, ids=lambda s: s.id)
def test_every_step_has_an_example_record_the_pathway_accepts(step):
    record = json.loads((EXAMPLES / "records" / f"{step.id}.json").read_text())
    clean = validate_record(step, record)
    check_requirements(PureCase(concern("2027-01-12T09:30:00+00:00")).state, step, clean)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_example_scenarios_run_with_nothing_rejected(path):
    result = CliRunner().invoke(app, ["simulate", "--file", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["rejected"] == []
    done = {s["step"] for s in out["steps"] if s["completed_at"]}
    assert {a["step"] for a in json.loads(path.read_text())["actions"] if "step" in a} <= done
