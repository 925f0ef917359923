"""Appendix A (004 lines 152-164) read from what the service's provider-concern process recorded:
the provider's engagement with the plan (line 162 / 164), improvements sustained or not (line 163),
a suspension (line 140). Decided again whenever the process records something new. Pure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.commissioning import ConcernFacts, assess_service
from projections.provider_processes import appendix_a_facts
from tests.test_provider_decider import OPENED, SUSPENSION_EVIDENCE, Proc, t

pytestmark = pytest.mark.unit


def concern(case_id: str, raised_at, **kw) -> ConcernFacts:
    return ConcernFacts(case_id=case_id, raised_at=raised_at, adult_at_risk="A-1", alleged_source="A-2",
                        threshold_level="reportable", **kw)


def ids(criteria) -> list[str]:
    return [c.id for c in criteria]


CONCERNS = [concern("C-ELM-1", OPENED - timedelta(days=30), status="closed", outcome="substantiated")]


def test_a_provider_that_agreed_and_met_its_plan_is_cooperative_line_162():
    p = Proc()
    p.open()
    p.notices()
    before = assess_service(CONCERNS, appendix_a_facts(p.state))
    assert "caution.cooperative" not in ids(before.decision.matched)  # nothing agreed yet
    p.plan_reviewed(met=True)
    after = assess_service(CONCERNS, appendix_a_facts(p.state))  # decided again on what the process recorded
    assert after.decision.level == "caution" and "caution.cooperative" in ids(after.decision.matched)
    assert after.figures["process_plan_met"] == 1 and after.figures["process_actions_missed"] == 0


def test_a_plan_not_met_with_actions_not_undertaken_is_unwillingness_to_engage_line_164():
    p = Proc()
    p.open()
    p.notices()
    p.plan_reviewed(met=False)
    a = assess_service(CONCERNS, appendix_a_facts(p.state))
    assert "suspension.unwilling_to_engage" in ids(a.decision.matched)
    assert a.decision.level == "suspension consideration"
    # the caution column no longer applies: what holds of it is set aside, never shown as matched
    assert not [c for c in a.decision.matched if c.column == "caution"] and a.decision.set_aside
    assert a.figures["caution_criteria_matched"] == 0


def test_a_concern_after_the_plan_was_met_is_improvements_not_sustained_line_163():
    p = Proc()
    p.open()
    p.notices()
    p.plan_reviewed(met=True)
    later = [*CONCERNS, concern("C-ELM-3", t(24 * 11))]
    a = assess_service(later, appendix_a_facts(p.state))
    assert "suspension.improvements_not_sustained" in ids(a.decision.matched)
    assert a.figures["concerns_after_plan_met"] == 1


def test_a_suspended_service_shows_no_caution_criterion_as_matched():
    p = Proc()
    p.ready_to_suspend()
    p.decide("suspend", t(24 * 10), **SUSPENSION_EVIDENCE)
    a = assess_service(CONCERNS, appendix_a_facts(p.state))
    assert a.decision.level == "suspended"
    assert all(c.column == "suspension" for c in a.decision.matched)
    assert "caution.no_previous_history" in ids(a.decision.set_aside)


def test_without_a_process_appendix_a_is_as_the_cases_alone_say():
    a = assess_service(CONCERNS)
    assert a.decision.level == "caution" and "caution.cooperative" in ids(a.decision.not_matched)
