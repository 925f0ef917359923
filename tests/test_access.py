"""The authorisation rules as pure functions: no server, no store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.access import (
    Assignment,
    Principal,
    assignment_problem,
    may_acknowledge,
    may_act_at,
    may_complete,
    may_read_case,
    may_read_commissioning,
    may_read_governance,
    may_read_lists,
    narrowed,
    sees_service,
)

pytestmark = pytest.mark.unit

NOW = datetime(2027, 3, 1, 9, tzinfo=timezone.utc)


def who(*assignments: Assignment) -> Principal:
    return Principal("U-1", "User 1", assignments)


def test_refusal_names_what_is_missing_and_what_is_held():
    tl = who(Assignment("team_leader", "SVC-ELM"))
    d = may_complete(tl, "SVC-ELM", "route_decision", ["designated_safeguarding_lead"])
    assert not d
    assert d.reason == ("Only a designated safeguarding lead at SVC-ELM can complete this step (Safeguarding route "
                        "decision). You are a team leader there.")


def test_a_role_held_at_another_service_does_not_count():
    dsl = who(Assignment("designated_safeguarding_lead", "SVC-OAK"))
    d = may_complete(dsl, "SVC-ELM", "route_decision", ["designated_safeguarding_lead"])
    assert not d and d.reason.endswith("You have no role there.")


def test_escalated_role_may_complete_and_is_the_role_acted_as():
    tl = who(Assignment("team_leader", "SVC-ELM"))
    assert not may_complete(tl, "SVC-ELM", "record_concern", ["senior_support_worker"])
    d = may_complete(tl, "SVC-ELM", "record_concern", ["senior_support_worker", "team_leader"])
    assert d and d.role == "team_leader"


def test_the_steps_own_role_is_preferred_when_both_are_held():
    both = who(Assignment("team_leader", "SVC-ELM"), Assignment("senior_support_worker", "SVC-ELM"))
    assert may_complete(both, "SVC-ELM", "record_concern", ["senior_support_worker", "team_leader"]).role == "senior_support_worker"


def test_organisation_wide_staff_roles_hold_at_every_service():
    od = who(Assignment("operations_director"))
    assert may_complete(od, "SVC-ANY", "service_risk_review", ["operations_director"]).role == "operations_director"
    assert may_read_case(od, "C-1", "SVC-ANY", NOW)
    assert sees_service(od, "SVC-ANY") and od.services() is None


def test_reading_a_case_needs_a_role_at_its_service():
    rm = who(Assignment("registered_manager", "SVC-ELM"))
    assert may_read_case(rm, "C-1", "SVC-ELM", NOW)
    assert not may_read_case(rm, "C-1", "SVC-OAK", NOW)
    assert rm.services() == frozenset({"SVC-ELM"})


def test_inspector_reads_only_granted_cases_until_the_grant_ends():
    insp = who(Assignment("inspector", None, ("C-1",), NOW + timedelta(days=1)))
    assert may_read_case(insp, "C-1", "SVC-ELM", NOW).role == "inspector"
    assert not may_read_case(insp, "C-2", "SVC-ELM", NOW)
    ended = may_read_case(insp, "C-1", "SVC-ELM", NOW + timedelta(days=2))
    assert not ended and "ended" in ended.reason
    assert not may_complete(insp, "SVC-ELM", "record_concern", ["senior_support_worker"])
    assert not may_read_lists(insp)


def test_commissioner_reads_commissioner_records_only():
    com = who(Assignment("commissioner"))
    assert may_read_commissioning(com)
    assert not may_read_governance(com)
    assert not may_read_lists(com)
    assert not may_read_case(com, "C-1", "SVC-ELM", NOW)
    assert not may_act_at(com, "SVC-ELM", "raising a concern")


def test_quality_lead_reads_governance_and_cases_across_the_organisation():
    qsl = who(Assignment("quality_safeguarding_lead"))
    assert may_read_governance(qsl) and may_read_commissioning(qsl)
    assert may_read_case(qsl, "C-1", "SVC-ANY", NOW)


def test_acknowledgement_needs_the_role_escalated_to():
    rm = who(Assignment("registered_manager", "SVC-ELM"))
    assert may_acknowledge(rm, "SVC-ELM", "E1", "registered_manager")
    d = may_acknowledge(rm, "SVC-ELM", "E2", "designated_safeguarding_lead")
    assert d.reason == ("Only a designated safeguarding lead at SVC-ELM can acknowledge escalation E2. "
                        "You are a registered manager there.")


def test_nothing_is_allowed_without_an_assignment():
    nobody = who()
    assert not may_complete(nobody, "SVC-ELM", "record_concern", ["senior_support_worker"])
    assert not may_read_case(nobody, "C-1", "SVC-ELM", NOW)
    assert not may_act_at(nobody, "SVC-ELM", "raising a concern")
    assert not may_read_lists(nobody) and not may_read_governance(nobody) and not may_read_commissioning(nobody)


def test_a_token_scope_narrows_and_never_widens():
    held = (Assignment("team_leader", "SVC-ELM"), Assignment("registered_manager", "SVC-OAK"), Assignment("operations_director"))
    assert narrowed(held, None) == held
    assert narrowed(held, (Assignment("team_leader", "SVC-ELM"),)) == (held[0],)
    assert narrowed(held, (Assignment("designated_safeguarding_lead", "SVC-ELM"),)) == ()
    assert narrowed(held, (Assignment("operations_director", "SVC-ELM"),)) == (Assignment("operations_director", "SVC-ELM"),)
    assert narrowed(held, (Assignment("registered_manager", "SVC-ELM"),)) == ()


def test_assignments_that_cannot_be_granted():
    assert "unknown role" in assignment_problem(Assignment("caretaker", "SVC-ELM"))
    assert "organisation-wide" in assignment_problem(Assignment("commissioner", "SVC-ELM"))
    assert "names the cases" in assignment_problem(Assignment("inspector"))
    assert assignment_problem(Assignment("team_leader", "SVC-ELM")) is None


def test_roles_are_listed_with_commas_and_a_final_or():
    """A fresh-clone trial: the case page said "Only a designated safeguarding lead or nominated individual or
    operations director or ...": the pages' list (web/pages/formats.py `joined`) now lists as `one_of` does."""
    from domain.access import one_of
    from web.pages.formats import joined

    roles = ["designated_safeguarding_lead", "nominated_individual", "operations_director", "registered_manager"]
    assert one_of(roles) == ("a designated safeguarding lead, nominated individual, operations director or "
                             "registered manager")
    assert joined(["team_leader", "registered_manager", "designated_safeguarding_lead"]) == (
        "team leader, registered manager or designated safeguarding lead")
    assert (one_of(["team_leader"]), joined(["team_leader"]), joined([])) == ("a team leader", "team leader", "nobody")
