"""Issue 12 end to end on the time-skipping server: the person at the centre and the duty to
notify, told as whole cases through the workflow and the event store (pathway 2026.12.1)."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.pathway import (
    CAPACITY_AND_ADVOCACY,
    INTERVENTION_PLAN,
    INTERVENTION_REVIEW,
    LA_CONSULTATION,
    MEDIATION,
    NOTIFY_POLICE,
    NOTIFY_REGULATOR,
    SOURCE_PROTECTION_PLAN,
    VIEWS_AND_WISHES,
)
from tests.conftest import concern
from tests.test_decider_person import CONSULTATION, NON_REPORTABLE


async def raised(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:40:00+00:00")
    await case.complete("record_concern")
    return case


async def rejected(coro) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await coro
    return str(e.value.cause)


async def close(case, **closure):
    await case.complete("route_decision", external_threshold_met=False, override_reason=None)
    await case.complete("conclude_case")
    return await case.complete("closure_learning_review", **closure)


async def test_an_adult_who_cannot_be_asked_with_capacity_in_doubt_and_an_advocate(driver):
    case = await raised(driver)
    await case.complete("seriousness_assessment", **NON_REPORTABLE)
    await case.at("2027-01-12T10:30:00+00:00")
    why = await rejected(case.complete(CAPACITY_AND_ADVOCACY.id, adult_may_lack_capacity=True))
    assert "record whether an independent advocate was arranged" in why
    await case.complete(CAPACITY_AND_ADVOCACY.id, adult_may_lack_capacity=True, advocate_arranged=True)
    receipt = await case.complete(VIEWS_AND_WISHES.id, asked_about_outcomes="no_lacked_capacity", outcomes_expressed=None,
                                  not_asked_reason="cannot weigh the options today; IMCA to represent her views")
    assert receipt.on_time is True
    await close(case, outcomes_achieved=None)  # nothing was expressed, so nothing to report achieved
    recorded = case.step(CAPACITY_AND_ADVOCACY.id)
    assert recorded["completed_at"] and (await case.status()).status == "closed"
    stored = [f.fact for f in case.facts() if f.type == "StepCompleted" and f.fact.step == CAPACITY_AND_ADVOCACY.id]
    assert stored[0].record["advocate_arranged"] is True


async def test_a_mutual_harm_case_with_mediation(driver):
    case = await raised(driver)
    receipt = await case.complete("peer_risk_review", source_also_adult_at_risk=True)
    assert f"{SOURCE_PROTECTION_PLAN.id}#1" in receipt.opened
    receipt = await case.complete(SOURCE_PROTECTION_PLAN.id)
    assert f"{MEDIATION.id}#1" in receipt.opened
    await case.at("2027-01-19T10:00:00+00:00")
    assert "record who provided it" in await rejected(case.complete(MEDIATION.id, mediation_by=None))
    receipt = await case.complete(MEDIATION.id, mediation_by="outside_agency", mediation_outcome="agreed separate lounge times")
    assert receipt.on_time is True
    assert case.step(MEDIATION.id)["completed_at"] == "2027-01-19T10:00:00Z"


async def test_a_non_reportable_case_through_its_intervention_plan_to_no_longer_needed(driver):
    case = await raised(driver)
    receipt = await case.complete("seriousness_assessment", **NON_REPORTABLE)
    assert f"{INTERVENTION_PLAN.id}#1" in receipt.opened and f"{LA_CONSULTATION.id}#1" not in receipt.opened
    await case.at("2027-01-12T14:00:00+00:00")
    await case.complete(INTERVENTION_PLAN.id, review_interval_days=3)
    assert case.step(INTERVENTION_REVIEW.id)["due"] == "2027-01-15T14:00:00Z"  # the plan's interval: 3 working days
    await case.at("2027-01-15T11:00:00+00:00")
    await case.complete(INTERVENTION_REVIEW.id, no_longer_needed=False, review="still some taunting at meals")
    assert case.step(INTERVENTION_REVIEW.id, 2)["due"] == "2027-01-20T14:00:00Z"  # three working days after the last due
    await case.at("2027-01-20T10:00:00+00:00")
    receipt = await case.complete(INTERVENTION_REVIEW.id, no_longer_needed=True)
    assert receipt.opened == [] and receipt.on_time is True
    assert INTERVENTION_REVIEW.id not in {s.step for s in (await case.status()).open_steps}
    missed = {f.fact.step for f in case.facts() if f.type == "DeadlineMissed"}
    assert not missed & {INTERVENTION_PLAN.id, INTERVENTION_REVIEW.id}


async def test_a_consultation_level_case(driver):
    case = await raised(driver)
    receipt = await case.complete("seriousness_assessment", **CONSULTATION)
    assert {f"{LA_CONSULTATION.id}#1", f"{INTERVENTION_PLAN.id}#1"} <= set(receipt.opened)
    await case.at("2027-01-12T12:00:00+00:00")
    receipt = await case.complete(LA_CONSULTATION.id, advice="keep a plan, review weekly, re-consult if repeated")
    assert receipt.on_time is True
    done = [f.fact for f in case.facts() if f.type == "StepCompleted" and f.fact.step == LA_CONSULTATION.id][0]
    assert {k: done.record[k] for k in ("consulted", "consulted_at", "decision")} == {
        "consulted": "LA Adult Social Care duty desk", "consulted_at": "2027-01-12T11:30:00+00:00", "decision": "lower_level_plan"}
    filed = [f.fact for f in case.facts() if f.type == "ThresholdDecisionFiled"][0]
    assert filed.decision.level == "consultation"


async def test_a_police_notification_required_and_missed_then_escalated(driver):
    case = await raised(driver)
    await case.at("2027-01-12T10:00:00+00:00")
    receipt = await case.complete("seriousness_assessment", facts={"crime_indicated": True, "impact": "significant"})
    assert f"{NOTIFY_POLICE.id}#1" in receipt.opened
    await case.at("2027-01-12T11:30:00+00:00")  # due 11:00
    escalated = [e for e in case.escalations() if e["step"] == NOTIFY_POLICE.id]
    assert [(e["cause"], e["to_role"]) for e in escalated] == [("missed_deadline", "operations_director")]
    assert "DeadlineMissed" in case.types()
    receipt = await case.complete(NOTIFY_POLICE.id, role="operations_director", contacted_at="2027-01-12T11:20:00+00:00")
    assert receipt.on_time is False
    assert case.step(NOTIFY_POLICE.id)["completed_by"]


async def test_the_regulator_notified_on_time(driver):
    case = await raised(driver)
    assert case.step(NOTIFY_REGULATOR.id)["due"] == "2027-01-12T17:00:00Z"
    await case.at("2027-01-12T14:00:00+00:00")
    receipt = await case.complete(NOTIFY_REGULATOR.id)
    assert receipt.on_time is True
    assert not [e for e in case.escalations() if e["step"] == NOTIFY_REGULATOR.id]


@pytest.mark.unit
def test_a_configured_regulator_deadline_is_recorded_with_each_case_raised_under_it(records, settings):
    from activities.case_activities import CaseActivities
    from activities.models import OpenCase
    from configuration.settings import Settings
    from domain.case.policy import policy_from_text
    from domain.concern import ConcernBody
    from domain.deadlines import WorkingHours
    from domain.seal import seal_of
    from encryption.seal import START, sealing_key
    from tests.pure_case import PureCase

    configured = Settings(**{**settings.model_dump(), "step_deadlines": {NOTIFY_REGULATOR.id: {"kind": "working_hours", "hours": 2}}})
    body = ConcernBody.model_validate(concern("2027-01-12T09:30:00+00:00", case_id="CFG-1"))
    seal = seal_of(sealing_key(configured), "CFG-1", START, body)  # as Safeguard's client seals a case's start
    opened = CaseActivities(records, configured).open_case(OpenCase(case_id="CFG-1", concern=body, at=body.identified_at,
                                                                    last_year=2029, seal=seal))
    policy = policy_from_text(opened.policy)
    assert policy.pathway.step(NOTIFY_REGULATOR.id).deadline == WorkingHours(hours=2)
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="CFG-2"), policy=policy)
    case.at("2027-01-12T09:40:00+00:00").complete("record_concern")
    assert case.state.find_open(NOTIFY_REGULATOR.id).due.isoformat() == "2027-01-12T11:40:00+00:00"
    with pytest.raises(ValueError, match="names steps the pathway does not have: notify_press"):
        Settings(step_deadlines={"notify_press": {"kind": "working_hours", "hours": 2}})
