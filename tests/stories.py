"""Whole cases told as stories, shared by tests and the replay-history recorder."""

from __future__ import annotations

from tests.cases import Case


async def full_pathway(case: Case) -> None:
    """Tuesday 12 January 2027: every step of 001 done on time, with one day of follow-up."""
    await case.at("2027-01-12T09:40:00+00:00")
    await case.complete("record_concern")
    await case.at("2027-01-12T10:00:00+00:00")
    await case.complete("peer_risk_review")
    await case.complete("route_decision")  # external threshold met: the referral opens
    await case.at("2027-01-12T11:00:00+00:00")
    await case.complete("seriousness_assessment")
    await case.complete("external_referral")
    await case.complete("follow_up_plan")
    await case.complete("notify_regulator")  # CQC Regulation 18, the same working day
    await case.at("2027-01-12T11:30:00+00:00")
    await case.complete("capacity_and_advocacy")
    await case.complete("views_and_wishes")
    await case.complete("inform_family")
    await case.complete("protection_plan")
    await case.complete("implementation_check")
    await case.complete("chronology_update")
    await case.complete("pattern_impact_review")
    await case.complete("service_risk_review")
    await case.at("2027-01-12T16:30:00+00:00")
    await case.complete("follow_up_review", stabilised=False)  # not yet stable: another review tomorrow
    await case.at("2027-01-13T16:00:00+00:00")
    await case.complete("follow_up_review", stabilised=True)
    await case.complete("la_response")  # the local authority made a section 42 enquiry
    await case.complete("la_enquiry_outcome", enquiry_concluded_at="2027-01-13T15:30:00+00:00")
    await case.complete("conclude_case")
    await case.at("2027-01-14T10:00:00+00:00")
    await case.complete("closure_learning_review")


async def missed_and_escalated(case: Case) -> None:
    """Late recording, live risk, a development, then three weeks of missed oversight reviews."""
    await case.at("2027-01-12T10:20:00+00:00")
    await case.complete("record_concern", role="registered_manager")
    await case.complete("peer_risk_review", source_still_has_access=True)
    await case.development("new_incident", "second incident in the lounge")
    await case.at("2027-02-02T12:00:00+00:00")


async def amended(case: Case) -> None:
    """Records corrected (issue 22): free text, an id and a time; the route decision's notes, whose
    review changes the route; the assessment's notes, whose review is missed, escalated, then confirmed."""
    await case.at("2027-01-12T09:40:00+00:00")
    await case.complete("record_concern", actor="SSW-1")
    await case.at("2027-01-12T10:00:00+00:00")
    await case.complete("peer_risk_review")
    await case.complete("route_decision", actor="DSL-1")  # external threshold met: the referral opens
    await case.at("2027-01-12T11:00:00+00:00")
    await case.complete("seriousness_assessment", actor="RM-1")
    await case.complete("external_referral", actor="DSL-1")
    await case.amend("record_concern", "a resident's name was typed in", actor="SSW-1", request_id="SSW-1:a-1",
                     behaviour_observed="blocked the lounge door and shouted", initiated_by="A-300")
    await case.amend("external_referral", "the time of the wrong call", actor="DSL-1", referred_at="2027-01-12T10:50:00+00:00")
    await case.amend("route_decision", "the locked door was left out", actor="DSL-1", notes="the lounge door was locked")
    await case.attempt("decision_review", role="designated_safeguarding_lead", record={
        "decision_stands": "changed", "review_reason": "a locked door changes the route", "new_external_threshold_met": False})
    await case.amend("seriousness_assessment", "fear was seen at lunch too", actor="RM-1", notes="fear at lunch")
    await case.at("2027-01-14T11:30:00+00:00")  # its review is not done within 2 working days: escalated
    await case.attempt("decision_review", role="designated_safeguarding_lead", record={
        "decision_stands": "confirmed", "review_reason": "lunch changes nothing"})


async def corrected_closed(case: Case) -> None:
    """A closed case's closure corrected weeks later, at an inspection (issue 22): a run of its own
    takes the correction; the closure's review is missed and escalated, then changes the outcome; the
    run ends. (The history recorded is that run's.)"""
    from casework.temporal.corrections import amend_closed
    from domain.concern import StepAmendment
    from encryption.seal import sealing_key

    await full_pathway(case)
    await case.at("2027-03-01T10:00:00+00:00")
    driver = case.driver
    await amend_closed(driver.env.client, driver.settings, sealing_key(driver.settings), case.id, case.facts(), StepAmendment(
        step="closure_learning_review", occurrence=1, changes={"lessons": "seat-changing was avoidance, and so was the lounge"},
        reason="the inspection found the lessons cut short", actor="RM-1", role="registered_manager"))
    await case.at("2027-03-04T10:00:00+00:00")  # its review is not done within 2 working days: escalated
    await case.recorded("Escalated")
    await case.attempt("decision_review", role="operations_director", record={
        "decision_stands": "changed", "review_reason": "the lounge incident was not borne out",
        "new_substantiation_outcome": "unsubstantiated"})
    await case.handle.result()  # the correction's run ends once no review is open
