"""The pages' words (web/pages/words.py): every field of the current pathway, every threshold fact
and every choice has its own words (not the humanised fallback), asked as a question; and the
validators' real problems, worded as page errors, never show a field name, a JSON type or an ISO
instant."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from casework.inputs import validate
from casework.refusals import Refusal
from domain.case.decide import check_requirements
from domain.concern import REPORTER_KINDS, SOURCE_KINDS, ConcernBody
from domain.inputs import DEFAULT_RULES
from domain.pathway import current_pathway
from domain.records import RecordError, validate_record
from domain import values
from domain.threshold.engine import ThresholdFactsError, validate_facts
from domain.threshold.registry import load_profile, profile_names
from tests.conftest import concern
from tests.pure_case import PureCase
from web.pages import forms
from web.pages.words import (CHOICE_WORDS, FIELD_CHOICE_WORDS, choice_words, known, page_error, role_words,
                             words_for)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
JSON_TYPE = re.compile(r"\((?:string|number|boolean|array|object|null|text|bool|int|choice|choices|instant|percent|id)\)")
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def pathway_fields() -> list[tuple[str, str]]:
    return [(s.id, f.name) for s in current_pathway().steps for f in s.record]


def threshold_facts() -> dict[str, object]:
    return {f.name: f for n in profile_names() for c in load_profile(n).categories for f in c.facts}


def plain(text: str) -> None:
    assert not SNAKE.search(text), f"a field name in {text!r}"
    assert not JSON_TYPE.search(text), f"a JSON type in {text!r}"
    assert not ISO.search(text), f"an ISO instant in {text!r}"
    assert text[:1].isupper(), f"not a sentence: {text!r}"


def test_every_pathway_field_is_asked_as_a_question_with_a_label():
    fields = pathway_fields()
    assert len(fields) > 100
    for step, name in fields:
        words = known(name, step)
        assert words is not None, f"no words for {step}.{name}"
        assert words.question.endswith("?") and words.label, (step, name, words)
        for text in (words.question, words.hint, words.label):
            assert "_" not in text, (step, name, text)


def test_a_name_meaning_something_else_at_another_step_is_asked_there_in_its_own_words():
    assert words_for("reference", "notify_police").question != words_for("reference", "notify_regulator").question
    assert "police" in words_for("contacted_at", "notify_police").question


def test_every_threshold_fact_of_every_profile_is_asked_as_a_question():
    facts = threshold_facts()
    assert len(facts) > 200
    for name in facts:
        words = known("facts." + name)
        assert words is not None, f"no words for the fact {name}"
        assert words.question.endswith("?") and words_for("facts." + name).label, name
        assert "_" not in words.question + words.hint + words_for("facts." + name).label, name
    # a fact and a record field of the same name are asked each as itself
    assert words_for("facts.power_imbalance") != words_for("power_imbalance")


def test_every_choice_has_its_words():
    choices = [(f.name, c) for s in current_pathway().steps for f in s.record for c in f.choices]
    choices += [(f.name, c) for f in threshold_facts().values() for c in f.choices]
    choices += [("source_kind", k) for k in SOURCE_KINDS] + [("reported_by", k) for k in REPORTER_KINDS]
    choices += [("category", k) for n in profile_names() for k in load_profile(n).category_keys()]
    for name, value in choices:
        assert value in FIELD_CHOICE_WORDS.get(name, {}) or value in CHOICE_WORDS, (name, value)
        assert "_" not in choice_words(name, value)
    assert choice_words("la_decision", "section_42_enquiry") == "A section 42 enquiry"


def test_an_unknown_name_is_humanised_never_shown_as_it_is():
    assert words_for("some_new_field").question == "Some new field"
    assert role_words("designated_safeguarding_lead") == "designated safeguarding lead"


def test_the_forms_ask_the_questions():
    step = current_pathway().step("seriousness_assessment")
    field = {f.name: f for f in forms.step_fields(step)}["frequency_of_similar_incidents"]
    assert field.label == "How many similar incidents have there been?" and field.help
    impact = forms.from_fact(threshold_facts()["impact"])
    assert impact.label.endswith("?") and "_" not in " ".join(impact.extra["choice_words"].values())


# ---- the validators' own problems, worded for the page

BAD = {"text": ["", "x" * 2500, "a\x00b"], "id": ["Jane Smith", "A 1"], "bool": ["yes"],
       "int": ["twice this month", -1, 20000], "percent": [150, "half"], "choice": ["maybe"], "choices": ["x", []],
       "instant": ["", "12/06/2026", 1700000000, "2027-12-06T12:00:00+00:00"], "object": ["x"]}


def record_problems() -> list[tuple[str, str, str]]:
    """(step, field, problem) from validating empty and bad records, as the case does."""
    out = []
    for s in current_pathway().steps:
        messages = []
        try:
            validate_record(s, {}, DEFAULT_RULES, NOW)
        except RecordError as e:
            messages.append(str(e))
        for f in s.record:
            for value in BAD.get(f.type, []):
                _, problem = values.check(f.type, value, f.choices, DEFAULT_RULES, NOW)
                if problem:
                    messages.append(f"record for {s.id}: field {f.name!r} {problem}")
        for m in messages:
            by_field, rest = forms.errors_by_field(m, [f.name for f in s.record], f"record for {s.id}: ")
            assert not rest, m
            out += [(s.id, name, problem) for name, problem in by_field.items()]
    return out


REQUIRING = {  # records that make each step's conditional questions required, or answer them with filler
    "views_and_wishes": [{"asked_about_outcomes": "yes_outcomes_expressed"}, {"asked_about_outcomes": "no_other_reason"},
                         {"asked_about_outcomes": "yes_outcomes_expressed", "outcomes_expressed": "n/a"}],
    "capacity_and_advocacy": [{"adult_may_lack_capacity": True, "source_may_lack_capacity": True},
                              {"adult_may_lack_capacity": True, "advocate_arranged": False}],
    "mediation": [{"mediation_offered": True}, {"mediation_offered": False}],
    "intervention_plan": [{"added_to_care_plan": False, "review_interval_days": 0}],
    "la_response": [{"referral_received_at": "2027-01-14T10:00:00+00:00", "la_decided_at": "2027-01-13T10:00:00+00:00"}],
    "la_enquiry_outcome": [{"risk_assessment_outcome": "risk_identified_action_taken", "lacked_capacity": "yes"}],
    "inform_family": [{"family_informed": True}, {"family_informed": False},
                      {"family_informed": True, "informed_at": "2027-01-01T10:00:00+00:00"}],
    "closure_learning_review": [{"risk_outcome": "remains"}],
}


def requirement_problems() -> list[tuple[str, str, str]]:
    case = PureCase(concern("2027-01-12T09:30:00+00:00"))
    out = []
    for step_id, records in REQUIRING.items():
        step = current_pathway().step(step_id)
        for record in records:
            with pytest.raises(Exception) as refused:
                check_requirements(case.state, step, record)
            message = str(refused.value)
            by_field, rest = forms.errors_by_field(message, [f.name for f in step.record], f"record for {step_id}: ")
            out += [(step_id, name, problem) for name, problem in by_field.items()]
            out += [(step_id, "", problem) for problem in rest]
    return out


def concern_problems() -> list[tuple[str, str]]:
    good = concern("2026-12-06T11:00:00+00:00", raised_by={"actor": "SSW-14", "role": "senior_support_worker"})
    bodies = [
        {**good, "identified_at": "", "adult_at_risk": {"id": "Jane Smith"}, "alleged_source": {"id": ""}, "summary": "",
         "service": {"id": "S 1", "name": "", "provider": "p", "client_group": "c"}},
        {**good, "identified_at": "2027-12-06T12:00:00+00:00"},
        {**good, "identified_at": "2026-06-06T12:00:00+00:00"},
        {**good, "summary": "x" * 5000},
        {**good, "alleged_source": {"kind": "visitor", "id": "V-1"}},
        {**good, "alleged_source": {"id": "A-117"}},
    ]
    out = []
    for body in bodies:
        with pytest.raises(Refusal) as refused:
            validate(body, ConcernBody, "concern", DEFAULT_RULES.context(NOW))
        by_field, rest = forms.errors_by_field(refused.value.message, ["identified_at", "service", "adult_at_risk",
                                                                       "alleged_source", "summary"], "concern: ")
        out += list(by_field.items()) + [("", r) for r in rest]
    return out


def fact_problems() -> list[tuple[str, str]]:
    profile = load_profile("sussex")
    cat = profile.category("incidents_between_adults")
    try:
        validate_facts(profile, cat, {"prior_incidents_same_source": "twice", "impact": "lots", "intentional_harm": "yes"})
    except ThresholdFactsError as e:
        return [(re.match(r"fact '(\w+)'", p).group(1), p) for p in str(e).split("; ")]
    raise AssertionError("bad facts were accepted")


def test_every_record_problem_reads_as_a_page_error():
    problems = record_problems()
    assert len(problems) > 300
    for step, name, problem in problems:
        plain(page_error(name, problem, step))


def test_conditional_requirements_read_as_page_errors():
    problems = requirement_problems()
    assert {name for _, name, _ in problems} >= {"outcomes_expressed", "not_asked_reason", "source_views",
                                                 "advocate_not_arranged_reason", "mediation_by",
                                                 "mediation_not_offered_reason", "not_on_care_plan_reason",
                                                 "enquiry_risk_outcome", "who_was_informed", "risk_remains_reason",
                                                 "la_decided_at"}
    for step, name, problem in problems:
        worded = page_error(name, problem, step) if name else forms.scrubbed(problem, step)
        plain(worded)
    assert page_error("la_decided_at", next(p for _, n, p in problems if n == "la_decided_at"), "la_response") == (
        "Date the local authority decided must be after the date the referral was received")


def test_concern_problems_read_as_page_errors():
    worded = {name: page_error(name, problem) for name, problem in concern_problems() if name}
    for text in worded.values():
        plain(text)
    for name, problem in concern_problems():
        plain(page_error(name, problem) if name else forms.scrubbed(problem))
    said = [page_error(n, p) if n else forms.scrubbed(p) for n, p in concern_problems()]
    assert "Adult at risk must be an id like A-117, not a name" in said
    assert "Date the concern was identified must be today or in the past" in said
    assert "Date the concern was identified must be a real date, and the time like 14:30" in said
    assert "What happened must be 4,000 characters or fewer" in said
    assert "The adult at risk and the alleged source must be different people" in said


def test_threshold_fact_problems_read_as_page_errors():
    for name, problem in fact_problems():
        plain(page_error("facts." + name, problem))
    said = {name: page_error("facts." + name, problem) for name, problem in fact_problems()}
    assert said["prior_incidents_same_source"] == "Earlier incidents with other adults must be a whole number, like 2"
    assert said["intentional_harm"].startswith("Select yes or no")


@pytest.mark.parametrize("name, problem, words", [
    ("identified_at", "missing", "Enter the date the concern was identified"),
    ("frequency_of_similar_incidents",
     "field 'frequency_of_similar_incidents' expects a whole number, 0 or more, got \"twice this month\" (string)",
     "Number of similar incidents must be a whole number, like 2"),
    ("source_still_has_access", "missing field 'source_still_has_access' (bool)",
     "Select yes or no for alleged source still has access"),
])
def test_the_issues_examples(name, problem, words):
    assert page_error(name, problem) == words


def test_a_development_with_no_kind_chosen_is_asked_to_select_one():
    """Found by a new-user trial: the validator's own list ("Input should be 'new_incident', ...")."""
    from domain.concern import Development
    with pytest.raises(Exception) as refused:
        Development.model_validate({"kind": "", "summary": "A-204 came back"})
    problem = refused.value.errors()[0]["msg"]
    assert problem.startswith("Input should be")
    assert page_error("kind", problem) == "Select the kind of development"
