"""The case's decisions, tested as pure functions: no Temporal server, no store. Each test is a
rule of the pathway (001) or of the threshold tools, told through `PureCase`."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.case import Rejected, decide_clock, decide_completion, new_case, replay
from domain.case.policy import CasePolicy
from domain.concern import StepCompletion
from domain.deadlines import HolidaysNotCovered, HolidayTable
from domain.pathway import (
    CLOSURE_LEARNING_REVIEW,
    EXTERNAL_REFERRAL,
    LIVE_CASE_OVERSIGHT,
    PEER_RISK_REVIEW,
    RECORD_CONCERN,
    ROUTE_DECISION,
    SERIOUSNESS_ASSESSMENT,
    current_pathway,
)
from tests.cases import RECORDS, at
from tests.conftest import concern
from tests.pure_case import PureCase, policy_for

pytestmark = pytest.mark.unit

SERIOUS = {"impact": "significant", "intentional_harm": True, "weapon_or_object_used": True}
UTC = timezone.utc


def case(identified_at: str = "2027-01-12T09:30:00+00:00", **kw) -> PureCase:
    return PureCase(concern(identified_at, case_id="D-1"), **kw)


def types(facts) -> list[str]:
    return [f.type for f in facts]


def test_raising_records_the_concern_and_opens_the_fifteen_minute_record():
    c = case()
    raised, opened = c.facts
    assert (raised.type, raised.pathway_version, raised.holidays.source) == ("ConcernRaised", current_pathway().version, "holidays 0.108 GB-ENG")
    assert (opened.step, opened.role, opened.clock_from) == (RECORD_CONCERN.id, "senior_support_worker", raised.concern.identified_at)
    assert opened.due == datetime(2027, 1, 12, 9, 45, tzinfo=UTC) and opened.deadline == "within 15 minutes"


def test_a_missed_deadline_escalates_once_then_climbs_each_time_its_rule_elapses():
    c = case().at("2027-01-12T09:46:00+00:00")
    assert types(c.facts[2:]) == ["DeadlineMissed", "Escalated"]
    first = c.facts[3]
    assert (first.cause, first.from_role, first.to_role) == ("missed_deadline", "senior_support_worker", "team_leader")
    assert first.next_escalation_due == datetime(2027, 1, 12, 9, 45, tzinfo=UTC) + timedelta(minutes=15)
    c.at("2027-01-12T11:00:00+00:00")  # 15 minutes more, three times: up the chain, never down
    climbs = [(f.from_role, f.to_role) for f in c.facts if f.type == "Escalated" and f.step == RECORD_CONCERN.id]
    assert climbs == [("senior_support_worker", "team_leader"), ("team_leader", "registered_manager"),
                      ("registered_manager", "designated_safeguarding_lead"), ("designated_safeguarding_lead", "operations_director"),
                      ("operations_director", "nominated_individual")]
    assert c.types().count("DeadlineMissed") == 1
    before = len(c.facts)
    c.at("2027-01-20T11:00:00+00:00")  # at the top it stays open and overdue, in plain view
    assert not [f for f in c.facts[before:] if f.type == "Escalated" and f.step == RECORD_CONCERN.id]
    assert c.state.find_open(RECORD_CONCERN.id).can_complete[-1] == "nominated_individual"


def test_roles_steps_and_records_are_checked_and_a_rejection_changes_nothing():
    c = case()
    state = c.state
    for completion, message in [
        (dict(step=RECORD_CONCERN.id, role="team_leader"), "role team_leader cannot complete record_concern: it is for senior_support_worker"),
        (dict(step=PEER_RISK_REVIEW.id, role="team_leader"), "peer_risk_review is not yet available: it opens when record_concern is completed"),
        (dict(step="tea_break", role="team_leader"), "unknown step 'tea_break'"),
        (dict(step=EXTERNAL_REFERRAL.id, role="designated_safeguarding_lead"),
         "it opens when route_decision records external_threshold_met"),
    ]:
        with pytest.raises(Rejected, match=message):
            decide_completion(state, StepCompletion(actor="S-1", record={}, **completion), c.now)
    with pytest.raises(Rejected, match="missing field 'presentation'"):
        decide_completion(state, StepCompletion(step=RECORD_CONCERN.id, role="senior_support_worker", actor="S-1",
                                                record={**RECORDS[RECORD_CONCERN.id], "presentation": None}), c.now)
    assert c.state is state and c.state.seq == 2
    c.complete(RECORD_CONCERN.id)
    with pytest.raises(Rejected, match="record_concern is already done"):
        c.complete(RECORD_CONCERN.id)


def test_a_trigger_escalates_at_once_and_waits_for_acknowledgement_by_its_role():
    c = case().at("2027-01-12T09:40:00+00:00")
    c.complete(RECORD_CONCERN.id)
    facts = c.complete(PEER_RISK_REVIEW.id, source_still_has_access=True)
    (esc,) = [f for f in facts if f.type == "Escalated"]
    assert (esc.cause, esc.to_role, esc.reason) == ("trigger", "designated_safeguarding_lead", "live risk: the alleged source still has access")
    with pytest.raises(Rejected, match="was raised to designated_safeguarding_lead, not team_leader"):
        c.acknowledge(esc.escalation_id, "team_leader")
    c.acknowledge(esc.escalation_id, "designated_safeguarding_lead")
    assert c.state.escalations == ()


def test_two_high_risk_indicators_escalate_urgently():
    c = case().at("2027-01-12T09:40:00+00:00")
    c.complete(RECORD_CONCERN.id)
    facts = c.complete(ROUTE_DECISION.id, humiliation=True, coercion=True)
    assert [(f.to_role, f.reason) for f in facts if f.type == "Escalated"] == [
        ("operations_director", "urgent escalation: two or more high-risk indicators")]


def test_a_reportable_threshold_decision_opens_the_referral_and_needs_a_reason_to_route_below_it():
    c = case().at("2027-01-12T09:40:00+00:00")
    c.complete(RECORD_CONCERN.id)
    c.complete(ROUTE_DECISION.id, external_threshold_met=False)  # the DSL decided before the assessment
    assert c.state.find_open(EXTERNAL_REFERRAL.id) is None
    facts = c.complete(SERIOUSNESS_ASSESSMENT.id, facts=SERIOUS)
    filed = next(f for f in facts if f.type == "ThresholdDecisionFiled")
    assert (filed.decision.level, filed.decision.profile) == ("reportable", "sussex")
    referral = next(f for f in facts if f.type == "StepOpened" and f.step == EXTERNAL_REFERRAL.id)
    assert referral.reason.startswith("threshold decision reportable (sussex")


def test_the_route_below_a_reportable_decision_needs_an_override_reason():
    c = case().at("2027-01-12T09:40:00+00:00")
    c.complete(RECORD_CONCERN.id)
    c.complete(SERIOUSNESS_ASSESSMENT.id, facts=SERIOUS)
    with pytest.raises(Rejected, match="is reportable: record external_threshold_met true, or give override_reason"):
        c.complete(ROUTE_DECISION.id, external_threshold_met=False)
    facts = c.complete(ROUTE_DECISION.id, external_threshold_met=False, override_reason="police leading; LA agreed")
    (overridden,) = [f for f in facts if f.type == "ThresholdDecisionOverridden"]
    assert (overridden.tool_level, overridden.reason) == ("reportable", "police leading; LA agreed")


def test_the_seriousness_assessment_cannot_be_decided_without_the_tools_decision():
    c = case().at("2027-01-12T09:40:00+00:00")
    c.complete(RECORD_CONCERN.id)
    c_ = StepCompletion(step=SERIOUSNESS_ASSESSMENT.id, role="registered_manager", actor="R-1",
                        record=RECORDS[SERIOUSNESS_ASSESSMENT.id])
    with pytest.raises(ValueError, match="files a threshold decision"):
        decide_completion(c.state, c_, c.now, None)


def test_live_case_oversight_recurs_every_72_hours_whether_or_not_done():
    c = case().at("2027-01-12T09:40:00+00:00")
    c.complete(RECORD_CONCERN.id)
    c.at("2027-01-18T09:41:00+00:00")
    opened = [(f.occurrence, f.clock_from) for f in c.facts if f.type == "StepOpened" and f.step == LIVE_CASE_OVERSIGHT.id]
    start = datetime(2027, 1, 12, 9, 40, tzinfo=UTC)
    assert opened == [(1, start), (2, start + timedelta(hours=72)), (3, start + timedelta(hours=144))]


def test_follow_up_reviews_repeat_until_stabilised():
    c = case().at("2027-01-12T09:40:00+00:00")
    for step in ("record_concern", "route_decision", "external_referral", "follow_up_plan"):
        c.complete(step)
    c.at("2027-01-12T16:00:00+00:00")
    second = [f for f in c.complete("follow_up_review", stabilised=False) if f.type == "StepOpened"]
    assert [(f.occurrence, f.clock_from, f.reason) for f in second] == [
        (2, datetime(2027, 1, 12, 17, tzinfo=UTC), "follow_up_review not yet stabilised")]
    assert not [f for f in c.complete("follow_up_review", stabilised=True) if f.type == "StepOpened"]


def test_closure_withdraws_what_is_still_open_and_closes_with_the_outcome():
    c = case().at("2027-01-12T09:40:00+00:00")
    for step in ("record_concern", "route_decision", "conclude_case"):
        c.complete(step)
    facts = c.complete(CLOSURE_LEARNING_REVIEW.id, substantiation_outcome="undetermined")
    assert types(facts)[-1] == "CaseClosed" and facts[-1].outcome == "undetermined"
    assert {f.step for f in facts if f.type == "StepWithdrawn"} >= {"peer_risk_review", "live_case_oversight"}
    assert c.state.open_steps == () and c.state.status == "closed"
    assert decide_clock(c.state, c.now + timedelta(days=30)) == []
    with pytest.raises(Rejected, match="is closed"):
        c.development()


def test_deadlines_count_the_cases_own_holiday_table_not_todays_package():
    identified = datetime(2027, 3, 2, 15, 0, tzinfo=UTC)  # a Tuesday
    policy = policy_for(identified)
    invented = HolidayTable(source="a table with 3 March 2027 as a holiday", first_year=2027, last_year=2029,
                            dates=(*policy.holidays.dates, date(2027, 3, 3)))
    c = case(identified.isoformat(), policy=policy.with_holidays(invented)).at("2027-03-02T15:05:00+00:00")
    route = next(f for f in c.complete(RECORD_CONCERN.id) if f.type == "StepOpened" and f.step == ROUTE_DECISION.id)
    # 4 working hours from 15:05 on Tuesday: 1h55 on Tuesday, Wednesday is the table's holiday, 2h05 on Thursday
    assert route.due == datetime(2027, 3, 4, 11, 5, tzinfo=UTC) and route.holiday_table == invented.source


def test_a_holiday_table_that_no_longer_reaches_the_clock_is_asked_to_grow():
    policy = policy_for(datetime(2027, 1, 12, tzinfo=UTC))
    assert policy.holiday_years_needed(datetime(2028, 6, 1, tzinfo=UTC)) is None
    assert policy.holiday_years_needed(datetime(2029, 6, 1, tzinfo=UTC)) == (2027, 2031)
    with pytest.raises(HolidaysNotCovered, match="covers 2027-2029, not 2030"):
        policy.working_calendar.add_working_time(datetime(2030, 1, 2, tzinfo=UTC), timedelta(hours=1))
    assert isinstance(CasePolicy.model_validate(policy.model_dump()), CasePolicy)


def test_replaying_the_facts_gives_the_state_back():
    c = case().at("2027-01-12T09:50:00+00:00")
    c.complete(RECORD_CONCERN.id, role="team_leader")
    c.development("new_incident", "second incident")
    c.at("2027-01-16T12:00:00+00:00")
    assert replay(new_case(c.state.case_id, c.state.concern, c.policy), c.facts) == c.state


def _protection_in_place(c: PureCase) -> None:
    for step in ("record_concern", "seriousness_assessment", "protection_plan"):
        c.complete(step)


@pytest.mark.parametrize("step, flag, to_role, reason", [
    ("pattern_impact_review", "source_targeted_others_before", "operations_director", "repeated targeting: immediate senior review"),
    ("service_risk_review", "more_than_one_adult_affected", "nominated_individual", "wider exposure: more than one adult may be affected"),
    ("live_case_oversight", "unresolved_targeting_risk", "nominated_individual", "open risk beyond agreed protective timescales"),
    ("live_case_oversight", "overdue_protective_actions", "nominated_individual", "open risk beyond agreed protective timescales"),
    ("live_case_oversight", "supervision_weak", "nominated_individual", "open risk beyond agreed protective timescales"),
])
def test_every_trigger_of_the_pathway_escalates_on_its_flag_and_only_then(step, flag, to_role, reason):
    """001 example 2 steps 3-4 and example 3 step 4: each trigger, with its flag set and not set."""
    for raised in (True, False):
        c = case().at("2027-01-12T09:40:00+00:00")
        _protection_in_place(c)
        if step == "service_risk_review":
            c.complete("pattern_impact_review")
        facts = c.complete(step, **{flag: raised})
        escalations = [(f.to_role, f.reason) for f in facts if f.type == "Escalated"]
        assert escalations == ([(to_role, reason)] if raised else [])


def test_done_at_the_due_instant_is_on_time_and_a_second_later_is_late():
    c = case()
    due = c.state.find_open(RECORD_CONCERN.id).due
    done = StepCompletion(step=RECORD_CONCERN.id, role="senior_support_worker", actor="S-1", record=RECORDS[RECORD_CONCERN.id])
    assert decide_completion(c.state, done, due)[0].on_time is True
    assert decide_completion(c.state, done, due + timedelta(seconds=1))[0].on_time is False


def test_a_lost_attempts_facts_record_the_same_request_apart_from_their_instant():
    from domain.case import recorded_as_decided

    case = PureCase(concern("2027-01-12T09:30:00+00:00"))
    decided = decide_completion(case.state, StepCompletion(step="record_concern", role="senior_support_worker", actor="S-1",
                                                            record=RECORDS["record_concern"]), at("2027-01-12T09:40:00+00:00"))
    earlier = [f.model_copy(update={"at": f.at - timedelta(seconds=1)}) for f in decided]
    assert recorded_as_decided(decided, earlier)
    assert not recorded_as_decided(decided, [earlier[0].model_copy(update={"actor": "S-2"}), *earlier[1:]])
    assert not recorded_as_decided(decided, [earlier[0].model_copy(update={"record": {}}), *earlier[1:]])
    assert not recorded_as_decided(decided, [])


def test_a_development_sent_again_with_its_request_id_records_nothing_more():
    from domain.case import decide_development
    from domain.concern import Development

    case = PureCase(concern("2027-01-12T09:30:00+00:00")).at("2027-01-12T09:35:00+00:00")
    case.complete("record_concern")
    sent = Development(kind="agency_contact", summary="LA hub called back", request_id="U-1:k1")
    first = case._record(decide_development(case.state, sent, at("2027-01-12T09:40:00+00:00")))
    assert first[0].request_id == "U-1:k1" and case.state.development_requests == {"U-1:k1": 1}
    assert decide_development(case.state, sent, at("2027-01-12T09:41:00+00:00")) == []
    other = decide_development(case.state, sent.model_copy(update={"request_id": "U-1:k2"}), at("2027-01-12T09:41:00+00:00"))
    assert other[0].development == 2
    assert decide_development(case.state, sent.model_copy(update={"request_id": None}), at("2027-01-12T09:41:00+00:00"))
