"""Threshold profiles as data: structure, traceability to the seeds, and the seed tables' rows.

Test ids name the seed line they test: "002:318" is line 318 of
002_bdbd6ad1bcc6475b.txt (Sussex), "003:216" line 216 of 003_def55763f42ffa8d.txt
(Guernsey).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.conditions import FactSpec, is_
from domain.threshold import ThresholdProfile, load_profile, profile_names
from domain.threshold.model import LEVELS, Category, Indicator, LevelGuidance, Source
from domain.threshold.vocabulary import CATEGORY_FACTS, COMMON_FACTS

pytestmark = pytest.mark.unit

SEEDS = Path("/work/shared/seeds")
SUSSEX, GUERNSEY = load_profile("sussex"), load_profile("guernsey")
PROFILES = (SUSSEX, GUERNSEY)

CARE_ACT_10 = {"neglect", "self_neglect", "physical", "sexual", "psychological", "financial", "organisational",
               "discriminatory", "modern_slavery", "domestic_abuse"}
ADDITIONAL = {"pressure_ulcers", "falls", "medication_errors", "incidents_between_adults"}

# the public vocabulary of issue 3 for incidents between adults
CORE_PEER_FACTS = {
    "impact": "choice", "medical_attention_required": "bool", "intentional_harm": "bool", "hate_motivated": "bool",
    "weapon_or_object_used": "bool", "prior_incidents_same_source": "int", "prior_incidents_between_pair": "int",
    "victim_lacks_capacity": "bool", "victim_unable_to_protect_self": "bool", "victim_fearful_or_adapting": "bool",
    "escalating_behaviour": "bool", "mutual_dislike_no_abuse": "bool", "care_plan_in_place": "bool",
    "care_plan_implemented": "bool", "professional_advice_sought": "bool", "other_abuse_indicators": "bool",
    "humiliation": "bool", "coercion": "bool", "exploitation": "bool", "crime_indicated": "bool",
    "immediate_danger": "bool", "children_at_risk": "bool", "person_in_position_of_trust": "bool",
}


# --- which profiles and tables exist -------------------------------------------------------


def test_profile_names_and_loading():
    assert profile_names() == ["guernsey", "sussex"]
    assert load_profile("sussex") is SUSSEX
    with pytest.raises(ValueError, match="unknown threshold profile 'kent'.*guernsey, sussex"):
        load_profile("kent")


def test_sussex_has_every_table_of_seed_002():
    # 002 lines 168 and 36-53: the ten Care Act categories, then pressure ulcers, falls,
    # medication errors, incidents between adults in a service and homelessness
    assert set(SUSSEX.category_keys()) == CARE_ACT_10 | ADDITIONAL | {"homelessness"}


def test_guernsey_has_every_table_of_seed_003():
    # 003 contents lines 22-36, including the second neglect table (unsafe discharge, covid-19)
    assert set(GUERNSEY.category_keys()) == CARE_ACT_10 | ADDITIONAL | {"neglect_unsafe_discharge"}


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_profile_identity(profile):
    assert profile.version and profile.document and profile.seed
    assert set(profile.columns) == set(LEVELS)
    assert re.fullmatch(r"[0-9a-f]{64}", profile.digest)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_core_peer_vocabulary(profile):
    vocab = profile.category("incidents_between_adults").vocabulary
    assert {name: vocab[name].type for name in CORE_PEER_FACTS} == CORE_PEER_FACTS
    assert vocab["impact"].choices == ("none", "some", "significant")
    # the order comes first, so forms and the CLI list them as the issue does
    assert list(vocab)[: len(CORE_PEER_FACTS)] == list(CORE_PEER_FACTS)


def test_a_category_has_the_same_vocabulary_in_every_profile():
    # one facts file (CLI, API, seriousness_assessment record) assesses under either tool
    for key in set(SUSSEX.category_keys()) & set(GUERNSEY.category_keys()):
        assert SUSSEX.category(key).facts == GUERNSEY.category(key).facts, key


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_every_category_has_common_facts_and_three_levels_with_actions(profile):
    for cat in profile.categories:
        assert set(COMMON_FACTS) <= set(cat.vocabulary), cat.key
        assert [g.level for g in cat.levels] == list(LEVELS)
        for g in cat.levels:
            assert g.actions, (cat.key, g.level)
        assert cat.guidance("reportable").actions[0] == "RAISE SAFEGUARDING CONCERN"
        assert any(i.level == "reportable" and i.when is not None for i in cat.indicators), cat.key


def test_every_fact_is_used_by_some_profile():
    used: dict[str, set[str]] = {}
    for profile in PROFILES:
        rule_facts = set().union(*(r.when.facts_used() for r in profile.rules))
        for cat in profile.categories:
            facts = used.setdefault(cat.key, set(rule_facts))
            for ind in cat.indicators:
                if ind.when is not None:
                    facts |= ind.when.facts_used()
    for key, names in CATEGORY_FACTS.items():
        unused = set(names) - used[key] - {"prior_incidents_same_source", "prior_incidents_between_pair"}
        assert not unused, f"{key}: facts no indicator uses: {sorted(unused)}"


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_indicator_ids_are_stable_and_unique(profile):
    ids = [i.id for c in profile.categories for i in c.indicators]
    assert len(ids) == len(set(ids))
    for cat in profile.categories:
        for ind in cat.indicators:
            assert re.fullmatch(rf"{cat.key}\.[ncr](q\d+|h|x\d+|l\d+|\d+)", ind.id), ind.id


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_indicator_level_matches_its_column(profile):
    column_level = {v: k for k, v in profile.columns.items()}
    for cat in profile.categories:
        for ind in cat.indicators:
            if ind.source.seed != profile.seed or ind.kind in ("cross_reference", "local_rule"):
                continue
            written_in = column_level[ind.source.column]
            # the seeds put a few directives in a neighbouring column ("move directly to 'Red'",
            # "all concerns about modern slavery ... requiring consultation"); each says so in its note
            assert written_in == ind.level or "column but" in ind.note, ind.id


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_profile_round_trips_through_json(profile):
    dumped = json.loads(json.dumps(profile.model_dump(mode="json")))
    again = ThresholdProfile.model_validate(dumped)
    assert again == profile
    assert again.digest == profile.digest
    # conditions serialise as the small declarative shapes, not code
    peer = next(c for c in dumped["categories"] if c["key"] == "incidents_between_adults")
    weapon = next(i for i in peer["indicators"] if i["wording"].startswith(("Any incident where a weapon", "Weapons/other objects")))
    assert weapon["when"] == {"fact": "weapon_or_object_used", "equals": True}
    repeated = next(i for i in peer["indicators"] if i["wording"].startswith("Repeated incidents where the person lacks capacity"))
    assert repeated["when"] == {"all": [{"fact": "prior_incidents_between_pair", "at_least": 2},
                                        {"fact": "victim_lacks_capacity", "equals": True},
                                        {"fact": "victim_unable_to_protect_self", "equals": True}]}


def test_profiles_are_frozen():
    with pytest.raises(ValidationError):
        SUSSEX.version = "9"


# --- a profile refuses data that does not hang together ------------------------------------


def _category(**overrides) -> Category:
    src = Source(seed="002_bdbd6ad1bcc6475b.txt", category="T", column="Reportable", line=1)
    guidance = tuple(LevelGuidance(level=lv, column="c", guidance="g", guidance_source=src, actions=("a",), actions_source=src)
                     for lv in LEVELS)
    fields = dict(key="t", title="T", facts=(FactSpec(name="x", type="bool", help="x"),),
                  indicators=(Indicator(id="t.r1", level="reportable", wording="w", source=src, when=is_("x")),),
                  levels=guidance, low_level_wording="w", low_level_source=src)
    fields.update(overrides)
    return Category(**fields)


def test_condition_on_unknown_fact_is_refused():
    src = Source(seed="s", category="T", column="Reportable", line=1)
    with pytest.raises(ValidationError, match="unknown fact 'y'"):
        _category(indicators=(Indicator(id="t.r1", level="reportable", wording="w", source=src, when=is_("y")),))


def test_condition_with_wrong_type_is_refused():
    src = Source(seed="s", category="T", column="Reportable", line=1)
    bad = Indicator.model_validate({"id": "t.r1", "level": "reportable", "wording": "w", "source": src.model_dump(),
                                    "when": {"fact": "x", "at_least": 2}})
    with pytest.raises(ValidationError, match="at_least needs an int fact"):
        _category(indicators=(bad,))


def test_only_qualifiers_go_unevaluated():
    src = Source(seed="s", category="T", column="Reportable", line=1)
    with pytest.raises(ValidationError, match="only qualifiers"):
        Indicator(id="t.r1", level="reportable", wording="w", source=src)
    Indicator(id="t.rq1", level="reportable", wording="w", source=src, kind="qualifier")


def test_category_needs_all_three_levels():
    with pytest.raises(ValidationError, match="needs guidance"):
        _category(levels=_category().levels[:2])


# --- every piece of policy text traces to its seed line ------------------------------------


def _seed_lines(seed: str) -> list[str]:
    path = SEEDS / seed
    if not path.exists():
        pytest.skip(f"seed {seed} not available at {SEEDS}")
    return path.read_text(encoding="utf-8").split("\n")


def _words(text: str) -> set[str]:
    # the seeds glue some list items together ("adhered toAction"): split those first
    return set(re.findall(r"[a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()))


def _texts(profile):
    for cat in profile.categories:
        for ind in cat.indicators:
            yield cat.key, ind.id, ind.wording, ind.source
        for g in cat.levels:
            yield cat.key, f"{g.level} guidance", g.guidance, g.guidance_source
            for action in g.actions:
                yield cat.key, f"{g.level} action", action, g.actions_source
        yield cat.key, "low-level sentence", cat.low_level_wording, cat.low_level_source
    for rule in profile.rules:
        yield "rules", rule.id, rule.wording, rule.source
    yield "profile", "judgement", profile.judgement, profile.judgement_source


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_every_wording_is_on_its_cited_seed_line(profile):
    # a table row can run onto the next line (002 lines 192-193), so look at the cited line and the next
    problems = []
    for key, what, text, source in _texts(profile):
        lines = _seed_lines(source.seed)
        missing = _words(text) - _words(" ".join(lines[source.line - 1: source.line + 1]))
        if missing:
            problems.append(f"{key} {what} (line {source.line}): {sorted(missing)}")
    assert not problems, "\n".join(problems)


# --- the seed tables' rows, assessed -------------------------------------------------------
#
# Each row: (profile, category, seed line, indicator id, facts, expected level).
# Facts are the least that make the row true, plus what keeps other rows of the same
# table from firing (e.g. professional_advice_sought where the table asks whether it was).

from domain.threshold import assess  # noqa: E402

WELL_MANAGED = dict(care_plan_in_place=True, care_plan_implemented=True, risk_reduction_actions_taken=True,
                    professionals_notified=True, discussed_with_person_or_representative=True)
ADVICE = dict(professional_advice_sought=True)
NR, C, R = "non_reportable", "consultation", "reportable"

PEER = "incidents_between_adults"

# every example row of 002 "Incidents between adults in a service" (lines 317-318),
# plus the two readings this profile adds to it (line 285 and the physical table, line 179)
SUSSEX_PEER_ROWS = [
    ("n1", 318, dict(impact="none", risk_reduction_actions_taken=True), NR),
    ("n2", 318, dict(prior_incidents_between_pair=1, impact="none", **WELL_MANAGED, **ADVICE), NR),
    ("c1", 318, dict(medical_attention_required=True), C),
    ("c2", 318, dict(prior_incidents_between_pair=1, victim_lacks_capacity=True, victim_unable_to_protect_self=True, **ADVICE), C),
    ("c3", 318, dict(prior_incidents_same_source=1, **ADVICE), C),
    ("c4", 318, dict(escalating_behaviour=True), C),
    ("c5", 318, dict(care_plan_in_place=True, care_plan_implemented=False), C),
    ("c6", 318, dict(prior_incidents_between_pair=1), C),
    ("c7", 318, dict(other_concerns_about_source=True), C),
    ("cl1", 285, dict(impact="some", **ADVICE), C),
    ("cl2", 15, dict(humiliation=True), C),
    ("r1", 318, dict(intentional_harm=True), R),
    ("r1", 318, dict(hate_motivated=True), R),
    ("r2", 318, dict(weapon_or_object_used=True), R),
    ("r3", 318, dict(prior_incidents_between_pair=2, victim_lacks_capacity=True, victim_unable_to_protect_self=True, **ADVICE), R),
    ("r4", 318, dict(victim_fearful_or_adapting=True), R),
    ("rx1", 179, dict(impact="significant"), R),
]

# every example row of 003 "Service user to service user harm" (lines 213-216), its column
# headings (line 214), the 001 route-decision indicators and two discriminatory-table rows (line 174)
GUERNSEY_PEER_ROWS = [
    ("nh", 214, dict(impact="none"), NR),
    ("ch", 214, dict(impact="some", **ADVICE), C),
    ("rh", 214, dict(impact="significant"), R),
    ("n1", 216, dict(), NR),
    ("n2", 216, dict(prior_incidents_between_pair=1, impact="none", **WELL_MANAGED, **ADVICE), NR),
    ("c1", 216, dict(prior_incidents_same_source=1, **ADVICE), C),
    ("c2", 216, dict(mutual_dislike_no_abuse=True), C),
    ("c3", 216, dict(escalating_behaviour=True), C),
    ("cl1", 15, dict(coercion=True), C),
    ("r1", 216, dict(intentional_harm=True), R),
    ("r2", 216, dict(weapon_or_object_used=True), R),
    ("r3", 216, dict(prior_incidents_between_pair=2, victim_lacks_capacity=True, victim_unable_to_protect_self=True, **WELL_MANAGED, **ADVICE), R),
    ("r4", 216, dict(victim_fearful_or_adapting=True), R),
    ("r5", 216, dict(prior_incidents_between_pair=1, care_plan_in_place=True, care_plan_implemented=False, **ADVICE), R),
    ("r6", 216, dict(prior_incidents_between_pair=1), R),
    ("r7", 216, dict(prior_incidents_same_source=1, other_abuse_indicators=True, **ADVICE), R),
    ("rx1", 174, dict(hate_motivated=True, impact="some"), R),
    ("rx2", 174, dict(hate_motivated=True, humiliation=True), R),
]

# a sample from every other table: one row per level where the seed has one
SUSSEX_SAMPLES = [
    ("neglect", "n2", 171, dict(missed_visits=1), NR),
    ("neglect", "c5", 171, dict(health_appointments_missed_unmet_needs=True), C),
    ("neglect", "r3", 171, dict(failure_to_arrange_lifesaving_treatment=True), R),
    ("self_neglect", "n5", 175, dict(low_level_hoarding=True), NR),
    ("self_neglect", "c2", 175, dict(lack_of_insight=True), C),
    ("self_neglect", "r1", 175, dict(squalid_conditions=True, life_in_danger_without_intervention=True), R),
    ("physical", "n1", 179, dict(staff_error=True), NR),
    ("physical", "c4", 179, dict(rough_handling_or_restraint=True, marks_left=True), C),
    ("physical", "r6", 179, dict(assault=True, medical_attention_required=True), R),
    ("sexual", "n1", 184, dict(unwanted_attention_non_genital=True), NR),
    ("sexual", "c3", 184, dict(indecent_exposure=True), C),
    ("sexual", "r1", 184, dict(unwanted_attention_non_genital=True, impact="some"), R),
    ("sexual", "r2", 184, dict(person_in_position_of_trust=True), R),
    ("psychological", "n2", 188, dict(taunts_or_outbursts=True), NR),
    ("psychological", "c3", 188, dict(taunts_or_outbursts=True, impact="some"), C),
    ("psychological", "r3", 188, dict(prolonged_intimidation_or_humiliation=True), R),
    ("financial", "n4", 192, dict(money_decisions_without_person="single_incident", risk_reduction_actions_taken=True), NR),
    ("financial", "c4", 192, dict(money_decisions_without_person="routinely"), C),
    ("financial", "c5", 193, dict(no_access_to_own_funds=True), C),
    ("financial", "r5", 192, dict(coerced_into_giving_money=True), R),
    ("organisational", "n1", 197, dict(insufficient_staffing=True), NR),
    ("organisational", "c1", 197, dict(rigid_routines="not_in_best_interests"), C),
    ("organisational", "r3", 197, dict(insufficient_staffing=True, impact="some"), R),
    ("organisational", "r6", 197, dict(rigid_routines="undermine_dignity"), R),
    ("discriminatory", "n1", 203, dict(prejudicial_remark=True), NR),
    ("discriminatory", "c3", 203, dict(neighbourhood_dispute_targeting=True), C),
    ("discriminatory", "r2", 203, dict(hate_motivated=True, medical_attention_required=True), R),
    ("modern_slavery", "r1", 208, dict(exploited_or_controlled=True), R),
    ("domestic_abuse", "n3", 213, dict(dash_ric_risk="standard"), NR),
    ("domestic_abuse", "c1", 213, dict(domestic_abuse_or_risk=True), C),
    ("domestic_abuse", "r4", 213, dict(in_contact_with_perpetrator=True), R),
    ("pressure_ulcers", "n1", 236, dict(ulcer_severity="category_1_or_2"), NR),
    ("pressure_ulcers", "c3", 236, dict(ulcer_severity="category_3_or_4", care_plan_in_place=True, care_plan_implemented=True), C),
    ("pressure_ulcers", "r1", 236, dict(ulcer_severity="category_3_or_4", treatment_and_prevention_not_provided=True,
                                        care_plan_in_place=True, care_plan_implemented=True, **ADVICE), R),
    ("falls", "n1", 240, dict(reasonable_explanation=True, **WELL_MANAGED), NR),
    ("falls", "c2", 240, dict(previous_falls=1, care_plan_in_place=True, care_plan_implemented=True), C),
    ("falls", "r2", 240, dict(impact="some", injury_unexplained=True), R),
    ("medication_errors", "n1", 276, dict(administration_error=True), NR),
    ("medication_errors", "c2", 276, dict(sedation_to_manage_behaviour=True), C),
    ("medication_errors", "r3", 276, dict(previous_errors=2), R),
    ("homelessness", "n3", 323, dict(involved_in_criminal_act=True), NR),
    ("homelessness", "c3", 323, dict(multiple_people_targeted=True), C),
    ("homelessness", "r3", 323, dict(targeted_for_abuse_or_exploitation=True), R),
]

GUERNSEY_SAMPLES = [
    ("physical", "n3", 139, dict(moving_handling_not_followed_once=True), NR),
    ("physical", "c6", 139, dict(prior_similar_concerns=2), C),
    ("physical", "r2", 139, dict(assault=True), R),
    ("sexual", "n2", 145, dict(sexualised_remark_or_gesture=True), NR),
    ("sexual", "c2", 145, dict(sexualised_teasing_or_harassment=True), C),
    ("sexual", "r4", 145, dict(voyeurism=True), R),
    ("psychological", "n4", 152, dict(information_withheld="not_to_disempower"), NR),
    ("psychological", "c4", 152, dict(information_withheld="to_disempower"), C),
    ("psychological", "r8", 152, dict(cyberbullying=True), R),
    ("financial", "n6", 158, dict(cold_calling=True), NR),
    ("financial", "c3", 158, dict(impact="some"), C),
    ("financial", "r2", 158, dict(restricted_access_to_finances=True), R),
    ("neglect", "n4", 164, dict(missed_visits=1), NR),
    ("neglect", "c4", 164, dict(wellbeing_compromised_ongoing_lack_of_care=True), C),
    ("neglect", "r1", 164, dict(gross_neglect=True), R),
    ("organisational", "n4", 169, dict(incompatible_service_design=True), NR),
    ("organisational", "c2", 169, dict(dignity_undermined=True), C),
    ("organisational", "r9", 169, dict(incompatible_service_design=True, impact="some"), R),
    ("discriminatory", "n3", 174, dict(prejudicial_remark=True), NR),
    ("discriminatory", "c3", 174, dict(risk_of_escalation=True), C),
    ("discriminatory", "r1", 174, dict(hate_motivated=True, threats_made=True), R),
    ("modern_slavery", "c1", 179, dict(modern_slavery_concern=True), C),
    ("modern_slavery", "c5", 179, dict(lives_in_workplace=True), C),
    ("modern_slavery", "r3", 179, dict(id_documents_held_by_controller=True), R),
    ("domestic_abuse", "n2", 184, dict(no_vulnerabilities_or_fears_identified=True), NR),
    ("domestic_abuse", "c3", 184, dict(power_imbalance=True), C),
    ("domestic_abuse", "r3", 184, dict(physical_evidence_of_violence=True), R),
    ("self_neglect", "n1", 189, dict(early_signs_of_self_neglect=True), NR),
    ("self_neglect", "c4", 189, dict(collecting_animals_inappropriately=True), C),
    ("self_neglect", "r7", 189, dict(appears_malnourished=True), R),
    ("pressure_ulcers", "n1", 194, dict(ulcer_severity="category_1_or_2", care_plan_implemented=True), NR),
    ("pressure_ulcers", "c3", 194, dict(ulcer_severity="category_1_or_2", multiple_ulcers=True, prior_similar_concerns=1,
                                        care_plan_in_place=True, care_plan_implemented=True, **ADVICE), C),
    ("pressure_ulcers", "r6", 194, dict(ulcer_severity="category_3_or_4", impact="significant", care_plan_in_place=True,
                                        care_plan_implemented=True, **ADVICE), R),
    ("falls", "n1", 202, dict(**WELL_MANAGED), NR),
    ("falls", "c1", 202, dict(falls_requiring_hospital_in_6_months=2), C),
    ("falls", "r1", 202, dict(impact="significant", procedures_not_followed=True), R),
    ("medication_errors", "n3", 210, dict(prescribing_or_dispensing_error=True), NR),
    ("medication_errors", "c4", 210, dict(covert_without_authorisation=True), C),
    ("medication_errors", "r5", 210, dict(fabricated_or_induced_illness=True), R),
    ("neglect_unsafe_discharge", "n1", 222, dict(covid_status_at_discharge="both_negative"), NR),
    ("neglect_unsafe_discharge", "c1", 222, dict(covid_status_at_discharge="status_unknown"), C),
    ("neglect_unsafe_discharge", "r1", 222, dict(covid_status_at_discharge="positive_no_safety_measures"), R),
]


def _rows():
    for profile, seed, rows in (("sussex", "002", [(PEER, *r) for r in SUSSEX_PEER_ROWS] + SUSSEX_SAMPLES),
                                ("guernsey", "003", [(PEER, *r) for r in GUERNSEY_PEER_ROWS] + GUERNSEY_SAMPLES)):
        for category, short, line, facts, level in rows:
            cited = "001" if line == 15 else seed
            first = next(iter(facts), "no-facts")
            ident = f"{cited}:{line}:{profile}:{category}.{short}:{level}:{first}"
            yield pytest.param(profile, category, f"{category}.{short}", line, facts, level, id=ident)


@pytest.mark.parametrize("profile_name, category, indicator, line, facts, level", list(_rows()))
def test_seed_row(profile_name, category, indicator, line, facts, level):
    decision = assess(load_profile(profile_name), category, facts)
    matched = {m.id: m for m in decision.matched}
    assert indicator in matched, f"{indicator} did not match; matched {list(matched)}"
    assert matched[indicator].source.line == line
    assert matched[indicator].level == level
    assert decision.level == level, decision.rationale
    assert decision.rag == {"non_reportable": "green", "consultation": "yellow", "reportable": "red"}[level]


def test_every_peer_example_row_has_a_case():
    # "every example row of the incidents-between-adults tables of both seeds"
    for profile, rows in ((SUSSEX, SUSSEX_PEER_ROWS), (GUERNSEY, GUERNSEY_PEER_ROWS)):
        tested = {f"{PEER}.{short}" for short, *_ in rows}
        evaluated = {i.id for i in profile.category(PEER).indicators if i.when is not None}
        assert evaluated == tested, sorted(evaluated ^ tested)


def test_every_other_table_has_a_sample_at_each_level_it_has():
    for profile, samples in ((SUSSEX, SUSSEX_SAMPLES), (GUERNSEY, GUERNSEY_SAMPLES)):
        for cat in profile.categories:
            if cat.key == PEER:
                continue
            levels_with_examples = {i.level for i in cat.indicators if i.kind == "example"}
            sampled = {level for key, _, _, _, level in samples if key == cat.key}
            assert sampled == levels_with_examples, (profile.name, cat.key)
