"""A closed case's record corrected (issue 22), on the time-skipping server. The case's workflow
ended when it closed, so the correction starts a run of its own from the store's facts (sealed,
marked as a correction, recording no recovery): the closure's record corrected opens the closure
decision's review for the role that closed it, whose missed deadline escalates; the review's new
outcome is recorded and the run ends. The case stays closed throughout; the board shows the review
while it is open. Sent again: one amendment. Without the role: refused, nothing recorded, no run
started. A start not sealed as a correction is refused by the case."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.common import WorkflowIDReusePolicy

import bootstrap
from casework import cases
from casework.amendments import AmendStep, amend_step, amendment_form
from casework.refusals import NotPermitted
from casework.temporal.corrections import correction_start
from domain.access import Assignment, Principal
from domain.facts import CaseRecovered, DeadlineMissed, DecisionReviewed, Escalated, StepAmended
from domain.seal import seal_of
from encryption.seal import RESTART, restart_body, sealing_key
from eventstore.events import case_stream
from projections.dashboard import CLOSED, LIVE_BELOW, LiveCases, dashboard
from projections.registry import open_feed
from tests.conftest import concern
from tests.stories import full_pathway
from workflows.concern import SafeguardingConcernWorkflow

ELM = "SVC-ELM"


def who(user: str, role: str) -> Principal:
    return Principal(user, user, (Assignment(role, ELM),), "api")


RM, QSL, TL, OD = (who("RM-5", "registered_manager"), who("QSL-5", "quality_safeguarding_lead"),
                   who("TL-5", "team_leader"), who("OD-5", "operations_director"))


async def closed_case(driver, case_id: str):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", case_id=case_id))
    await full_pathway(case)  # closed by the closure and learning review on 14 January, substantiated
    assert (await case.handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    return case


def facts_of(driver, case_id: str, kind: type) -> list:
    return [r.fact for r in driver.records.stored_facts(case_id) if isinstance(r.fact, kind)]


async def last_run(driver, case_id: str) -> tuple[str, WorkflowExecutionStatus]:
    desc = await driver.env.client.get_workflow_handle(case_id).describe()
    return desc.run_id, desc.status


async def test_a_closed_cases_closure_corrected_is_reviewed_by_its_maker_and_the_run_ends(driver):
    case = await closed_case(driver, "CLOSED-1")
    closed_run = (await case.handle.describe()).run_id
    ports = bootstrap.ports(driver.settings, driver.records, driver.env.client, within=None)
    feed = open_feed(driver.records)
    feed.catch_up()  # closed: out of the board's scan, what identifies it kept past the live keys
    assert not [d for _, d in feed.documents.scan(LiveCases.name, below=LIVE_BELOW) if d["case_id"] == case.id]
    assert [k for k, d in feed.documents.scan(LiveCases.name) if d["case_id"] == case.id] == [CLOSED + str(case_stream(case.id))]
    await case.at("2027-03-01T10:00:00+00:00")  # an inspection, weeks after closure
    now = await case.clock.now()
    form = amendment_form(ports, RM, case.id, "closure_learning_review", 1, now)
    assert form.decisions == ("closure",) and "lessons" in form.values
    change = AmendStep(case.id, "closure_learning_review", 1, {"lessons": "seat-changing was avoidance, and so was the lounge"},
                       "the inspection found the lessons cut short", key="insp-1")
    first = await amend_step(ports, RM, change, now)
    again = await amend_step(ports, RM, change, now)  # sent again with its key: answered, not recorded twice
    assert (first.value, first.replayed, again.value, again.replayed) == (1, False, 1, True)
    [amended] = facts_of(driver, case.id, StepAmended)
    assert (amended.step, amended.decisions, amended.actor, amended.role) == (
        "closure_learning_review", ("closure",), "RM-5", "registered_manager")
    assert [(c.field, c.new) for c in amended.changes] == [("lessons", "seat-changing was avoidance, and so was the lounge")]
    opened = [r.fact for r in driver.records.stored_facts(case.id) if r.fact.type == "StepOpened"][-1]
    assert (opened.step, opened.occurrence, opened.role) == ("decision_review", 1, "quality_safeguarding_lead")
    assert not facts_of(driver, case.id, CaseRecovered)  # a correction is no recovery
    # the same id, a run of its own, still going while the review is open; the case stays closed
    desc = await case.handle.describe()
    assert desc.status == WorkflowExecutionStatus.RUNNING and desc.run_id != closed_run
    status = await case.status()
    assert status.status == "closed" and status.outcome == "substantiated"
    assert [(o.step, o.role) for o in status.open_steps] == [("decision_review", "quality_safeguarding_lead")]
    # the board shows the review (and only the review) of the closed case
    feed.catch_up()
    view = dashboard(feed.documents, now, driver.settings.calendar)
    [row] = [c for c in view["live_cases"] if c["case_id"] == case.id]
    assert row["status"] == "closed" and row["current_steps"] == ["decision_review"]
    assert [(d["step"], d["role"]) for d in view["deadlines"] if d["case_id"] == case.id] == [
        ("decision_review", "quality_safeguarding_lead")]

    # another correction while the review is open goes to the same run
    note = await amend_step(ports, RM, AmendStep(case.id, "closure_learning_review", 1, {"notes": "inspected 1 March"},
                                                   "the inspection's date belongs here"), now)
    assert note.value == 2 and (await case.handle.describe()).run_id == desc.run_id
    assert [o.occurrence for o in (await case.status()).open_steps] == [1, 2]

    # not reviewed within 2 working days: escalated one role up, as any step's deadline
    await case.at("2027-03-04T10:00:00+00:00")
    escalated = await reviews_escalated(driver, case.id, 2)
    assert [(e.occurrence, e.cause, e.from_role, e.to_role) for e in escalated] == [
        (1, "missed_deadline", "quality_safeguarding_lead", "operations_director"),
        (2, "missed_deadline", "quality_safeguarding_lead", "operations_director")]
    assert [(m.step, m.occurrence) for m in facts_of(driver, case.id, DeadlineMissed)] == [
        ("decision_review", 1), ("decision_review", 2)]

    # the closure's maker changes the outcome; the other review is confirmed; then the run ends
    later = await case.clock.now()
    await cases.complete_step(ports, QSL, cases.CompleteStep(case.id, "decision_review", {
        "decision_stands": "changed", "review_reason": "the lounge incident was not borne out",
        "new_substantiation_outcome": "unsubstantiated"}, occurrence=1), later)
    with pytest.raises(NotPermitted):  # a team leader cannot review the closure
        await cases.complete_step(ports, TL, cases.CompleteStep(case.id, "decision_review", {
            "decision_stands": "confirmed", "review_reason": "x"}, occurrence=2), later)
    await cases.complete_step(ports, OD, cases.CompleteStep(case.id, "decision_review", {  # escalated to them
        "decision_stands": "confirmed", "review_reason": "a note changes nothing"}, occurrence=2), later)
    reviewed = facts_of(driver, case.id, DecisionReviewed)
    assert [(r.amendment, r.decision, r.outcome, [(c.field, c.old, c.new) for c in r.changes]) for r in reviewed] == [
        (1, "closure", "changed", [("substantiation_outcome", "substantiated", "unsubstantiated")]), (2, "closure", "confirmed", [])]
    result = await driver.env.client.get_workflow_handle(case.id, run_id=desc.run_id).result()
    assert result["status"] == "closed" and result["outcome"] == "unsubstantiated"
    assert len(facts_of(driver, case.id, StepAmended)) == 2
    after = [r.fact for r in driver.records.stored_facts(case.id) if r.seq > amended_seq(driver, case.id)]
    assert {f.step for f in after if f.type in ("StepOpened", "StepCompleted")} == {"decision_review"}  # nothing reopened
    feed.catch_up()
    assert case.id not in {c["case_id"] for c in dashboard(feed.documents, later, driver.settings.calendar)["live_cases"]}
    assert not [d for _, d in feed.documents.scan(LiveCases.name, below=LIVE_BELOW) if d["case_id"] == case.id]
    live = dict(feed.documents.scan(LiveCases.name))
    feed.rebuild(LiveCases.name)  # folded as the facts came, or from zero: the same
    assert dict(feed.documents.scan(LiveCases.name)) == live


async def reviews_escalated(driver, case_id: str, n: int) -> list[Escalated]:
    """The reviews' escalations, once `n` are recorded (the run records them as the clock passes their deadline)."""
    for _ in range(200):
        found = [e for e in facts_of(driver, case_id, Escalated) if e.step == "decision_review"]
        if len(found) >= n:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{n} escalations of the reviews not recorded on {case_id}")


