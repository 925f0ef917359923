"""The whole pathway of 001, from identification to closure, every step done on time."""

from tests.cases import at
from tests.conftest import concern


async def test_full_pathway_to_closure_on_time(driver):
    # Tuesday 12 January 2027, an ordinary working week in England.
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:40:00+00:00")
    receipt = await case.complete("record_concern")
    assert receipt.on_time and set(receipt.opened) == {
        "peer_risk_review#1", "seriousness_assessment#1", "route_decision#1", "live_case_oversight#1"}

    await case.at("2027-01-12T10:00:00+00:00")
    await case.complete("peer_risk_review")
    await case.complete("route_decision")  # external threshold met: the referral opens
    await case.at("2027-01-12T11:00:00+00:00")
    await case.complete("seriousness_assessment")
    await case.complete("external_referral")
    await case.complete("follow_up_plan")
    await case.at("2027-01-12T11:30:00+00:00")
    await case.complete("protection_plan")
    await case.complete("implementation_check")
    await case.complete("chronology_update")
    await case.complete("pattern_impact_review")
    await case.complete("service_risk_review")
    await case.at("2027-01-12T16:30:00+00:00")
    await case.complete("follow_up_review", stabilised=False)  # not yet stable: another review tomorrow
    assert case.step("follow_up_review", 2)["due"] == "2027-01-13T17:00:00Z"
    await case.at("2027-01-13T16:00:00+00:00")
    await case.complete("follow_up_review", stabilised=True)
    await case.complete("conclude_case")
    await case.at("2027-01-14T10:00:00+00:00")
    receipt = await case.complete("closure_learning_review")
    assert receipt.status == "closed"

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
