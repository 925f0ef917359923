"""The threshold tool inside the pathway (issue 3): the seriousness assessment files a decision,
the route decision sees it, a reportable decision makes the referral due, and a downward
override needs a reason. Decisions are recorded, so replay never re-decides."""

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.worker import Replayer

import activities.case_activities as case_activities
import domain.threshold as threshold
import domain.threshold.registry as registry
from domain.threshold import load_profile
from tests.conftest import concern
from bootstrap import WORKFLOWS

SERIOUS = {"impact": "significant", "intentional_harm": True, "weapon_or_object_used": True}


async def raised_and_recorded(driver, **body):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", **body))
    await case.at("2027-01-12T09:35:00+00:00")
    await case.complete("record_concern")
    return case


def decision_of(case) -> dict:
    (filed,) = [f for f in case.facts() if f.type == "ThresholdDecisionFiled"]
    return filed.fact.decision.model_dump(mode="json")


async def test_assessment_files_a_traceable_decision(driver):
    case = await raised_and_recorded(driver)
    await case.complete("seriousness_assessment", facts=SERIOUS)
    d = decision_of(case)
    assert (d["level"], d["rag"], d["profile"], d["category"]) == ("reportable", "red", "sussex", "incidents_between_adults")
    assert d["profile_version"] == load_profile("sussex").version and d["rationale"]
    assert all(m["source"]["seed"].startswith("002_") for m in d["matched"])
    # the step's own fields answer facts the tool asks about
    assert d["facts"]["prior_incidents_between_pair"] == 2 and d["facts"]["victim_fearful_or_adapting"] is True
    assert d["facts"]["prior_incidents_same_source"] == 0  # the same incidents, not counted again with other adults
    assert (await case.status()).threshold_decision.level == "reportable"


async def test_reportable_decision_requires_a_reason_to_route_below_it(driver):
    case = await raised_and_recorded(driver)
    await case.complete("seriousness_assessment", facts=SERIOUS)
    before = len(case.facts())
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await case.complete("route_decision", external_threshold_met=False)
    assert "is reportable: record external_threshold_met true, or give override_reason" in caught.value.cause.message
    assert len(case.facts()) == before
    await case.complete("route_decision", external_threshold_met=False, override_reason="police already leading; LA agreed")
    assert "ThresholdDecisionOverridden" in case.types()
    assert not any(s["step"] == "external_referral" for s in case.steps())


async def test_reportable_decision_makes_the_referral_due_even_if_not_ticked(driver):
    case = await raised_and_recorded(driver)
    await case.complete("route_decision", external_threshold_met=False)  # decided before the assessment
    assert not any(s["step"] == "external_referral" for s in case.steps())
    await case.at("2027-01-12T11:00:00+00:00")
    await case.complete("seriousness_assessment", facts=SERIOUS)
    referral = case.step("external_referral")
    assert (referral["opened_at"], referral["due"]) == ("2027-01-12T11:00:00Z", "2027-01-13T11:00:00Z")


async def test_non_reportable_decision_leaves_the_route_to_the_dsl(driver):
    case = await raised_and_recorded(driver)
    await case.complete("seriousness_assessment", frequency_of_similar_incidents=0, fear_or_avoidance=False,
                        facts={"mutual_dislike_no_abuse": True})
    assert decision_of(case)["level"] == "non_reportable"
    await case.complete("route_decision", external_threshold_met=False)
    assert not any(s["step"] == "external_referral" for s in case.steps())


async def test_two_high_risk_indicators_escalate_urgently(driver):
    case = await raised_and_recorded(driver)
    await case.complete("seriousness_assessment", facts={"humiliation": True, "coercion": True})
    d = decision_of(case)
    assert d["urgent_escalation"] is True
    assert any(e["to_role"] == "operations_director" and e["reason"].startswith("urgent escalation: threshold tool")
               for e in case.escalations())


async def test_bad_facts_are_rejected_and_record_nothing(driver):
    case = await raised_and_recorded(driver)
    before = len(case.facts())
    for facts, message in [
        ({"weapon_used": True}, "unknown fact 'weapon_used'"),
        ({"impact": "catastrophic"}, "fact 'impact'"),
    ]:
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await case.complete("seriousness_assessment", facts=facts)
        assert message in caught.value.cause.message
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await case.complete("seriousness_assessment", category="nonsense", facts={})
    assert "unknown category 'nonsense'" in caught.value.cause.message
    assert len(case.facts()) == before


async def test_earlier_concerns_between_the_same_adults_are_counted(driver):
    # two earlier non-reportable concerns between the same pair in the same service
    for day in ("2027-01-05", "2027-01-08"):
        earlier = await driver.raise_concern(concern(f"{day}T10:00:00+00:00"))
        await earlier.recorded("ServiceHistoryAttached")  # its activities done: terminating leaves none in flight
        await driver.terminate_open_cases()
        del earlier
    case = await raised_and_recorded(driver)
    await case.complete("seriousness_assessment", frequency_of_similar_incidents=0, fear_or_avoidance=False,
                        facts={"mutual_dislike_no_abuse": True})
    d = decision_of(case)
    assert (d["prior"]["same_pair"], d["prior"]["same_service"]) == (2, 2)
    assert "event store" in d["prior"]["source_note"]
    assert d["level"] == "consultation"
    assert any(m["id"].endswith("several_low_level_concerns") for m in d["matched"])


async def test_replay_after_a_profile_change_reproduces_the_old_decision(driver, monkeypatch):
    case = await raised_and_recorded(driver)
    await case.complete("seriousness_assessment", facts=SERIOUS)
    history = await case.handle.fetch_history()
    old = decision_of(case)

    def withdrawn(name):  # the tool's data changed beyond recognition: replay must not consult it
        raise ValueError(f"profile {name} withdrawn")

    for module in (threshold, registry, case_activities):
        monkeypatch.setattr(module, "load_profile", withdrawn)
    result = await Replayer(workflows=WORKFLOWS, data_converter=driver.env.client.data_converter).replay_workflow(
        history, raise_on_replay_failure=False)
    assert result.replay_failure is None
    assert decision_of(case) == old and old["level"] == "reportable"
