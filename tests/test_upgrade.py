"""A case begun on the workflow before the decider, which continued as new, carries on under the
decider: its state arrives in the old shape (clock settings inside it) and the new run decides
from it, appending after the facts the old run stored.

The old run is taken from a recorded history: the facts it stored (its `record_facts` inputs)
go into the store, and its continue-as-new input starts the next run, as the server would."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from activities.models import FactBatch
from domain.pathway import LIVE_CASE_OVERSIGHT, PEER_RISK_REVIEW, RECORD_CONCERN
from tests.cases import Case
from simulation.runner import CaseClock
from workflows.case_input import CaseInput
from workflows.concern import SafeguardingConcernWorkflow

HISTORIES = Path(__file__).parent / "histories"
OLD = ["continued_as_new@2026.11.1.json", "continued_as_new@2026.11.2.json", "continued_as_new@2026.11.2+service-history.json"]


def payload(p: dict) -> object:
    return json.loads(base64.b64decode(p["data"]))


def old_run(name: str) -> tuple[list[FactBatch], dict]:
    events = json.loads((HISTORIES / name).read_text())["events"]
    batches = [FactBatch.model_validate(payload(e["activityTaskScheduledEventAttributes"]["input"]["payloads"][0]))
               for e in events if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
               and e["activityTaskScheduledEventAttributes"]["activityType"]["name"] == "record_facts"]
    (continued,) = [e for e in events if e["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW"]
    return batches, payload(continued["workflowExecutionContinuedAsNewEventAttributes"]["input"]["payloads"][0])


@pytest.mark.unit
@pytest.mark.parametrize("name", OLD)
def test_an_old_continue_as_new_input_reads_as_today(name):
    _, data = old_run(name)
    case = CaseInput.model_validate(data)
    assert case.clock_offset.total_seconds() == pytest.approx(TypeAdapter(type(case.clock_offset)).validate_python(
        data["resume"]["clock_offset"]).total_seconds())
    assert case.history_limit == data["resume"]["history_limit"] == 40
    assert case.resume.seq == data["resume"]["seq"] and case.resume.history_attached
    assert case.resume.policy.holidays is None  # taken by the new run when it first needs a deadline


@pytest.mark.parametrize("name", OLD)
async def test_a_case_continued_from_the_old_workflow_carries_on_under_the_decider(driver, env, records, name):
    batches, data = old_run(name)
    for batch in batches:
        records.record(batch.case_id, batch.first_seq, batch.facts)
    case_input = CaseInput.model_validate(data)
    case_id = case_input.case_id
    last = records.stored_facts(case_id)[-1]
    assert last.seq == case_input.resume.seq
    clock = CaseClock(env, last.at - await env.get_current_time())  # the case's clock resumes where it stopped
    handle = await env.client.start_workflow(
        SafeguardingConcernWorkflow.run, case_input.model_copy(update={"clock_offset": clock.offset, "history_limit": 10_000}),
        id=case_id, task_queue=driver.settings.task_queue)
    driver.handles.append(handle)
    case = Case(driver, handle, clock)
    status = await case.status()
    assert status.events_recorded == last.seq and RECORD_CONCERN.id in [s.step for s in status.open_steps]

    receipt = await case.complete(RECORD_CONCERN.id, role="team_leader")  # escalated there by the old run
    assert receipt.opened and PEER_RISK_REVIEW.id + "#1" in receipt.opened
    await case.at((last.at + timedelta(hours=73)).isoformat())  # the clock keeps the resumed case's deadlines
    facts = records.stored_facts(case_id)
    assert [f.seq for f in facts] == list(range(1, len(facts) + 1))  # appended after the old run's facts, no gap
    new = facts[last.seq:]
    assert new[0].type == "StepCompleted" and all(f.fact.type != "ConcernRaised" for f in new)
    opened = [f.fact for f in new if f.type == "StepOpened" and f.fact.due is not None]
    assert opened and all(f.holiday_table.startswith("holidays ") for f in opened)
    assert any(f.type == "DeadlineMissed" for f in new), "deadlines of the resumed case are still kept"
    assert LIVE_CASE_OVERSIGHT.id in {o.step for o in (await case.status()).open_steps}
