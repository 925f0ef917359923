"""Amendments (issue 22) as pure decisions: a completed record corrected by an addendum, the original
kept; only ids, times and free text; by the author or a manager or safeguarding lead; a decision that
rested on the record stands, and its maker reviews it in a step of its own."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.access import Assignment, Principal, may_amend
from domain.amendments import DECISION_FIELDS, amendable_fields, decisions_resting_on, review_step
from domain.case import CaseState, Rejected, decide_amendment, replay
from domain.case.policy import CasePolicy
from domain.concern import StepAmendment, StepCompletion
from domain.pathway import current_pathway
from domain.policy import RecordField
from domain.inputs import DEFAULT_RULES
from tests.pure_case import policy_for
from tests.test_decider import case, types

pytestmark = pytest.mark.unit
UTC = timezone.utc
PATHWAY = current_pathway()


def amendment(step: str, role: str = "registered_manager", actor: str = "RM-1", occurrence: int = 1,
              reason: str = "recorded in error", **changes) -> StepAmendment:
    return StepAmendment(step=step, occurrence=occurrence, changes=changes, reason=reason, actor=actor, role=role)


def amend(c, a: StepAmendment):
    return c._record(decide_amendment(c.state, a, c.now))


def review(c, role: str, **record):
    return c.send(StepCompletion(step="decision_review", role=role, actor="DSL-1", record=record))


def recorded():
    """Tuesday 12 January 2027: the concern recorded, under the input rules a case records when it is
    raised (ids, text, no instant in the future); at 10:00, when the route is decided."""
    p = policy_for(datetime(2027, 1, 12, tzinfo=UTC))
    ruled = CasePolicy(pathway=p.pathway, calendar=p.calendar, threshold_profile=p.threshold_profile, holidays=p.holidays,
                       inputs=DEFAULT_RULES)
    c = case(policy=ruled).at("2027-01-12T09:40:00+00:00")
    c.complete("record_concern", actor="SSW-1")
    return c.at("2027-01-12T10:00:00+00:00")


def started():
    """Tuesday 12 January 2027: the concern recorded, the route decided (threshold met), the referral made;
    under the input rules a case records when it is raised (ids, text, no instant in the future)."""
    c = recorded()
    c.complete("route_decision", actor="DSL-1")
    c.at("2027-01-12T11:00:00+00:00")
    c.complete("external_referral", actor="DSL-1")
    return c


def test_the_pathway_says_which_fields_may_be_corrected_ids_times_and_free_text_by_default():
    route = PATHWAY.step("route_decision")
    assert [f.name for f in amendable_fields(route)] == ["override_reason", "notes"]  # never the route itself
    assert [f.name for f in amendable_fields(PATHWAY.step("external_referral"))] == [
        "referred_at", "receiving_authority", "rationale", "notes"]
    assert [f.name for f in amendable_fields(PATHWAY.step("record_concern"))][:2] == ["behaviour_observed", "initiated_by"]
    said = route.model_copy(update={"record": (RecordField(name="x", type="bool", amendable=True),
                                               RecordField(name="y", type="text", amendable=False))})
    assert [f.name for f in amendable_fields(said)] == ["x"]  # the pathway's own word wins
    assert DECISION_FIELDS == {"threshold_level": ("seriousness_assessment", "threshold_level"),
                               "route": ("route_decision", "external_threshold_met"),
                               "closure": ("closure_learning_review", "substantiation_outcome")}
    assert [decisions_resting_on(PATHWAY, s) for s in ("seriousness_assessment", "route_decision",
                                                        "closure_learning_review", "protection_plan")] == [
        ("threshold_level",), ("route",), ("closure",), ()]
    r = review_step(PATHWAY, "threshold_level", "registered_manager")
    assert (r.id, r.role, r.deadline.describe()) == ("decision_review", "registered_manager", "within 2 working days")
    assert [(f.name, f.type, f.required) for f in r.record] == [
        ("decision_stands", "choice", True), ("review_reason", "text", True), ("new_threshold_level", "choice", False)]
    assert r.record[2].choices == ("non_reportable", "consultation", "reportable")
    assert review_step(PATHWAY, "route", "operations_director").record[2].type == "bool"


def test_an_id_a_time_and_free_text_corrected_with_old_and_new_values_the_original_kept():
    c = started()
    original = c.state.completed["record_concern"].record
    [fact] = amend(c, amendment("record_concern", role="senior_support_worker", actor="SSW-1",
                                behaviour_observed="pushed A-117 at the lounge door", initiated_by="A-300", notes="seen by TL"))
    assert (fact.type, fact.amendment, fact.actor, fact.role, fact.reason, fact.decisions, fact.review) == (
        "StepAmended", 1, "SSW-1", "senior_support_worker", "recorded in error", (), None)
    assert [(x.field, x.old, x.new) for x in fact.changes] == [
        ("behaviour_observed", "blocked the lounge door", "pushed A-117 at the lounge door"),
        ("initiated_by", "A-204", "A-300"), ("notes", None, "seen by TL")]
    assert c.state.completed["record_concern"].record["initiated_by"] == "A-300"
    [when] = amend(c, amendment("external_referral", role="designated_safeguarding_lead",
                                referred_at="2027-01-12T10:50:00+01:00"))
    assert [(x.old, x.new) for x in when.changes] == [("2027-01-12T11:00:00+00:00", "2027-01-12T09:50:00+00:00")]
    assert when.amendment == 2
    [again] = amend(c, amendment("record_concern", notes=None))  # an answer taken away, by a manager
    assert [(x.field, x.old, x.new) for x in again.changes] == [("notes", "seen by TL", None)]
    assert "notes" not in c.state.completed["record_concern"].record
    assert original["behaviour_observed"] == "blocked the lounge door"  # the completion's own fact is as it was
    assert c.facts[[f.type for f in c.facts].index("StepCompleted")].record["behaviour_observed"] == "blocked the lounge door"
    assert replay(CaseState(case_id=c.state.case_id, concern=c.state.concern, policy=c.policy), c.facts) == c.state


@pytest.mark.parametrize("a, words", [
    (amendment("route_decision", external_threshold_met=False), "'external_threshold_met' cannot be corrected: a decision"),
    (amendment("record_concern", colour="red"), "unknown field 'colour'"),
    (amendment("record_concern"), "name at least one field to correct"),
    (amendment("record_concern", reason="   ", notes="x"), "reason: is empty or only spaces"),
    (amendment("record_concern", behaviour_observed="blocked the lounge door"), "nothing to correct"),
    (amendment("record_concern", behaviour_observed=None), "missing field 'behaviour_observed'"),
    (amendment("external_referral", role="designated_safeguarding_lead", referred_at="2027-01-12T12:00:00+00:00"),
     "is in the future"),
    (amendment("external_referral", role="designated_safeguarding_lead", referred_at="2027-01-11T09:00:00+00:00"),
     "before the concern was identified"),
    (amendment("external_referral", role="designated_safeguarding_lead", referred_at="yesterday"), "expects an ISO 8601"),
    (amendment("protection_plan", notes="x"), "not completed"),
    (amendment("record_concern", occurrence=2, notes="x"), "not completed"),
    (amendment("no_such_step", notes="x"), "unknown step"),
    (amendment("decision_review", notes="x"), "a decision's review is not corrected"),
    (amendment("record_concern", role="team_leader", actor="TL-1", notes="x"), "only the person who completed"),
])
def test_a_bad_amendment_is_refused_and_nothing_is_recorded(a, words):
    c = started()
    before = c.state
    with pytest.raises(Rejected, match=None) as refused:
        decide_amendment(c.state, a, c.now)
    assert words in str(refused.value)
    assert c.state == before


def test_who_may_correct_a_record_the_author_or_a_manager_or_lead_at_the_service():
    elm = "SVC-ELM"
    author = Principal("SSW-1", "x", (Assignment("senior_support_worker", elm),))
    other = Principal("TL-1", "x", (Assignment("team_leader", elm),))
    moved = Principal("SSW-1", "x", (Assignment("senior_support_worker", "SVC-OAK"),))
    lead = Principal("DSL-9", "x", (Assignment("designated_safeguarding_lead", None),))
    inspector = Principal("INS-1", "x", (Assignment("inspector", None, ("C-1",), datetime(2099, 1, 1, tzinfo=UTC)),))
    admin = Principal("ADM-1", "x", (Assignment("administrator", None),))
    assert may_amend(author, elm, "record_concern", "SSW-1").role == "senior_support_worker"
    assert may_amend(lead, elm, "record_concern", "SSW-1").role == "designated_safeguarding_lead"
    for refused in (other, moved, inspector, admin):
        d = may_amend(refused, elm, "record_concern", "SSW-1")
        assert not d and d.reason.startswith("Only the person who recorded this step (Record the initial peer-to-peer concern)")
    assert "You are a team leader there." in may_amend(other, elm, "record_concern", "SSW-1").reason
    # the case agrees: the author in any role, or a manager or lead
    c = started()
    amend(c, amendment("record_concern", role="team_leader", actor="SSW-1", notes="x"))
    with pytest.raises(Rejected) as refused:
        decide_amendment(c.state, amendment("record_concern", role="team_leader", actor="TL-1", notes="y"), c.now)
    assert refused.value.kind == "not_permitted"


def test_correcting_the_route_decision_opens_its_review_and_a_changed_route_is_recorded():
    c = started()
    facts = amend(c, amendment("route_decision", role="designated_safeguarding_lead", actor="DSL-2",
                               notes="the lounge door was locked"))
    assert types(facts) == ["StepAmended", "StepOpened"]
    amended, opened = facts
    assert amended.decisions == ("route",) and amended.review.id == "decision_review"
    assert (amended.review.role, opened.step, opened.occurrence, opened.role) == (
        "designated_safeguarding_lead", "decision_review", 1, "designated_safeguarding_lead")
    assert opened.due == datetime(2027, 1, 14, 11, 0, tzinfo=UTC) and opened.deadline == "within 2 working days"
    assert c.state.find_open("decision_review") is not None
    with pytest.raises(Rejected, match="record the new decision"):
        review(c, "designated_safeguarding_lead", decision_stands="changed", review_reason="the door changes it")
    with pytest.raises(Rejected, match="is the decision already recorded"):
        review(c, "designated_safeguarding_lead", decision_stands="changed", review_reason="x", new_external_threshold_met=True)
    with pytest.raises(Rejected, match="cannot complete decision_review"):
        c.send(StepCompletion(step="decision_review", role="team_leader", actor="TL-1",
                              record={"decision_stands": "confirmed", "review_reason": "x"}))
    done = review(c, "designated_safeguarding_lead", decision_stands="changed", review_reason="a locked door is not abuse",
                  new_external_threshold_met=False)
    assert types(done) == ["StepCompleted", "DecisionReviewed"]
    reviewed = done[1]
    assert (reviewed.amendment, reviewed.decision, reviewed.step, reviewed.occurrence, reviewed.outcome, reviewed.reason) == (
        1, "route", "route_decision", 1, "changed", "a locked door is not abuse")
    assert [(x.field, x.old, x.new) for x in reviewed.changes] == [("external_threshold_met", True, False)]
    assert c.state.completed["route_decision"].record["external_threshold_met"] is False  # the case's route from now on
    assert not c.state.reviews and c.state.find_open("decision_review") is None
    assert c.state.find_open("external_referral") is None  # consequences are not re-run: nothing reopens or closes
    with pytest.raises(Rejected, match="already done"):
        review(c, "designated_safeguarding_lead", decision_stands="confirmed", review_reason="x")


def test_a_confirmed_threshold_decision_is_recorded_with_no_changes():
    c = started()
    c.complete("seriousness_assessment", actor="RM-1")
    level = c.state.threshold_decision.level
    [_, opened] = amend(c, amendment("seriousness_assessment", actor="RM-1", notes="fear seen at lunch too"))
    assert opened.role == "registered_manager"
    with pytest.raises(Rejected, match="the decision is confirmed, so leave new_threshold_level out"):
        review(c, "registered_manager", decision_stands="confirmed", review_reason="x", new_threshold_level="consultation")
    [_, reviewed] = review(c, "registered_manager", decision_stands="confirmed", review_reason="lunch changes nothing")
    assert (reviewed.decision, reviewed.outcome, reviewed.changes, reviewed.step) == (
        "threshold_level", "confirmed", (), "seriousness_assessment")
    assert c.state.threshold_decision.level == level
    amend(c, amendment("seriousness_assessment", actor="RM-1", notes="and at tea"))
    other = "consultation" if level != "consultation" else "reportable"
    [changed] = [f for f in review(c, "registered_manager", decision_stands="changed", review_reason="x",
                                   new_threshold_level=other) if f.type == "DecisionReviewed"]
    assert [(x.field, x.old, x.new) for x in changed.changes] == [("threshold_level", level, other)]
    assert c.state.threshold_decision.level == other and changed.amendment == 2


def test_a_missed_review_deadline_escalates_like_any_step():
    c = started()
    amend(c, amendment("route_decision", role="designated_safeguarding_lead", notes="x"))
    c.at("2027-01-14T11:01:00+00:00")
    missed = [f for f in c.facts if f.type in ("DeadlineMissed", "Escalated") and f.step == "decision_review"]
    assert [(f.type, getattr(f, "to_role", None)) for f in missed] == [("DeadlineMissed", None),
                                                                       ("Escalated", "operations_director")]
    [_, reviewed] = review(c, "operations_director", decision_stands="confirmed", review_reason="stands")
    assert reviewed.role == "operations_director"


def test_an_earlier_occurrence_of_a_recurring_step_can_still_be_corrected():
    c = started()
    c.complete("follow_up_plan")
    c.at("2027-01-12T16:30:00+00:00")
    c.complete("follow_up_review", stabilised=False, notes="A-117 named Mrs Smith")
    c.at("2027-01-13T16:00:00+00:00")
    c.complete("follow_up_review", stabilised=True)
    [fact] = amend(c, amendment("follow_up_review", occurrence=1, notes="A-117 named a visitor"))
    assert (fact.occurrence, fact.changes[0].old) == (1, "A-117 named Mrs Smith")
    assert c.state.done("follow_up_review", 1).record["notes"] == "A-117 named a visitor"
    assert "notes" not in c.state.completed["follow_up_review"].record


def test_a_later_record_keeps_its_instants_in_order():
    c = started()
    c.complete("la_response", referral_received_at="2027-01-12T11:00:00+00:00", la_decided_at="2027-01-12T11:00:00+00:00")
    with pytest.raises(Rejected, match="the local authority cannot receive the referral before it was made"):
        decide_amendment(c.state, amendment("external_referral", role="designated_safeguarding_lead",
                                            referred_at="2027-01-12T11:00:01+00:00"), c.now + timedelta(minutes=1))


def test_a_state_from_before_amendments_still_loads():
    c = started()
    old = c.state.model_dump(mode="json")
    for key in ("earlier", "amendments", "reviews"):
        old.pop(key)
    for done in old["completed"].values():
        done.pop("actor"), done.pop("role")
    loaded = CaseState.model_validate(old)
    assert loaded.completed["record_concern"].actor is None and loaded.amendments == 0
    # the author is not known: a manager or lead corrects it
    assert decide_amendment(loaded, amendment("record_concern", notes="x"), c.now)[0].amendment == 1
    with pytest.raises(Rejected, match="not known"):
        decide_amendment(loaded, amendment("record_concern", role="senior_support_worker", actor="SSW-1", notes="x"), c.now)
    assert isinstance(loaded.policy, CasePolicy)


def test_the_threshold_tools_inputs_stand_as_recorded_whatever_their_type():
    """The assessment's category chooses the tool's questions (a text field): the level rests on it as
    answered, so it is not corrected, nor are the facts and the fields answering them (the threshold
    policy names them); its notes may be."""
    from domain.amendments import amendable_fields
    from domain.pathway import SERIOUSNESS_ASSESSMENT, current_pathway

    t = current_pathway().threshold
    names = {f.name for f in amendable_fields(SERIOUSNESS_ASSESSMENT)}
    assert t.category_field not in names and t.facts_field not in names and not names & set(t.facts_from_record)
    assert SERIOUSNESS_ASSESSMENT.field(t.category_field).type == "text" and "notes" in names


def not_met():
    """The route decided below the threshold: no referral opened."""
    c = recorded()
    c.complete("route_decision", actor="DSL-1", external_threshold_met=False)
    assert "external_referral" not in c.state.occurrences
    return c


def test_a_route_changed_on_review_opens_what_the_new_route_asks_for():
    """Not a silent re-decision: the maker decides anew, then the pathway acts on it as it would have."""
    c = not_met()
    amend(c, amendment("route_decision", role="designated_safeguarding_lead", actor="DSL-1", notes="a second witness"))
    done = review(c, "designated_safeguarding_lead", decision_stands="changed", review_reason="the witness changes it",
                  new_external_threshold_met=True)
    assert types(done) == ["StepCompleted", "DecisionReviewed", "StepOpened"]
    assert (done[2].step, done[2].role, done[2].reason) == (
        "external_referral", "designated_safeguarding_lead", "decision changed on review after amendment 1")
    assert done[2].due is not None  # its deadline runs from the new decision


def test_a_level_changed_on_review_opens_the_new_levels_route_and_withdraws_nothing():
    c = not_met()
    c.complete("seriousness_assessment", actor="RM-1")
    level, opened_before = c.state.threshold_decision.level, set(c.state.occurrences)
    assert level == "reportable" and "la_consultation" not in opened_before
    amend(c, amendment("seriousness_assessment", actor="RM-1", notes="the fear was seen once only"))
    done = review(c, "registered_manager", decision_stands="changed", review_reason="one incident, no pattern",
                  new_threshold_level="consultation")
    opened = [f.step for f in done if f.type == "StepOpened"]
    assert "la_consultation" in opened and c.state.threshold_decision.level == "consultation"
    assert not [f for f in done if f.type == "StepWithdrawn"] and opened_before <= set(c.state.occurrences)


def test_a_review_recorded_before_reviews_acted_on_a_new_decision_still_acts_on_nothing():
    """Recorded reviews replay as decided: their step (recorded with the amendment) names no effect."""
    c = not_met()
    [amended, _] = amend(c, amendment("route_decision", role="designated_safeguarding_lead", actor="DSL-1", notes="x"))
    assert amended.review.effect == "acts_on_new_decision"
    old = amended.review.model_copy(update={"effect": None})
    c.state = c.state.model_copy(update={"reviews": tuple(r.model_copy(update={"step": old}) for r in c.state.reviews)})
    done = review(c, "designated_safeguarding_lead", decision_stands="changed", review_reason="x",
                  new_external_threshold_met=True)
    assert types(done) == ["StepCompleted", "DecisionReviewed"]
