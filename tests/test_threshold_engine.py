"""The decision engine: facts in, decision out, deterministic.

Seed lines cited: 002 = 002_bdbd6ad1bcc6475b.txt (Sussex), 003 = 003_def55763f42ffa8d.txt
(Guernsey), 001 = 001_83683b439f7bdd5b.txt (peer-to-peer escalation).
"""

from __future__ import annotations

import json

import pytest

from domain.threshold import PriorConcerns, ThresholdDecision, ThresholdFactsError, assess, load_profile
from domain.threshold.model import LowLevelConcerns

pytestmark = pytest.mark.unit

SUSSEX, GUERNSEY = load_profile("sussex"), load_profile("guernsey")
PEER = "incidents_between_adults"
CLI_KEYS = {"level", "rag", "matched", "rationale", "alternative_actions", "required_notifications",
            "urgent_escalation", "profile", "profile_version"}
# a low-level incident under 002 line 318, non-reportable on its own
LOW = {"impact": "none", "risk_reduction_actions_taken": True, "professional_advice_sought": True}


def ids(decision: ThresholdDecision) -> list[str]:
    return [m.id for m in decision.matched]


# --- the decision ----------------------------------------------------------------------------


def test_highest_level_wins_and_every_match_is_listed_highest_first():
    d = assess(SUSSEX, PEER, {"weapon_or_object_used": True, "escalating_behaviour": True, **LOW})
    assert d.level == "reportable" and d.rag == "red"
    assert ids(d) == [f"{PEER}.r2", f"{PEER}.c4", f"{PEER}.n1"]
    assert [m.level for m in d.matched] == ["reportable", "consultation", "non_reportable"]
    weapon = d.matched[0]
    assert weapon.indicator == "Any incident where a weapon or other object is used with the intention to cause injury."
    assert weapon.source.model_dump() == {"seed": "002_bdbd6ad1bcc6475b.txt", "category": "Incidents between adults in a service",
                                          "column": "Reportable", "line": 318}


def test_decision_carries_level_actions_and_profile_identity():
    d = assess(GUERNSEY, PEER, {"mutual_dislike_no_abuse": True})
    assert (d.level, d.rag) == ("consultation", "yellow")
    # 003 line 217, the consultation column of the actions row
    assert d.alternative_actions == ["Complaint", "Training", "Compatibility review", "Liaise with commissioning/regulator",
                                     "Lessons learnt", "Care assessment/review"]
    assert (d.profile, d.profile_version, d.profile_digest) == ("guernsey", "1.0.0", GUERNSEY.digest)
    assert d.category == PEER and d.category_title == "Service user to service user harm"
    assert CLI_KEYS <= set(d.model_dump(mode="json"))


def test_no_match_is_non_reportable_by_default_and_says_so():
    d = assess(SUSSEX, PEER, {})
    assert d.level == "non_reportable" and d.matched == []
    assert "No example in the table matched" in d.rationale
    assert d.alternative_actions[0] == "Review of relevant policies and procedures."


def test_facts_are_validated_filled_and_kept_in_vocabulary_order():
    d = assess(SUSSEX, PEER, {"coercion": True, "impact": "some"})
    assert list(d.facts)[:3] == ["impact", "medical_attention_required", "intentional_harm"]
    assert d.facts["impact"] == "some" and d.facts["coercion"] is True
    assert d.facts["prior_incidents_between_pair"] == 0 and d.facts["weapon_or_object_used"] is False
    assert set(d.facts) == set(SUSSEX.category(PEER).vocabulary)


def test_same_inputs_give_identical_output_whatever_the_key_order():
    facts = {"weapon_or_object_used": True, "humiliation": True, "coercion": True, "crime_indicated": True,
             "children_at_risk": True, "prior_incidents_between_pair": 2}
    a = assess(SUSSEX, PEER, facts, PriorConcerns(same_service=5, source_note="x"))
    b = assess(SUSSEX, PEER, dict(reversed(list(facts.items()))), PriorConcerns(same_service=5, source_note="x"))
    assert json.dumps(a.model_dump(mode="json")) == json.dumps(b.model_dump(mode="json"))


