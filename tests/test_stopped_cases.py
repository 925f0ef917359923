"""A case whose workflow stops without closing is noticed and recovered (issue 18): terminated
through Temporal's own API, it is recorded as stopped by the worker's watch (once), shows on the
dashboard and in the deadlines, and `recover` restarts it from the event store's facts. The
restarted case records who recovered it and why, then keeps every deadline it had: one that fell
due while it was stopped is recorded as missed, and escalated, at once."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowFailureError

import bootstrap
from casework import recovery
from casework.refusals import NotOpen, NotPermitted
from casework.temporal.stopped import record_stopped
from domain.access import Assignment, Principal
from domain.facts import CaseRecovered, CaseStopped, DeadlineMissed
from projections.dashboard import LiveCases, dashboard
from projections.registry import open_feed
from tests.conftest import concern

DSL = Principal("DSL-5", "A Lead", (Assignment("designated_safeguarding_lead", "SVC-ELM"),), "api")
SSW = Principal("SSW-5", "A Worker", (Assignment("senior_support_worker", "SVC-ELM"),), "api")


async def test_a_terminated_case_is_noticed_and_recovered_with_its_deadlines_kept(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:35:00+00:00")
    await case.complete("record_concern")
    due = {(s.step, s.occurrence): s.due for s in (await case.status()).open_steps}
    await driver.env.client.get_workflow_handle(case.id).terminate("someone in the Temporal UI")

    feed = open_feed(driver.records)
    feed.catch_up()
    [halted] = await record_stopped(driver.env.client, driver.records, feed.documents)
    assert (halted.case_id, halted.status) == (case.id, "terminated")
    feed.catch_up()
    assert await record_stopped(driver.env.client, driver.records, feed.documents) == []  # recorded once
    now = await case.clock.now()
    view = dashboard(feed.documents, now, driver.settings.calendar)
    [row] = [c for c in view["live_cases"] if c["case_id"] == case.id]
    assert row["stopped"]["status"] == "terminated" and row["open_risk_beyond_timescale"]
    assert all(d["stopped"] for d in view["deadlines"] if d["case_id"] == case.id)

    ports = bootstrap.ports(driver.settings, driver.records, driver.env.client, within=None)
    with pytest.raises(NotPermitted):
        await recovery.recover_case(ports, SSW, recovery.RecoverCase(case.id, "terminated in the UI"), now)
    # the peer risk review fell due while it was stopped
    await case.at("2027-01-12T10:20:00+00:00")
    later = await case.clock.now()
    done = await recovery.recover_case(ports, DSL, recovery.RecoverCase(case.id, "terminated by mistake in the UI"), later)
    assert done.stopped_status == "terminated"
    status = await case.status()
    assert {(s.step, s.occurrence): s.due for s in status.open_steps} == due  # the same deadlines, kept
    facts = [r.fact for r in case.facts()]
    recovered = next(f for f in facts if isinstance(f, CaseRecovered))
    assert (recovered.actor, recovered.role, recovered.reason, recovered.stopped_run_id) == (
        "DSL-5", "designated_safeguarding_lead", "terminated by mistake in the UI", halted.run_id)
    assert facts.index(recovered) > next(i for i, f in enumerate(facts) if isinstance(f, CaseStopped))
    assert any(isinstance(f, DeadlineMissed) and f.step == "peer_risk_review" for f in facts[facts.index(recovered):])
    feed.catch_up()
    [live] = [c for _, c in feed.documents.scan(LiveCases.name) if c["case_id"] == case.id]
    assert live.get("stopped") is None
    with pytest.raises(NotOpen, match="is running: there is nothing to recover"):
        await recovery.recover_case(ports, DSL, recovery.RecoverCase(case.id, "again"), later)



async def test_a_case_whose_last_run_was_forged_is_recovered_from_the_store(driver):
    """The trial's: terminated, then started again round Safeguard with a state of the forger's own,
    under another threshold tool (its restart's seal does not hold, so it fails). That run must not
    be believed about the policy: the recovery takes it from what the raise recorded, as the pathway
    in force is the one the case was raised under."""
    from temporalio.api.enums.v1 import EventType
    from temporalio.client import Client

    from casework.temporal.stopped import setup_from_store, state_from_store
    from domain.case.policy import policy_from_text
    from workflows.case_input import CaseInput
    from workflows.concern import SafeguardingConcernWorkflow

    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:35:00+00:00")
    await case.complete("record_concern")
    due = {(s.step, s.occurrence): s.due for s in (await case.status()).open_steps}
    await driver.env.client.get_workflow_handle(case.id).terminate("someone in the Temporal UI")
    raised = driver.records.stored_facts(case.id)[0].fact
    ours = policy_from_text(setup_from_store(driver.settings, case.id, raised).policy)
    theirs = ours.model_copy(update={"threshold_profile": "guernsey" if ours.threshold_profile != "guernsey" else "sussex"})
    forger = Client(**{**driver.env.client.config(), "interceptors": []})
    forged = await forger.start_workflow(SafeguardingConcernWorkflow.run, CaseInput(
        case_id=case.id, concern=raised.concern, resume=state_from_store(driver.records, case.id, theirs.as_text())),
        id=case.id, task_queue=driver.settings.task_queue)
    with pytest.raises(WorkflowFailureError):
        await forged.result()
    assert not any(isinstance(r.fact, CaseRecovered) for r in driver.records.stored_facts(case.id))

    ports = bootstrap.ports(driver.settings, driver.records, driver.env.client, within=None)
    done = await recovery.recover_case(ports, DSL, recovery.RecoverCase(case.id, "a forged run in Temporal"),
                                       await case.clock.now())
    assert done.stopped_run_id == forged.result_run_id
    assert {(s.step, s.occurrence): s.due for s in (await case.status()).open_steps} == due
    history = await driver.env.client.get_workflow_handle(case.id, run_id=done.run_id).fetch_history()
    started = next(e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
    [restarted] = await driver.env.client.data_converter.decode(
        started.workflow_execution_started_event_attributes.input.payloads, [CaseInput])
    assert restarted.resume.policy.threshold_profile == ours.threshold_profile != theirs.threshold_profile
