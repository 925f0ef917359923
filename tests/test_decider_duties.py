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
