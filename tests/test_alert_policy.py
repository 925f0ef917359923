"""Alerts as policy data (issue 20): when a deadline is approaching, which escalations are urgent,
and what a message may say. Pure: no channel, no clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.alerts import ALERTS, alert_key, approaching_message, escalation_message, message_id

pytestmark = pytest.mark.unit
UTC = timezone.utc
T = datetime(2027, 3, 14, 18, 42, tzinfo=UTC)  # a Sunday evening, GMT


@pytest.mark.parametrize("span, before", [(timedelta(hours=4), timedelta(hours=1)), (timedelta(days=1), timedelta(hours=6)),
                                          (timedelta(minutes=30), timedelta(minutes=5)), (timedelta(minutes=15), timedelta(minutes=5))])
def test_a_deadline_approaching_is_told_once_a_quarter_or_five_minutes_before(span, before):
    assert ALERTS.approaching_at(T, T + span) == T + span - before
    assert ALERTS.approaching_at(T, None) is None  # no deadline, no alert
    assert ALERTS.approaching_at(T, T + timedelta(minutes=4)) is None  # no time to tell


def test_live_risk_and_high_risk_escalations_are_urgent_and_go_by_text_as_well():
    assert ALERTS.channels("live risk: the alleged source still has access") == ("email", "text")
    assert ALERTS.channels("urgent escalation: two or more high-risk indicators") == ("email", "text")
    assert ALERTS.channels("record_concern deadline missed (due 2027-01-12T09:45:00+00:00)") == ("email",)


def test_a_message_says_only_the_case_the_service_the_step_the_time_and_a_link():
    m = escalation_message("SG-20270314-ABC123", "Elm House", "Immediate peer-risk review", "live risk: the alleged source "
                           "still has access", "designated safeguarding lead", T, "https://sg.example/cases/SG-20270314-ABC123",
                           urgent=True, acknowledge_by=T + timedelta(minutes=15))
    assert m.subject == "Urgent: Safeguarding escalation for case SG-20270314-ABC123"
    assert "Acknowledge it by 14 March 2027 at 18:57 (GMT), or it goes to the next role up." in m.body
    assert "Why: live risk: the alleged source still has access" in m.body
    assert "Acknowledge by 14 March 2027 at 18:57 (GMT): https://sg.example/cases/" in m.text
    assert len(m.text) <= 300
    # a missed deadline's escalation: plain words for why, when it was due, and that it ends when the step is done
    missed = escalation_message("SG-1", "Elm House", "Record concern", "record_concern deadline missed (due 2027-03-14T18:42:00+00:00)",
                                "team leader", T, "L", urgent=False, cause="missed_deadline", acknowledge_by=T)
    assert "Why: its deadline was missed" in missed.body and "It was due 14 March 2027 at 18:42 (GMT)." in missed.body
    assert "record_concern" not in missed.body + missed.text and "acknowledge" not in missed.body.lower()
    assert "complete the step" in missed.body and "Complete it: L" in missed.text
    summer = approaching_message("SG-1", "Elm House", "Seriousness assessment", datetime(2027, 6, 1, 16, 0, tzinfo=UTC), "L")
    assert "Due: 1 June 2027 at 17:00 (BST)" in summer.body


def test_an_alerts_key_and_message_id_are_the_same_for_every_retry():
    key = alert_key("SG-1", "E1", "1", "DSL-2")
    assert key == alert_key("SG-1", "E1", "1", "DSL-2") != alert_key("SG-1", "E1", "2", "DSL-2")
    assert message_id(key, "sg.example") == f"<alert-{key}@sg.example>"
