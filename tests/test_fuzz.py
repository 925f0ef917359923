"""Fuzzing (Hypothesis) the bodies staff send: a concern to raise and a record to complete a step.

Whatever the JSON, the command answers with an exit code and a message, never a traceback; and a
step completion records something only if its record is valid (the decider refuses it otherwise,
with nothing recorded)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from domain.case import Rejected, decide_completion
from domain.concern import StepCompletion
from domain.records import RecordError, validate_record
from tests.cases import RECORDS
from tests.conftest import concern
from tests.pure_case import PureCase

runner = CliRunner()
UNREACHABLE = {"SAFEGUARD_TEMPORAL_ADDRESS": "127.0.0.1:9"}  # a valid body meets no server: exit 3, not a traceback

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                           max_leaves=12)


def concern_bodies() -> st.SearchStrategy:
    """A real concern with fields dropped, replaced by any JSON, or added."""
    base = concern("2027-01-12T09:30:00+00:00", case_id="FUZZ-1")
    return st.builds(
        lambda drop, change, extra: {**{k: v for k, v in base.items() if k not in drop}, **change, **extra},
        st.sets(st.sampled_from(sorted(base))),
        st.dictionaries(st.sampled_from(sorted(base)), json_values, max_size=3),
        st.dictionaries(st.text(max_size=10), json_values, max_size=2),
    )


def records_for(step: str) -> st.SearchStrategy:
    valid = RECORDS[step]
    return st.one_of(
        json_values,
        st.builds(lambda drop, change: {**{k: v for k, v in valid.items() if k not in drop}, **change},
                  st.sets(st.sampled_from(sorted(valid))), st.dictionaries(st.sampled_from(sorted(valid)), json_values, max_size=2)),
    )


def no_traceback(result) -> None:
    assert result.exit_code in (0, 2, 3), (result.exit_code, result.output, result.stderr)
    assert "Traceback" not in result.output + result.stderr


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(concern_bodies(), json_values))
def test_any_concern_body_gets_an_answer_not_a_traceback(tmp_path_factory, monkeypatch, body):
    path = tmp_path_factory.mktemp("fuzz") / "concern.json"
    path.write_text(json.dumps(body))
    for k, v in UNREACHABLE.items():
        monkeypatch.setenv(k, v)
    from configuration.settings import get_settings
    get_settings.cache_clear()
    try:
        no_traceback(runner.invoke(app, ["concern", "raise", "--file", str(path)]))
    finally:
        get_settings.cache_clear()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=records_for("record_concern"))
def test_any_step_record_gets_an_answer_not_a_traceback(tmp_path_factory, monkeypatch, record):
    path = tmp_path_factory.mktemp("fuzz") / "record.json"
    path.write_text(json.dumps(record))
    for k, v in UNREACHABLE.items():
        monkeypatch.setenv(k, v)
    from configuration.settings import get_settings
    get_settings.cache_clear()
    try:
        no_traceback(runner.invoke(app, ["step", "complete", "FUZZ-1", "record_concern", "--as", "senior_support_worker",
                                         "--actor", "SSW-1", "--file", str(path)]))
    finally:
        get_settings.cache_clear()


@settings(max_examples=300, deadline=None)
@given(step=st.sampled_from(["record_concern"]), data=st.data())
def test_a_completion_records_something_exactly_when_its_record_is_valid(step, data):
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="FUZZ-1"))
    record = data.draw(records_for(step))
    completion = StepCompletion(step=step, role="senior_support_worker", actor="SSW-1", record=record)
    try:
        validate_record(case.policy.pathway.step(step), record)
        valid = True
    except RecordError:
        valid = False
    try:
        facts = decide_completion(case.state, completion, case.now)
    except Rejected:
        facts = []
    assert bool(facts) == valid