def test_rationale_names_level_profile_reasons_and_sources():
    d = assess(SUSSEX, PEER, {"victim_fearful_or_adapting": True})
    r = d.rationale
    assert r.startswith("Threshold decision: Reportable (red), using the Sussex Safeguarding Adults Thresholds (profile sussex, version 1.0.0)")
    assert '"The victim is, or appears, fearful in the presence of the other person' in r
    assert "[002_bdbd6ad1bcc6475b.txt line 318]" in r
    assert "formally raised as a safeguarding concern" in r  # the level's guidance, 002 line 317
    assert "line 62" in r  # professional judgement


def test_decision_round_trips_through_json():
    d = assess(GUERNSEY, PEER, {"weapon_or_object_used": True}, PriorConcerns(same_pair=1))
    assert ThresholdDecision.model_validate_json(d.model_dump_json()) == d


# --- bad input names the problem -------------------------------------------------------------


def test_unknown_category_names_it_and_the_known_ones():
    with pytest.raises(ThresholdFactsError, match=r"unknown category 'homelessness' for profile 'guernsey'; known categories: physical, "):
        assess(GUERNSEY, "homelessness", {})


def test_unknown_fact_names_the_fact_and_category_and_suggests():
    with pytest.raises(ThresholdFactsError) as err:
        assess(SUSSEX, PEER, {"weapon_used": True})
    assert "unknown fact 'weapon_used' for category 'incidents_between_adults' (profile sussex)" in str(err.value)
    assert "did you mean 'weapon_or_object_used'?" in str(err.value)


def test_a_fact_of_another_category_is_unknown_here():
    with pytest.raises(ThresholdFactsError, match="unknown fact 'gross_neglect' for category 'incidents_between_adults'"):
        assess(GUERNSEY, PEER, {"gross_neglect": True})


@pytest.mark.parametrize("fact, value, expected", [
    ("medical_attention_required", "yes", 'expects true or false, got "yes" (string)'),
    ("medical_attention_required", 1, "expects true or false, got 1 (number)"),
    ("prior_incidents_between_pair", True, "expects a whole number, 0 or more, got true (boolean)"),
    ("prior_incidents_between_pair", 1.5, "expects a whole number, 0 or more, got 1.5 (number)"),
    ("prior_incidents_between_pair", -1, "expects a whole number, 0 or more, got -1 (number)"),
    ("prior_incidents_between_pair", "2", 'expects a whole number, 0 or more, got "2" (string)'),
    ("impact", "high", "expects one of 'none', 'some', 'significant', got \"high\" (string)"),
    ("impact", None, "expects one of 'none', 'some', 'significant', got null (null)"),
])
def test_wrong_type_names_fact_expected_type_and_value(fact, value, expected):
    with pytest.raises(ThresholdFactsError) as err:
        assess(SUSSEX, PEER, {fact: value})
    assert f"fact {fact!r} in category 'incidents_between_adults' (profile sussex) {expected}" == str(err.value)


def test_all_problems_are_reported_together():
    with pytest.raises(ThresholdFactsError) as err:
        assess(SUSSEX, PEER, {"impactt": "some", "coercion": "yes"})
    assert "unknown fact 'impactt'" in str(err.value) and "fact 'coercion'" in str(err.value)


def test_facts_must_be_an_object():
    with pytest.raises(ThresholdFactsError, match="must be an object of fact names to values, got array"):
        assess(SUSSEX, PEER, ["impact"])


def test_bad_prior_is_an_error():
    with pytest.raises(ThresholdFactsError, match="same_pairs"):
        assess(SUSSEX, PEER, {}, {"same_pairs": 2})
    with pytest.raises(ThresholdFactsError, match="same_pair"):
        assess(SUSSEX, PEER, {}, {"same_pair": -1})
    with pytest.raises(ThresholdFactsError, match="same_pair"):
        assess(SUSSEX, PEER, {}, {"same_pair": True})
    assert assess(SUSSEX, PEER, {}, {"same_pair": 1}).prior == PriorConcerns(same_pair=1)


