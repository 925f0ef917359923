"""The whole pathway of 001, from identification to closure, every step done on time."""

from tests.cases import at
from tests.stories import full_pathway
from tests.conftest import concern


async def test_full_pathway_to_closure_on_time(driver):
    # Tuesday 12 January 2027, an ordinary working week in England.
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await full_pathway(case)
    assert case.step("follow_up_review", 2)["due"] == "2027-01-13T17:00:00Z"  # not stable on day 1: reviewed again
    receipt_opened = [s["step"] for s in case.steps() if s["opened_at"] == "2027-01-12T09:40:00Z"]
    assert set(receipt_opened) == {"peer_risk_review", "seriousness_assessment", "route_decision", "live_case_oversight"}
    result = await case.handle.result()
    assert result["outcome"] == "substantiated"
    steps = case.steps()
    done = [s for s in steps if s["completed_at"]]
    assert all(s["on_time"] for s in done if s["due"]), [s for s in done if s["on_time"] is False]
    assert [s["step"] for s in steps if s["withdrawn_at"]] == ["live_case_oversight"]  # the 72-hourly review still open at closure
    assert case.escalations() == []
    types = case.types()
    assert types[0] == "ConcernRaised" and types[-1] == "CaseClosed"
    assert "DeadlineMissed" not in types
    # record_concern: 15 minutes from identification
    assert case.step("record_concern")["due"] == "2027-01-12T09:45:00Z"
    # route decision: 4 working hours from 09:40
    assert case.step("route_decision")["due"] == "2027-01-12T13:40:00Z"
    # seriousness assessment: the end of that working day
    assert case.step("seriousness_assessment")["due"] == "2027-01-12T17:00:00Z"
    # closure review: 5 working days (40 working hours) from conclusion at 16:00 Wednesday
    assert case.step("closure_learning_review")["due"] == "2027-01-20T16:00:00Z"
    assert at(case.step("live_case_oversight")["due"]) == at("2027-01-15T09:40:00+00:00")
