"""The person at the centre and the duty to notify (issue 12, pathway 2026.12.1), as pure decisions:
views and wishes, capacity and advocacy, mutual harm and mediation, the lower-level route, the
notifications as tracked steps. No server: each test is a rule told through `PureCase`."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.case import Rejected
from domain.pathway import (
    CAPACITY_AND_ADVOCACY,
    CLOSURE_LEARNING_REVIEW,
    INTERVENTION_PLAN,
    INTERVENTION_REVIEW,
    LA_CONSULTATION,
    MEDIATION,
    NOTIFY_CHILDRENS_SERVICES,
    NOTIFY_EMERGENCY_SERVICES,
    NOTIFY_POLICE,
    NOTIFY_REGULATOR,
    PEER_RISK_REVIEW,
    RECORD_CONCERN,
    SERIOUSNESS_ASSESSMENT,
    SOURCE_PROTECTION_PLAN,
    VIEWS_AND_WISHES,
    current_pathway,
)
from domain.policy import AfterStep, OnThresholdDecision
from tests.conftest import concern
from tests.pure_case import PureCase

pytestmark = pytest.mark.unit

UTC = timezone.utc
NON_REPORTABLE = dict(facts={"impact": "none", "mutual_dislike_no_abuse": True}, frequency_of_similar_incidents=0,
                      power_imbalance="none", fear_or_avoidance=False)
CONSULTATION = dict(facts={"impact": "some"}, frequency_of_similar_incidents=1, power_imbalance="some", fear_or_avoidance=False)


def case() -> PureCase:
    c = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="P-1"))  # a Tuesday
    c.at("2027-01-12T09:40:00+00:00").complete(RECORD_CONCERN.id)
    return c


def open_steps(c: PureCase) -> set[str]:
    return {o.step for o in c.state.open_steps}


def test_every_new_step_cites_its_source():
    new = {VIEWS_AND_WISHES, CAPACITY_AND_ADVOCACY, SOURCE_PROTECTION_PLAN, MEDIATION, LA_CONSULTATION, INTERVENTION_PLAN,
           INTERVENTION_REVIEW, NOTIFY_POLICE, NOTIFY_EMERGENCY_SERVICES, NOTIFY_CHILDRENS_SERVICES, NOTIFY_REGULATOR}
    for step in new:
        assert step in current_pathway().steps
        assert step.seed.startswith(("000 ", "002 ", "Care Quality Commission")), step.id


# ---- views and wishes, capacity and advocacy -----------------------------------------------


def test_an_adult_who_cannot_be_asked_capacity_in_doubt_with_an_advocate():
    c = case().at("2027-01-12T10:00:00+00:00")
    c.complete(SERIOUSNESS_ASSESSMENT.id)
    assert {VIEWS_AND_WISHES.id, CAPACITY_AND_ADVOCACY.id} <= open_steps(c)
    views = next(o for o in c.state.open_steps if o.step == VIEWS_AND_WISHES.id)
    plan = next(o for o in c.state.open_steps if o.step == "protection_plan")
    assert views.due == plan.due == datetime(2027, 1, 12, 11, 0, tzinfo=UTC)  # asked by the protection plan
    assert views.role == "registered_manager"

    in_doubt = dict(adult_may_lack_capacity=True)
    with pytest.raises(Rejected, match="record whether an independent advocate was arranged"):
        c.complete(CAPACITY_AND_ADVOCACY.id, **in_doubt)
    with pytest.raises(Rejected, match="no advocate was arranged: record why not"):
        c.complete(CAPACITY_AND_ADVOCACY.id, **in_doubt, advocate_arranged=False)
    c.complete(CAPACITY_AND_ADVOCACY.id, **in_doubt, advocate_arranged=True)

    with pytest.raises(Rejected, match="record why the adult at risk could not be asked"):
        c.complete(VIEWS_AND_WISHES.id, asked_about_outcomes="no_lacked_capacity", outcomes_expressed=None)
    done = c.complete(VIEWS_AND_WISHES.id, asked_about_outcomes="no_lacked_capacity", outcomes_expressed=None,
                      not_asked_reason="advanced dementia; IMCA appointed to represent her")
    assert done[0].on_time is True and done[0].record["asked_about_outcomes"] == "no_lacked_capacity"


def test_capacity_not_in_doubt_needs_no_advocate_record():
    c = case()
    c.complete(SERIOUSNESS_ASSESSMENT.id)
    c.complete(CAPACITY_AND_ADVOCACY.id)  # neither adult's capacity in doubt
    assert CAPACITY_AND_ADVOCACY.id in c.state.completed


def test_views_not_asked_in_time_escalate_like_any_step():
    c = case()
    c.complete(SERIOUSNESS_ASSESSMENT.id)
    c.at("2027-01-12T11:01:00+00:00")
    missed = [f for f in c.facts if f.type == "DeadlineMissed" and f.step == VIEWS_AND_WISHES.id]
    escalated = [f for f in c.facts if f.type == "Escalated" and f.step == VIEWS_AND_WISHES.id]
    assert len(missed) == 1 and escalated[0].to_role == "designated_safeguarding_lead"


def closed(c: PureCase, **closure) -> None:
    c.complete("route_decision")
    c.complete("conclude_case")
    c.complete(CLOSURE_LEARNING_REVIEW.id, **closure)


def test_outcomes_expressed_must_be_reported_at_closure_as_achieved_or_not():
    c = case()
    c.complete(SERIOUSNESS_ASSESSMENT.id)
    with pytest.raises(Rejected, match="record what the adult at risk expressed"):
        c.complete(VIEWS_AND_WISHES.id, outcomes_expressed=None)
    c.complete(VIEWS_AND_WISHES.id)  # expressed "to feel safe in the lounge"
    with pytest.raises(Rejected, match="record whether they were achieved"):
        closed(c, outcomes_achieved=None)
    c.complete(CLOSURE_LEARNING_REVIEW.id, outcomes_achieved="partially")
    assert c.state.status == "closed" and c.state.completed[CLOSURE_LEARNING_REVIEW.id].record["outcomes_achieved"] == "partially"


def test_a_risk_that_remains_at_closure_needs_its_reason():
    c = case()
    with pytest.raises(Rejected, match="the risk remains: record why"):
        closed(c, risk_outcome="remains")
    c.complete(CLOSURE_LEARNING_REVIEW.id, risk_outcome="remains", risk_remains_reason="both adults choose to share the lounge")
    assert c.state.status == "closed"


# ---- mutual harm -------------------------------------------------------------------------


def test_a_mutual_harm_case_tracks_both_adults_and_records_mediation():
    c = case()
    c.complete(PEER_RISK_REVIEW.id)
    assert SOURCE_PROTECTION_PLAN.id not in open_steps(c)  # the source is not an adult at risk here
    c = case()
    c.complete(PEER_RISK_REVIEW.id, source_also_adult_at_risk=True)
    assert SOURCE_PROTECTION_PLAN.id in open_steps(c)
    c.complete(SOURCE_PROTECTION_PLAN.id)
    assert MEDIATION.id in open_steps(c)
    with pytest.raises(Rejected, match="record who provided it and its outcome"):
        c.complete(MEDIATION.id, mediation_outcome=None)
    with pytest.raises(Rejected, match="mediation was not offered: record why not"):
        c.complete(MEDIATION.id, mediation_offered=False, mediation_by=None, mediation_outcome=None)
    c.at("2027-01-15T10:00:00+00:00")
    done = c.complete(MEDIATION.id, mediation_by="outside_agency", mediation_outcome="agreed separate activity times")
    assert done[0].on_time is True


# ---- the lower-level route ---------------------------------------------------------------


def test_a_non_reportable_case_runs_its_intervention_plan_until_no_longer_needed():
    c = case()
    c.complete(SERIOUSNESS_ASSESSMENT.id, **NON_REPORTABLE)
    assert c.state.threshold_decision.level == "non_reportable"
    assert INTERVENTION_PLAN.id in open_steps(c) and LA_CONSULTATION.id not in open_steps(c)
    with pytest.raises(Rejected, match="review_interval_days must be 1 or more working days"):
        c.complete(INTERVENTION_PLAN.id, review_interval_days=0)
    c.at("2027-01-12T14:00:00+00:00").complete(INTERVENTION_PLAN.id, review_interval_days=2)
    review = c.state.find_open(INTERVENTION_REVIEW.id)
    assert review.deadline == "within 2 working days"  # the interval the plan recorded
    assert review.due == datetime(2027, 1, 14, 14, 0, tzinfo=UTC)
    c.at("2027-01-14T12:00:00+00:00").complete(INTERVENTION_REVIEW.id, no_longer_needed=False, review="one more taunt")
    second = c.state.find_open(INTERVENTION_REVIEW.id)
    assert second.occurrence == 2 and second.due == datetime(2027, 1, 18, 14, 0, tzinfo=UTC)  # two working days after the last due
    c.at("2027-01-18T17:00:00+00:00")  # missed: escalated like any step
    assert [f.to_role for f in c.facts if f.type == "Escalated" and f.step == INTERVENTION_REVIEW.id] == ["designated_safeguarding_lead"]
    c.complete(INTERVENTION_REVIEW.id, no_longer_needed=True, role="designated_safeguarding_lead")
    assert c.state.find_open(INTERVENTION_REVIEW.id) is None and c.state.occurrences[INTERVENTION_REVIEW.id] == 2


def test_a_consultation_level_case_records_the_la_consultation_and_a_plan():
    c = case()
    c.complete(SERIOUSNESS_ASSESSMENT.id, **CONSULTATION)
    assert c.state.threshold_decision.level == "consultation"
    assert {LA_CONSULTATION.id, INTERVENTION_PLAN.id} <= open_steps(c)
    c.at("2027-01-12T12:00:00+00:00")
    with pytest.raises(Rejected, match="missing field 'advice'"):
        c.complete(LA_CONSULTATION.id, advice=None)
    done = c.complete(LA_CONSULTATION.id)
    assert done[0].record["decision"] == "lower_level_plan" and done[0].record["consulted"]
    assert done[0].on_time is True


def test_a_reportable_case_opens_no_lower_level_route():
    c = case()
    c.complete(SERIOUSNESS_ASSESSMENT.id)
    assert c.state.threshold_decision.level == "reportable"
    assert not {LA_CONSULTATION.id, INTERVENTION_PLAN.id} & open_steps(c)


# ---- notifications -----------------------------------------------------------------------


def test_a_required_police_notification_missed_then_escalated():
    c = case()
    c.at("2027-01-12T10:00:00+00:00").complete(SERIOUSNESS_ASSESSMENT.id, facts={"crime_indicated": True, "impact": "significant"})
    assert c.state.threshold_decision.required_notifications == ["police"]
    police = c.state.find_open(NOTIFY_POLICE.id)
    assert (police.role, police.due) == ("designated_safeguarding_lead", datetime(2027, 1, 12, 11, 0, tzinfo=UTC))
    assert not {NOTIFY_EMERGENCY_SERVICES.id, NOTIFY_CHILDRENS_SERVICES.id} & open_steps(c)
    c.at("2027-01-12T11:05:00+00:00")
    assert [f.step for f in c.facts if f.type == "DeadlineMissed"].count(NOTIFY_POLICE.id) == 1
    (esc,) = [f for f in c.facts if f.type == "Escalated" and f.step == NOTIFY_POLICE.id]
    assert (esc.cause, esc.to_role) == ("missed_deadline", "operations_director")
    with pytest.raises(Rejected, match="missing field 'reference'"):
        c.complete(NOTIFY_POLICE.id, reference=None, role="operations_director")
    done = c.complete(NOTIFY_POLICE.id, role="operations_director", contacted_at="2027-01-12T11:04:00+00:00")
    assert done[0].on_time is False and c.state.find_open(NOTIFY_POLICE.id) is None


def test_each_required_notification_is_its_own_step():
    c = case()
    c.complete(SERIOUSNESS_ASSESSMENT.id, facts={"immediate_danger": True, "children_at_risk": True, "crime_indicated": True})
    assert {NOTIFY_POLICE.id, NOTIFY_EMERGENCY_SERVICES.id, NOTIFY_CHILDRENS_SERVICES.id} <= open_steps(c)
    for step in (NOTIFY_POLICE, NOTIFY_EMERGENCY_SERVICES, NOTIFY_CHILDRENS_SERVICES):
        assert isinstance(step.opens, OnThresholdDecision) and step.opens.notification


def test_the_regulator_notified_on_time_the_same_working_day():
    c = case()
    cqc = c.state.find_open(NOTIFY_REGULATOR.id)
    assert isinstance(NOTIFY_REGULATOR.opens, AfterStep) and NOTIFY_REGULATOR.opens.step == RECORD_CONCERN.id
    assert cqc.deadline == "by the end of the working day" and cqc.due.date() == datetime(2027, 1, 12).date()
    with pytest.raises(Rejected, match="missing field 'source_reference'"):
        c.complete(NOTIFY_REGULATOR.id, source_reference=None)
    done = c.at("2027-01-12T15:00:00+00:00").complete(NOTIFY_REGULATOR.id)
    assert done[0].on_time is True
    assert done[0].record["reference"] == "CQC-INC-1" and done[0].record["source_reference"] == "CQC-INC-2"


def test_the_regulator_deadline_is_configurable_as_data():
    from domain.deadlines import WorkingHours

    pathway = current_pathway().with_deadline(NOTIFY_REGULATOR.id, WorkingHours(hours=2))
    assert pathway.step(NOTIFY_REGULATOR.id).deadline.describe() == "within 2 working hours"
    assert current_pathway().step(NOTIFY_REGULATOR.id).deadline.describe() == "by the end of the working day"
    with pytest.raises(ValueError, match="unknown step"):
        current_pathway().with_deadline("notify_the_press", WorkingHours(hours=2))


def test_the_la_asking_for_a_formal_concern_opens_the_external_referral():
    c = case()
    c.complete("route_decision", external_threshold_met=False)  # decided before the assessment
    c.complete(SERIOUSNESS_ASSESSMENT.id, **CONSULTATION)
    assert "external_referral" not in open_steps(c)
    c.at("2027-01-12T12:00:00+00:00").complete(LA_CONSULTATION.id, decision="raise_safeguarding_concern",
                                                advice="raise a formal safeguarding concern")
    referral = c.state.find_open("external_referral")
    assert referral is not None and referral.due == datetime(2027, 1, 13, 12, 0, tzinfo=UTC)  # 24 hours