def amended_seq(driver, case_id: str) -> int:
    return next(r.seq for r in driver.records.stored_facts(case_id) if isinstance(r.fact, StepAmended))


async def test_a_closed_case_without_the_role_is_refused_and_no_run_starts(driver):
    case = await closed_case(driver, "CLOSED-2")
    ports = bootstrap.ports(driver.settings, driver.records, driver.env.client, within=None)
    before, closed_run = len(driver.records.stored_facts(case.id)), await last_run(driver, case.id)
    now = await case.clock.now()
    with pytest.raises(NotPermitted, match="Only the person who recorded this step"):
        await amend_step(ports, TL, AmendStep(case.id, "closure_learning_review", 1, {"lessons": "x"}, "x"), now)
    assert len(driver.records.stored_facts(case.id)) == before and await last_run(driver, case.id) == closed_run
    assert any(a.user_id == "TL-5" for a in ports.accounts.access_log(case_id=case.id) if a.action == "refused")
    # a record no decision rested on: corrected (as the CLI waits, within a bound), and its run ends at
    # once, nothing left open
    bounded = bootstrap.ports(driver.settings, driver.records, driver.env.client, within=timedelta(seconds=30))
    done = await amend_step(bounded, RM, AmendStep(case.id, "record_concern", 1, {"notes": "seen by the night staff"},
                                                 "left out"), now)
    run_id, _ = await last_run(driver, case.id)
    assert done.value == 1 and run_id != closed_run[0]
    result = await driver.env.client.get_workflow_handle(case.id, run_id=run_id).result()
    assert (result["status"], result["outcome"]) == ("closed", "substantiated")
    assert (await case.status()).open_steps == [] and (await case.status()).status == "closed"
    assert [f.type for f in (r.fact for r in driver.records.stored_facts(case.id))][before:] == ["StepAmended"]


