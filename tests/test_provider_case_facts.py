"""What a provider-concern process reads from the service's cases (004 line 125): the local
authority's section 42 enquiry, as the case records it, reaches the commissioner record the
process decides on. Pure: the read model's fold of one case document."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.commissioning import LA_DECISION_STEPS, SECTION_42_DECISIONS, ConcernFacts
from projections.commissioner import _step_completed

pytestmark = pytest.mark.unit


def _case() -> dict:
    return ConcernFacts(case_id="SG-1", raised_at=datetime(2027, 1, 12, tzinfo=timezone.utc), adult_at_risk="A-1",
                        alleged_source="A-2").model_dump(mode="json", exclude={"mutual_harm", "section_42"})


@pytest.mark.parametrize("step", sorted(LA_DECISION_STEPS))
def test_the_local_authoritys_section_42_decision_is_held_on_the_case(step):
    case = _case()
    assert ConcernFacts.model_validate(case).section_42 is False  # documents folded before it read as none
    _step_completed(case, step, {LA_DECISION_STEPS[step]: "other_enquiry"})
    assert ConcernFacts.model_validate(case).section_42 is False
    _step_completed(case, step, {LA_DECISION_STEPS[step]: SECTION_42_DECISIONS[0]})
    assert ConcernFacts.model_validate(case).section_42 is True