# --- cross-cutting rules (002 lines 136, 142, 160; 003 lines 110, 122; 001 line 15) ----------


@pytest.mark.parametrize("profile", [SUSSEX, GUERNSEY], ids=lambda p: p.name)
@pytest.mark.parametrize("fact, notification", [
    ("crime_indicated", "police"),
    ("immediate_danger", "emergency_services"),
    ("children_at_risk", "childrens_services"),
])
def test_rule_requires_notification_in_every_category(profile, fact, notification):
    for cat in profile.categories:
        d = assess(profile, cat.key, {fact: True})
        assert d.required_notifications == [notification], cat.key
        assert not d.urgent_escalation
        rule = d.applied_rules[0]
        assert rule.source.seed == profile.seed and rule.source.line in (110, 122, 136, 142)
        assert rule.wording in d.rationale


def test_criminal_act_means_police_whatever_the_level():
    # 002 line 142 and every "Alternative actions" row: "If there is an indication a criminal act
    # has occurred, the police MUST be consulted" - even for a non-reportable incident
    d = assess(SUSSEX, PEER, {**LOW, "crime_indicated": True})
    assert d.level == "non_reportable"
    assert d.required_notifications == ["police"]
    assert "Consult the police" in d.rationale and "line 142" in d.rationale


def test_notifications_are_listed_in_a_stable_order():
    d = assess(GUERNSEY, "physical", {"children_at_risk": True, "immediate_danger": True, "crime_indicated": True})
    assert d.required_notifications == ["police", "emergency_services", "childrens_services"]


def test_position_of_trust_procedure_is_sussex_only():
    # 002 section 7 (line 160); 003 has no PIPOT section, only PIPOT examples in its tables
    assert assess(SUSSEX, "physical", {"person_in_position_of_trust": True}).required_notifications == ["position_of_trust_procedure"]
    d = assess(GUERNSEY, "physical", {"person_in_position_of_trust": True})
    assert d.required_notifications == [] and d.level == "reportable"


def test_an_example_can_require_a_notification():
    # 002 line 323: "... a criminal act. Following internal agency policy, a police report should be made."
    d = assess(SUSSEX, "homelessness", {"involved_in_criminal_act": True})
    assert d.level == "non_reportable" and d.required_notifications == ["police"]


@pytest.mark.parametrize("profile", [SUSSEX, GUERNSEY], ids=lambda p: p.name)
@pytest.mark.parametrize("present, urgent", [
    ((), False),
    (("humiliation",), False),
    (("coercion",), False),
    (("humiliation", "coercion"), True),
    (("coercion", "exploitation"), True),
    (("humiliation", "exploitation"), True),
    (("humiliation", "coercion", "exploitation"), True),
])
def test_two_or_more_high_risk_indicators_mean_urgent_escalation(profile, present, urgent):
    d = assess(profile, PEER, {f: True for f in present})
    assert d.urgent_escalation is urgent
    if present:
        # 001 line 15: one present is already a route-decision question, so at least consultation
        assert d.level in ("consultation", "reportable")
        assert f"{PEER}.cl1" in ids(d) or f"{PEER}.cl2" in ids(d)
    if urgent:
        assert "Urgent escalation" in d.rationale and "001_83683b439f7bdd5b.txt line 15" in d.rationale


def test_urgent_escalation_lifts_any_table_to_at_least_consultation():
    # in a table with no example for these facts, the rule's floor sets the level and the rationale says so
    d = assess(GUERNSEY, "falls", {"humiliation": True, "exploitation": True, "impact": "none"})
    assert d.urgent_escalation and d.level == "consultation"
    assert ids(d) == ["falls.nh"]
    assert "it is set by" in d.rationale