async def test_a_correction_start_not_sealed_as_one_is_refused(driver):
    """A client of Temporal's own (no seal), or a recovery's seal on a correction's start: the case's
    first task refuses it, and nothing is recorded."""
    case = await closed_case(driver, "CLOSED-3")
    before = len(driver.records.stored_facts(case.id))
    key = sealing_key(driver.settings)
    start, running = await correction_start(driver.env.client, driver.settings, key, case.id,
                                            driver.records.stored_facts(case.id))
    assert start is not None and start.correction and not running
    forger = Client(**{**driver.env.client.config(), "interceptors": []})
    as_recovery = start.model_copy(update={"correction": False})
    lifted = start.model_copy(update={"seal": seal_of(key, case.id, RESTART, restart_body(as_recovery))})
    for forged in (start, lifted):
        handle = await forger.start_workflow(SafeguardingConcernWorkflow.run, forged, id=case.id,
                                             task_queue=driver.settings.task_queue,
                                             id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE)
        with pytest.raises(WorkflowFailureError):
            await handle.result()
    assert len(driver.records.stored_facts(case.id)) == before



# ---- the decisions alone (no Temporal) ------------------------------------------------------------


def test_a_closed_case_takes_corrections_and_their_reviews_and_nothing_else():
    """Closed with a trigger's escalation never acknowledged (its alert sent): a correction of the
    closure opens its review; the clock keeps the review's deadline and alerts only (the trigger's
    alert climbs no further); the outcome changed on review is the case's; other commands refused."""
    from domain.alerts import ALERTS
    from domain.case import Rejected, decide_alerts_adopted, decide_amendment, decide_clock, decide_note, pending_alerts
    from domain.concern import CaseNote, StepAmendment, StepCompletion
    from domain.facts import AlertRaised, AlertSent
    from tests.pure_case import StoryCase
    from tests.test_decider import case as pure_case

    c = pure_case()
    c._record(decide_alerts_adopted(c.state, ALERTS, c.now))
    asyncio.run(full_pathway(StoryCase(c)))
    assert c.state.status == "closed" and c.state.outcome == "substantiated"
    c._record([Escalated(at=c.now, escalation_id="E9", step="service_risk_review", occurrence=1, cause="trigger",
                         reason="x", from_role="team_leader", to_role="registered_manager"),
               AlertRaised(at=c.now, alert_id="E9.1", escalation_id="E9", rung=1, to_role="registered_manager",
                           acknowledge_by=c.now),
               AlertSent(at=c.now, alert_id="E9.1", user_id="RM-1", channel="email", via="smtp", reference="r")])
    with pytest.raises(Rejected, match="is closed"):
        decide_note(c.state, CaseNote(text="x", actor="RM-1", role="registered_manager"), c.now)
    with pytest.raises(Rejected, match="is closed"):
        c.complete("inform_family")
    c.at("2027-03-01T10:00:00+00:00")
    c._record(decide_amendment(c.state, StepAmendment(
        step="closure_learning_review", occurrence=1, changes={"lessons": "and the lounge"}, reason="cut short",
        actor="RM-1", role="registered_manager"), c.now))
    assert [(o.step, o.role) for o in c.state.open_steps] == [("decision_review", "quality_safeguarding_lead")]
    assert decide_clock(c.state, c.now) == []  # the trigger's alert, long unacknowledged, climbs no further
    assert pending_alerts(c.state) == []
    c.at("2027-03-04T10:00:00+00:00")  # the review's 2 working days passed
    after = [f for f in c.facts if f.at > at_("2027-03-01T10:00:00+00:00")]
    assert [(f.type, getattr(f, "step", None) or getattr(f, "escalation_id", None)) for f in after] == [
        ("DeadlineApproaching", "decision_review"), ("DeadlineMissed", "decision_review"),
        ("Escalated", "decision_review"), ("AlertRaised", "E2")]
    assert [a.alert_id for a in pending_alerts(c.state)] == ["decision_review.1.approaching", "E2.1"]
    c.send(StepCompletion(step="decision_review", occurrence=1, role="operations_director", actor="OD-1", record={
        "decision_stands": "changed", "review_reason": "not borne out", "new_substantiation_outcome": "undetermined"}))
    assert (c.state.status, c.state.outcome, c.state.open_steps) == ("closed", "undetermined", ())
    assert decide_clock(c.state, c.now) == [] and pending_alerts(c.state) == []


def at_(text: str):
    from datetime import datetime
    return datetime.fromisoformat(text)
