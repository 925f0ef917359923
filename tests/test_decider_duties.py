"""000's duties still missing before pathway 2026.12.2 (issue 19 §3), as pure decisions: informing
the adult's family or representative (line 49), the alleged source's views where they may lack
capacity (line 23), and a reason for an intervention left off the care plan (line 47). Each
refusal cites its line."""

from __future__ import annotations

import pytest

from domain.case import Rejected
from domain.pathway import CAPACITY_AND_ADVOCACY, INFORM_FAMILY, INTERVENTION_PLAN, SERIOUSNESS_ASSESSMENT, current_pathway
from tests.test_decider_person import NON_REPORTABLE, case, open_steps

pytestmark = pytest.mark.unit


def assessed(**assessment):
    c = case().at("2027-01-12T10:00:00+00:00")
    c.complete(SERIOUSNESS_ASSESSMENT.id, **assessment)
    return c


def test_informing_the_family_is_a_tracked_step_with_the_reason_when_not_done():
    assert INFORM_FAMILY in current_pathway().steps and INFORM_FAMILY.seed.startswith("000 procedure 4 (line 49)")
    c = assessed()
    opened = c.state.find_open(INFORM_FAMILY.id)
    assert opened is not None and opened.role == "registered_manager" and opened.deadline == "within 1 working day"
    with pytest.raises(Rejected, match="record why the adult's family or representative was not informed"):
        c.complete(INFORM_FAMILY.id, family_informed=False, who_was_informed=None, informed_at=None)
    with pytest.raises(Rejected, match="record who was informed and when"):
        c.complete(INFORM_FAMILY.id, who_was_informed=None)
    c.complete(INFORM_FAMILY.id, family_informed=False, who_was_informed=None, informed_at=None,
               not_informed_reason="the adult, who has capacity, asked that her son is not told")
    assert INFORM_FAMILY.id not in open_steps(c)


def test_not_informed_in_time_escalates_like_any_step():
    c = assessed().at("2027-01-13T10:01:00+00:00")
    assert [f.to_role for f in c.facts if f.type == "Escalated" and f.step == INFORM_FAMILY.id] == ["designated_safeguarding_lead"]


def test_the_sources_views_are_recorded_when_they_may_lack_capacity():
    c = assessed()
    with pytest.raises(Rejected, match="000 line 23: the alleged source may lack capacity: record their experiences and views"):
        c.complete(CAPACITY_AND_ADVOCACY.id, source_may_lack_capacity=True, advocate_arranged=True)
    c.complete(CAPACITY_AND_ADVOCACY.id, source_may_lack_capacity=True, advocate_arranged=True,
               source_views="with his advocate: he says she takes his seat; he wants his own chair")
    assert CAPACITY_AND_ADVOCACY.id not in open_steps(c)


def test_an_intervention_left_off_the_care_plan_needs_a_reason():
    c = assessed(**NON_REPORTABLE)
    with pytest.raises(Rejected, match="000 line 47 puts the actions on the person's care or support plan: record why they are not"):
        c.complete(INTERVENTION_PLAN.id, added_to_care_plan=False)
    c.complete(INTERVENTION_PLAN.id, added_to_care_plan=False, not_on_care_plan_reason="care plan review booked for Friday; "
                                                                                     "actions in the handover meanwhile")
    assert INTERVENTION_PLAN.id not in open_steps(c)


def test_a_records_instants_keep_the_cases_order():
    """Found by a trial: the local authority's dates decide the national return's year, and were
    checked only against now. From pathway 2026.12.2 none is before the concern was identified,
    the referral is received after it was made, decided after it was received, and an enquiry
    concludes after it was decided on."""
    c = assessed()
    c.complete("route_decision")
    with pytest.raises(Rejected, match=r"referred_at \(2027-01-11T09:00:00\+00:00\) is before the concern was identified"):
        c.complete("external_referral", referred_at="2027-01-11T09:00:00+00:00")
    c.complete("external_referral", referred_at="2027-01-12T10:00:00+00:00")
    c.at("2027-01-13T12:00:00+00:00")
    with pytest.raises(Rejected, match="the local authority cannot receive the referral before it was made"):
        c.complete("la_response", referral_received_at="2027-01-12T09:50:00+00:00", la_decided_at="2027-01-12T11:00:00+00:00")
    with pytest.raises(Rejected, match="the local authority decides after it receives the referral"):
        c.complete("la_response", referral_received_at="2027-01-12T11:00:00+00:00", la_decided_at="2027-01-12T10:30:00+00:00")
    c.complete("la_response", referral_received_at="2027-01-12T11:00:00+00:00", la_decided_at="2027-01-13T11:00:00+00:00")
    with pytest.raises(Rejected, match="an enquiry concludes after the local authority decided to make it"):
        c.complete("la_enquiry_outcome", enquiry_concluded_at="2027-01-13T10:00:00+00:00")
    c.complete("la_enquiry_outcome", enquiry_concluded_at="2027-01-13T11:30:00+00:00")


@pytest.mark.parametrize("filler", ["n/a", "None", " unknown "])
def test_a_word_that_says_nothing_does_not_answer_what_a_requirement_asks(filler):
    c = assessed()
    with pytest.raises(Rejected, match="source_views says .* which does not answer it: 000 line 23"):
        c.complete(CAPACITY_AND_ADVOCACY.id, source_may_lack_capacity=True, advocate_arranged=True, source_views=filler)
