"""Read models use an amendment's values from the amendment on (issue 22): the national return
(an instant corrected moves the case between the collection's years), the commissioner records,
the governance audits, the case list and the board; a threshold level or a closure outcome
changed on review is the case's from then on. "As at" before the amendment shows the original,
and a rebuild from zero gives what the live fold gave.

The amendments are appended as the decider records them (tests/amending.py), so the read side is
tested on the facts alone.

    AM-1  raised 2028-03-20 (the collection's year 2027), referred; the local authority decided on
          a section 42 enquiry at 10:00 BST on 31 March 2028 and concluded it at 14:00 BST the same
          day: both in 2027's year. On 3 April the decision is corrected to 1 April and the
          conclusion to 2 April (both in 2028's year); the concern's record, "a clash in the lounge"
          (minimising language), is corrected to name what happened; the seriousness assessment's
          notes are corrected, so its threshold level is reviewed and changed to consultation.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.facts import DecisionReviewed, StepAmended
from domain.governance import WEEKLY, gaps_after, targeting_gaps
from projections.case_list import CaseList
from projections.commissioner import CommissionerRecords, commissioner_records, service_history
from projections.dashboard import LiveCases, dashboard
from projections.feed import ProjectionFeed, as_at
from projections.governance import GovernanceFacts, audit_figures
from projections.national import NationalReturnCases, national_report
from projections.registry import open_documents, read_models
from tests.amending import amend, review
from tests.conftest import concern
from tests.pure_case import PureCase
from tests.test_evidence_pack import closed_case

pytestmark = pytest.mark.unit

SVC = {"id": "SVC-AM", "name": "Ash House", "provider": "Northgate Care", "client_group": "learning disability"}
MODELS = (LiveCases, CommissionerRecords, GovernanceFacts, NationalReturnCases, CaseList)
BEFORE = datetime.fromisoformat("2028-04-03T09:00:00+01:00")  # after the case's records, before any amendment


def am1(records) -> PureCase:
    case = PureCase(concern("2028-03-20T10:00:00+00:00", case_id="AM-1", service=SVC))
    case.complete("record_concern", behaviour_observed="a clash in the lounge")
    for step in ("peer_risk_review", "seriousness_assessment", "route_decision"):
        case.complete(step)
    case.complete("external_referral", referred_at="2028-03-20T11:00:00+00:00")
    case.at("2028-03-31T12:00:00+01:00")
    case.complete("la_response", referral_received_at="2028-03-25T10:00:00+00:00", la_decision="section_42_enquiry",
                  la_decided_at="2028-03-31T10:00:00+01:00")
    case.at("2028-03-31T15:00:00+01:00")
    case.complete("la_enquiry_outcome", enquiry_concluded_at="2028-03-31T14:00:00+01:00")
    records.record("AM-1", 1, case.facts)
    return case


def amended_am1(records) -> PureCase:
    case = am1(records)
    n = len(case.facts)
    amend(case, "la_response", "2028-04-03T10:00:00+01:00", la_decided_at="2028-04-01T09:00:00+00:00")
    amend(case, "la_enquiry_outcome", "2028-04-03T10:05:00+01:00", enquiry_concluded_at="2028-04-02T13:00:00+00:00")
    amend(case, "record_concern", "2028-04-03T10:10:00+01:00", actor="SSW-14", role="senior_support_worker",
          reason="named what was seen", behaviour_observed="A-204 pushed A-117 against the lounge door")
    amend(case, "seriousness_assessment", "2028-04-03T10:15:00+01:00", notes="a second witness came forward")
    review(case, 4, "2028-04-04T10:00:00+01:00", new="consultation")
    records.record("AM-1", n + 1, case.facts[n:])
    return case


def feed(records) -> ProjectionFeed:
    f = ProjectionFeed(records, open_documents(records), [m() for m in MODELS])
    f.catch_up()
    return f


def then(records, instant: datetime = BEFORE):
    return as_at(records, [m() for m in MODELS], instant)


def test_every_read_model_of_a_case_reads_the_amendment_facts():
    for model in read_models():
        if {"StepCompleted", "ThresholdDecisionFiled"} & {t.__name__ for t in model.handles}:
            assert StepAmended in model.handles and DecisionReviewed in model.handles, model.name


def test_the_national_return_counts_the_corrected_instants_and_level(records):
    amended_am1(records)
    now, before = feed(records).documents, then(records)
    for docs, year, started, concluded in ((before, 2027, 1, 1), (now, 2027, 0, 0), (before, 2028, 0, 0), (now, 2028, 1, 1)):
        r = national_report(docs, year)
        assert r["sg1f"]["section_42_enquiries"] == started, (docs is now, year)
        assert r["section_42"]["concluded"] == concluded, (docs is now, year)
    # received on 25 March either way: a concern of 2027's year, before and after
    assert national_report(now, 2027)["sg1f"]["concerns"] == national_report(before, 2027)["sg1f"]["concerns"] == 1
    # the level, decided anew on review, is the provider's figure now; the original as at before it
    assert national_report(before, 2027)["provider"]["by_threshold_level"]["reportable"] == 1
    levels = national_report(now, 2027)["provider"]["by_threshold_level"]
    assert (levels["reportable"], levels["consultation"]) == (0, 1)
    assert national_report(now, 2028)["services"] == [{"service_id": "SVC-AM", "concerns_raised": 0, "concerns_received": 0,
                                                       "section_42_enquiries": 1, "enquiries_concluded": 1}]


def test_governance_reads_the_corrected_targeting_detail(records):
    amended_am1(records)
    start, end = WEEKLY.period.bounds(date(2028, 3, 27))  # the week of 20 March: the concern was recorded then
    live = audit_figures(feed(records).documents, "weekly", start, end)
    original = audit_figures(then(records), "weekly", start, end)
    assert original["records_missing_targeting_detail"] == 1
    assert original["cases"]["missing_targeting_detail"] == {"AM-1": ["behaviour_observed uses minimising language"]}
    assert live["records_missing_targeting_detail"] == 0 and live["cases"]["missing_targeting_detail"] == {}


@pytest.mark.parametrize("gaps, corrected, record", [
    (["initiated_by names no adult by id", "behaviour_observed under 3 words"], {"initiated_by": "A-204"},
     {"initiated_by": "A-204", "behaviour_observed": "shoved"}),
    (["behaviour_observed uses minimising language"], {"initiated_by": "someone", "notes": "x"},
     {"initiated_by": "someone", "behaviour_observed": "a clash in the lounge"}),
    ([], {"behaviour_observed": "clash"}, {"initiated_by": "A-204", "behaviour_observed": "clash"}),
])
def test_corrected_targeting_gaps_are_those_of_the_corrected_record(gaps, corrected, record):
    assert gaps_after(gaps, corrected) == targeting_gaps(record)


def test_the_commissioner_record_the_case_list_and_the_board_take_the_reviewed_level(records):
    case = amended_am1(records)
    now, before = feed(records).documents, then(records)
    (earlier,) = service_history(now, "SVC-AM")["earlier_concerns"]
    assert earlier["threshold_level"] == "consultation"
    assert service_history(before, "SVC-AM")["earlier_concerns"][0]["threshold_level"] == "reportable"
    rows = {d["case_id"]: d for _, d in now.scan(CaseList.name)}
    assert rows["AM-1"]["level"] == "consultation"
    assert {d["case_id"]: d for _, d in before.scan(CaseList.name)}["AM-1"]["level"] == "reportable"
    board = dashboard(now, case.now, case.policy.calendar)
    assert [c["threshold_level"] for c in board["live_cases"] if c["case_id"] == "AM-1"] == ["consultation"]
    assert [c["threshold_level"] for c in dashboard(before, BEFORE, case.policy.calendar)["live_cases"]] == ["reportable"]
    # the review step is open on the board until it is done, then gone
    review_rows = [d for d in dashboard(then(records, datetime.fromisoformat("2028-04-03T12:00:00+01:00")),
                                        BEFORE, case.policy.calendar)["deadlines"] if d["step"] == "decision_review"]
    assert len(review_rows) == 1
    assert not [d for d in dashboard(now, case.now, case.policy.calendar)["deadlines"] if d["step"] == "decision_review"]


def test_a_closure_outcome_changed_on_review_is_the_cases_outcome_from_then_on(records):
    case = closed_case(records, "AM-C", service=SVC)
    n = len(case.facts)
    amend(case, "closure_learning_review", "2027-01-15T10:00:00+00:00", actor="QSL-1", role="quality_safeguarding_lead",
          reason="the lessons were another case's", lessons="Supervision of the lounge was too thin")
    review(case, 1, "2027-01-15T12:00:00+00:00", new="unsubstantiated", actor="QSL-1")
    records.record("AM-C", n + 1, case.facts[n:])
    instant = datetime.fromisoformat("2027-01-15T09:00:00+00:00")
    now, before = feed(records).documents, then(records, instant)

    def outcomes(docs):
        (record,) = [r for r in commissioner_records(docs) if r["service_id"] == "SVC-AM"]
        return {k: v for k, v in record["outcomes"].items() if v}
    assert outcomes(before) == {"substantiated": 1} and outcomes(now) == {"unsubstantiated": 1}
    assert {d["case_id"]: d for _, d in now.scan(CaseList.name)}["AM-C"]["outcome"] == "unsubstantiated"
    start, end = datetime.fromisoformat("2027-01-01T00:00:00+00:00"), datetime.fromisoformat("2027-02-01T00:00:00+00:00")
    month, original = audit_figures(now, "monthly", start, end), audit_figures(before, "monthly", start, end)
    assert original["substantiation_outcomes"]["substantiated"] == 1 and original["themes"] == {"avoidance_behaviour": ["AM-C"]}
    assert month["substantiation_outcomes"] == {"substantiated": 0, "unsubstantiated": 1, "undetermined": 0}
    assert month["themes"] == {"supervision_gaps": ["AM-C"], "shared_space_controls": ["AM-C"]}


def test_a_confirmed_decision_changes_nothing(records):
    case = am1(records)
    n = len(case.facts)
    amend(case, "seriousness_assessment", "2028-04-03T10:15:00+01:00", notes="a second witness came forward")
    review(case, 1, "2028-04-04T10:00:00+01:00")
    records.record("AM-1", n + 1, case.facts[n:])
    now = feed(records).documents
    assert service_history(now, "SVC-AM")["earlier_concerns"][0]["threshold_level"] == "reportable"
    assert national_report(now, 2027)["provider"]["by_threshold_level"]["reportable"] == 1


def test_a_rebuild_from_zero_gives_what_the_live_fold_gave(records):
    live = ProjectionFeed(records, open_documents(records), [m() for m in MODELS])
    am1(records)
    live.catch_up()  # folded before the amendments, then on from there
    case = PureCase(concern("2028-03-20T10:00:00+00:00", case_id="AM-2", service=SVC))
    case.complete("record_concern")
    records.record("AM-2", 1, case.facts)
    n = len(case.facts)
    amend(case, "record_concern", "2028-03-21T10:00:00+00:00", initiated_by="someone in the lounge")
    records.record("AM-2", n + 1, case.facts[n:])
    first = am1_more(records)
    live.catch_up()
    before = {m.name: dict(live.documents.scan(m.name)) for m in MODELS}
    assert before[GovernanceFacts.name][first]["concern_record"]["targeting_gaps"] == []
    for m in MODELS:
        live.rebuild(m.name)
    assert {m.name: dict(live.documents.scan(m.name)) for m in MODELS} == before


def am1_more(records) -> str:
    """AM-1's amendments and review, appended to its stored facts; its stream's key."""
    stored = records.stored_facts("AM-1")
    case = PureCase(concern("2028-03-20T10:00:00+00:00", case_id="AM-1", service=SVC))
    case.facts = [r.fact for r in stored]
    case.now = stored[-1].fact.at
    n = len(case.facts)
    amend(case, "record_concern", "2028-04-03T10:10:00+01:00", behaviour_observed="A-204 pushed A-117 against the door")
    amend(case, "seriousness_assessment", "2028-04-03T10:15:00+01:00", notes="a second witness came forward")
    review(case, 2, "2028-04-04T10:00:00+01:00", new="non_reportable")
    records.record("AM-1", n + 1, case.facts[n:])
    return str(stored[0].stream)


def test_the_deciders_own_facts_are_read_as_the_written_out_ones(records):
    """The same corrections through the amendment decider (domain/case/amendment.py, review.py)."""
    from domain.case import decide_amendment
    from domain.concern import StepAmendment, StepCompletion
    from projections.case_history import chronology
    from projections.chronology_words import worded
    from projections.engine_words import when
    from domain.pathway import current_pathway

    case = am1(records)
    n = len(case.facts)
    case.at("2028-04-03T10:00:00+01:00")
    for step, changes in (("la_enquiry_outcome", {"enquiry_concluded_at": "2028-04-02T14:00:00+01:00"}),
                          ("la_response", {"la_decided_at": "2028-04-01T10:00:00+01:00"}),  # after it: in order
                          ("seriousness_assessment", {"notes": "a second witness came forward"})):
        a = StepAmendment(step=step, occurrence=1, changes=changes, reason="typed wrongly", actor="RM-1",
                          role="registered_manager")
        case._record(decide_amendment(case.state, a, case.now))
    case.send(StepCompletion(step="decision_review", role="registered_manager", actor="RM-2", record={
        "decision_stands": "changed", "review_reason": "a witness", "new_threshold_level": "consultation"}))
    records.record("AM-1", n + 1, case.facts[n:])
    now = feed(records).documents
    assert [national_report(now, year)["sg1f"]["section_42_enquiries"] for year in (2027, 2028)] == [0, 1]
    assert [national_report(now, year)["section_42"]["concluded"] for year in (2027, 2028)] == [0, 1]
    assert service_history(now, "SVC-AM")["earlier_concerns"][0]["threshold_level"] == "consultation"
    said = [f"{label}: {text}" for e in worded(chronology(records.stored_facts("AM-1")), current_pathway(), when)
            for label, text in e["said"]]
    assert "Date the local authority decided: changed from Fri 31 Mar 2028, 10:00 BST to Sat 1 Apr 2028, 10:00 BST" in said
    assert "Threshold level: changed from reportable to requires consultation" in said
