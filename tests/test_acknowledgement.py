"""Trigger escalations stay outstanding until the role they were raised to acknowledges them;
deadline escalations end only when the step is done."""

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.concern import Acknowledgement
from tests.conftest import concern
from workflows.concern import SafeguardingConcernWorkflow


async def acknowledge(case, escalation_id, role):
    await case.handle.execute_update(SafeguardingConcernWorkflow.acknowledge_escalation,
                                     Acknowledgement(escalation_id=escalation_id, role=role, actor="X-1", note="seen"))


async def test_live_risk_escalation_is_acknowledged_by_the_dsl(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:50:00+00:00")  # record_concern missed at 09:45: E1 to team_leader
    await case.complete("record_concern", role="team_leader")
    await case.complete("peer_risk_review", source_still_has_access=True)  # E2: live risk to the DSL
    ids = {e.escalation_id: e for e in (await case.status()).escalations}
    assert list(ids) == ["E2"] and ids["E2"].to_role == "designated_safeguarding_lead"  # E1 ended with its step
    before = len(case.facts())
    for esc, role, message in [
        ("E2", "team_leader", "escalation E2 was raised to designated_safeguarding_lead, not team_leader"),
        ("E1", "team_leader", "no outstanding escalation 'E1'"),
        ("E9", "designated_safeguarding_lead", "no outstanding escalation 'E9'"),
    ]:
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await acknowledge(case, esc, role)
        assert message in caught.value.cause.message
    assert len(case.facts()) == before
    await acknowledge(case, "E2", "designated_safeguarding_lead")
    assert (await case.status()).escalations == []
    assert case.escalations()[-1]["acknowledged_at"] == "2027-01-12T09:50:00Z"


async def test_a_deadline_escalation_cannot_be_acknowledged_away(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:50:00+00:00")
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await acknowledge(case, "E1", "team_leader")
    assert "ends when record_concern is completed, not by acknowledgement" in caught.value.cause.message
