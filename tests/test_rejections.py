"""Every bad request is rejected by the update validator with a message naming the problem,
and leaves nothing in the event store (issue 2: 'rejected ... and nothing recorded')."""

import pytest
from temporalio.client import WorkflowUpdateFailedError

from casework.temporal import cases as commands
from casework.refusals import Refusal as CaseworkError
from domain.concern import StepCompletion
from tests.cases import RECORDS
from tests.conftest import concern


async def expect_rejection(case, fragment: str, **attempt) -> None:
    before = len(case.facts())
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await case.attempt(**attempt)
    message = caught.value.cause.message
    assert fragment in message, message
    assert len(case.facts()) == before, "a rejected request must record nothing"


@pytest.fixture
async def case(driver):
    c = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await c.at("2027-01-12T09:35:00+00:00")
    await c.complete("record_concern")
    return c


@pytest.mark.parametrize("attempt, fragment", [
    (dict(step="peer_risk_review", role="senior_support_worker"), "role senior_support_worker cannot complete peer_risk_review: it is for team_leader"),
    (dict(step="peer_risk_review", record={"source_still_has_access": True, "repeated_or_targeted": False}), "missing field 'other_adult_affected' (bool)"),
    (dict(step="peer_risk_review", record={**RECORDS["peer_risk_review"], "source_still_has_access": "yes"}), "field 'source_still_has_access' expects true or false, got \"yes\" (string)"),
    (dict(step="peer_risk_review", record={**RECORDS["peer_risk_review"], "sauce_still_has_access": True}), "unknown field 'sauce_still_has_access'"),
    (dict(step="seriousness_assessment", record={**RECORDS["seriousness_assessment"], "power_imbalance": "huge"}), "field 'power_imbalance' expects one of 'none', 'some', 'significant', got \"huge\" (string)"),
    (dict(step="seriousness_assessment", record={**RECORDS["seriousness_assessment"], "frequency_of_similar_incidents": -1}), "field 'frequency_of_similar_incidents' expects a whole number, 0 or more, got -1 (number)"),
    (dict(step="route_decision", record=["not", "an", "object"]), "record for route_decision must be a JSON object"),
    (dict(step="escalate_everything"), "unknown step 'escalate_everything'"),
    (dict(step="protection_plan"), "protection_plan is not yet available: it opens when seriousness_assessment is completed"),
    (dict(step="external_referral"), "external_referral is not yet available: it opens when route_decision records external_threshold_met"),
    (dict(step="record_concern"), "record_concern is already done"),
    (dict(step="live_case_oversight", occurrence=3), "live_case_oversight occurrence 3 is not open"),
], ids=["wrong-role", "missing-field", "mistyped-bool", "unknown-field", "bad-choice", "negative-int",
        "record-not-object", "unknown-step", "not-yet-available", "conditional-step", "already-done", "occurrence-not-open"])
async def test_bad_completion_is_rejected_and_records_nothing(case, attempt, fragment):
    await expect_rejection(case, fragment, **attempt)


async def test_closed_case_rejects_everything(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:35:00+00:00")
    await case.complete("record_concern")
    await case.complete("route_decision", external_threshold_met=False)
    await case.complete("conclude_case")
    await case.complete("closure_learning_review")
    await case.handle.result()
    before = len(case.facts())
    completion = StepCompletion(step="peer_risk_review", role="team_leader", actor="S-1", record=RECORDS["peer_risk_review"])
    with pytest.raises(CaseworkError, match=f"case {case.id} is closed"):
        await commands.complete_step(driver.env.client, case.id, completion)
    with pytest.raises(CaseworkError, match="no case NO-SUCH-CASE"):
        await commands.complete_step(driver.env.client, "NO-SUCH-CASE", completion)
    assert len(case.facts()) == before


async def test_development_opens_a_chronology_update_each_time(case):
    assert await case.development("new_incident", "second lounge incident") == 1
    assert await case.development("agency_contact", "LA hub called") == 2
    opened = [s for s in case.steps() if s["step"] == "chronology_development"]
    assert [(s["occurrence"], s["due"]) for s in opened] == [(1, "2027-01-13T09:35:00Z"), (2, "2027-01-13T09:35:00Z")]
    await case.complete("chronology_development")  # the earliest open occurrence
    assert case.step("chronology_development", 1)["completed_at"] and not case.step("chronology_development", 2)["completed_at"]