# --- several low-level concerns (002 line 317 / 003 line 215 and every table) ----------------


def test_a_run_of_non_reportable_incidents_between_a_pair_is_lifted():
    assert assess(SUSSEX, PEER, LOW, PriorConcerns(same_pair=1)).level == "non_reportable"
    d = assess(SUSSEX, PEER, LOW, PriorConcerns(same_pair=2, source_note="concerns since 2026-06-01, case store"))
    assert d.level == "consultation"
    low = d.matched[0]
    assert low.id == f"{PEER}.several_low_level_concerns" and low.kind == "local_rule"
    assert low.indicator.startswith("Where there are several low-level concerns")
    assert (low.source.seed, low.source.line, low.source.column) == ("002_bdbd6ad1bcc6475b.txt", 317, "Non-reportable")
    assert "2 earlier concerns between the same two adults, counted from the event store [concerns since 2026-06-01, case store]" in d.rationale
    assert "threshold 2" in d.rationale


@pytest.mark.parametrize("prior, lifted", [
    (PriorConcerns(same_service=3), False),
    (PriorConcerns(same_service=4), True),
    (PriorConcerns(same_source=2), True),
    (PriorConcerns(same_pair=2), True),
    (PriorConcerns(same_source=1, same_pair=1, same_service=3), False),
])
def test_each_scope_is_counted_against_its_own_threshold(prior, lifted):
    # a non-peer table too: 003 line 139 "Appropriate moving and handling procedures not followed on one occasion"
    d = assess(GUERNSEY, "physical", {"moving_handling_not_followed_once": True}, prior)
    assert (d.level == "consultation") is lifted
    assert ("physical.several_low_level_concerns" in ids(d)) is lifted


def test_earlier_concerns_are_fed_into_the_count_facts():
    d = assess(SUSSEX, PEER, {}, PriorConcerns(same_source=1))
    assert d.facts["prior_incidents_same_source"] == 1
    assert d.facts_from_prior == ["prior_incidents_same_source"]
    assert f"{PEER}.c3" in ids(d)  # 002 line 318: other similar incidents involving the same perpetrator
    assert "Facts raised to the event store's counts: prior_incidents_same_source." in d.rationale


def test_a_higher_recorded_count_is_kept_and_said_to_come_from_the_facts():
    d = assess(SUSSEX, PEER, {**LOW, "prior_incidents_between_pair": 2}, PriorConcerns(same_pair=1))
    assert d.facts["prior_incidents_between_pair"] == 2 and d.facts_from_prior == []
    assert d.level == "consultation"
    assert "counted from the recorded fact prior_incidents_between_pair" in d.rationale


def test_counts_recorded_as_facts_are_lifted_without_the_event_store():
    d = assess(GUERNSEY, PEER, {"prior_incidents_between_pair": 2, "impact": "none", "professional_advice_sought": True,
                                "care_plan_in_place": True, "care_plan_implemented": True})
    assert f"{PEER}.several_low_level_concerns" in ids(d)
    assert d.matched[[m.id for m in d.matched].index(f"{PEER}.several_low_level_concerns")].source.line == 215


def test_no_earlier_concerns_is_said_when_the_store_was_asked():
    d = assess(SUSSEX, PEER, LOW, PriorConcerns(source_note="none since 2026-06-01"))
    assert "No earlier concerns were found (none since 2026-06-01)." in d.rationale


def test_the_count_is_configurable_per_profile():
    strict = SUSSEX.model_copy(update={"low_level": LowLevelConcerns(
        same_source_at_least=1, same_pair_at_least=1, same_service_at_least=1, lookback_days=90, basis="test")})
    assert assess(strict, PEER, LOW, PriorConcerns(same_service=1)).level == "consultation"
    assert assess(SUSSEX, PEER, LOW, PriorConcerns(same_service=1)).level == "non_reportable"
    assert strict.digest != SUSSEX.digest
