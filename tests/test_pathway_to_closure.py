"""The whole pathway of 001, from identification to closure, every step done on time."""

import pytest

from domain.threshold import load_profile
from projections.concern_index import prior_concerns
from projections.registry import open_feed
from tests.conftest import concern
from tests.pure_case import PureCase, StoryCase
from tests.stories import full_pathway, missed_and_escalated


async def test_full_pathway_to_closure_on_time(driver):
    # Tuesday 12 January 2027, an ordinary working week in England.
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await full_pathway(case)
    receipt_opened = [s["step"] for s in case.steps() if s["opened_at"] == "2027-01-12T09:40:00Z"]
    assert set(receipt_opened) == {"peer_risk_review", "seriousness_assessment", "route_decision", "live_case_oversight",
                                   "notify_regulator"}
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
    # Every deadline kind, as computed when each clock started (times UTC = GMT in January).
    due = {(r["step"], r["occurrence"]): (r["opened_at"], r["due"]) for r in steps}
    assert due == {
        ("record_concern", 1): ("2027-01-12T09:30:00Z", "2027-01-12T09:45:00Z"),           # 15 min after identification
        ("peer_risk_review", 1): ("2027-01-12T09:40:00Z", "2027-01-12T10:10:00Z"),         # 30 min
        ("seriousness_assessment", 1): ("2027-01-12T09:40:00Z", "2027-01-12T17:00:00Z"),   # end of the working day
        ("route_decision", 1): ("2027-01-12T09:40:00Z", "2027-01-12T13:40:00Z"),           # 4 working hours
        ("live_case_oversight", 1): ("2027-01-12T09:40:00Z", "2027-01-15T09:40:00Z"),      # 72 hours
        ("notify_regulator", 1): ("2027-01-12T09:40:00Z", "2027-01-12T17:00:00Z"),         # CQC: the same working day
        ("views_and_wishes", 1): ("2027-01-12T11:00:00Z", "2027-01-12T12:00:00Z"),         # by the protection plan
        ("capacity_and_advocacy", 1): ("2027-01-12T11:00:00Z", "2027-01-12T12:00:00Z"),    # by the protection plan
        ("external_referral", 1): ("2027-01-12T10:00:00Z", "2027-01-13T10:00:00Z"),        # 24 hours
        ("conclude_case", 1): ("2027-01-12T10:00:00Z", None),                              # no deadline
        ("protection_plan", 1): ("2027-01-12T11:00:00Z", "2027-01-12T12:00:00Z"),          # 1 working hour
        ("follow_up_plan", 1): ("2027-01-12T11:00:00Z", "2027-01-12T12:00:00Z"),           # "immediately": 1 hour
        ("follow_up_review", 1): ("2027-01-12T11:00:00Z", "2027-01-12T17:00:00Z"),         # end of the working day
        ("implementation_check", 1): ("2027-01-12T11:30:00Z", "2027-01-12T20:00:00Z"),     # end of the 08:00-20:00 shift
        ("chronology_update", 1): ("2027-01-12T11:30:00Z", "2027-01-12T15:30:00Z"),        # 4 working hours
        ("pattern_impact_review", 1): ("2027-01-12T11:30:00Z", "2027-01-12T17:00:00Z"),    # end of the working day
        ("service_risk_review", 1): ("2027-01-12T11:30:00Z", "2027-01-13T11:30:00Z"),      # 1 working day
        ("follow_up_review", 2): ("2027-01-12T16:30:00Z", "2027-01-13T17:00:00Z"),         # end of the next working day
        ("closure_learning_review", 1): ("2027-01-13T16:00:00Z", "2027-01-20T16:00:00Z"),  # 5 working days
        ("la_response", 1): ("2027-01-12T11:00:00Z", "2027-01-19T11:00:00Z"),              # chase after 5 working days
        ("la_enquiry_outcome", 1): ("2027-01-13T16:00:00Z", None),                         # no deadline
        ("inform_family", 1): ("2027-01-12T11:00:00Z", "2027-01-13T11:00:00Z"),            # 1 working day
    }


@pytest.mark.parametrize("story", [full_pathway, missed_and_escalated], ids=lambda s: s.__name__)
async def test_the_workflow_records_exactly_what_the_decider_decides(driver, records, story):
    """The same story told to the workflow (Temporal, store) and to the decider alone gives the same facts."""
    body = concern("2027-01-12T09:30:00+00:00")
    case = await driver.raise_concern(body)
    await story(case)
    lookback = load_profile("sussex").low_level.lookback_days
    feed = open_feed(records)
    feed.catch_up()
    pure = PureCase(body, prior=lambda r: prior_concerns(feed.documents, r.case_id, r.adult_id, r.source_id,
                                                         r.service_id, r.identified_at, lookback))
    await story(StoryCase(pure))
    # I/O's answers, not decisions: the service's history, and the alerts (the policy the worker
    # adopts, and what sending told whom: tests/test_alerts_workflow.py)
    recorded = [f.fact for f in case.facts() if f.type not in ("ServiceHistoryAttached", *ALERT_TYPES)]
    assert [_decided(f) for f in recorded] == [_decided(f) for f in pure.facts]


ALERT_TYPES = ("AlertPolicyAdopted", "AlertRaised", "AlertSent", "AlertNotDelivered")


def _decided(fact) -> dict:
    """A fact as decided: the request id a command sent without a key is given by the client's seal
    (`once:...`, encryption/seal.py) is the client's, not the decider's, which was sent none."""
    data = fact.model_dump()
    if str(data.get("request_id")).startswith("once:"):
        data["request_id"] = None
    return data
