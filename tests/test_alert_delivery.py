"""Delivering an alert (issue 20) to the people it reaches, by real channels: an SMTP server
(aiosmtpd) and a local server answering as GOV.UK Notify does. Who is told follows the roles held,
the rota out of hours and the contact details; no message carries personal data."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from activities.alert_activities import AlertRequest, deliver_alert
from alerts.channel import SendFailed
from alerts.notify import NotifySender
from alerts.senders import Senders
from alerts.smtp import SmtpSender
from domain.access import Assignment
from domain.deadlines import WorkingCalendar
from eventstore.accounts import Accounts
from eventstore.oncall import OnCallRota
from tests.servers.mail import MailServer
from tests.servers.notify import API_KEY, NotifyServer

pytestmark = pytest.mark.unit
UTC = timezone.utc
CAL = WorkingCalendar().with_holidays(WorkingCalendar().holidays_for(2027, 2028))
SUNDAY_EVENING = datetime(2027, 3, 14, 19, 42, tzinfo=UTC)
TUESDAY = datetime(2027, 3, 16, 11, 0, tzinfo=UTC)
DSL = "designated_safeguarding_lead"


def request(at: datetime, reason: str = "live risk: the alleged source still has access", rung: int = 1) -> AlertRequest:
    return AlertRequest(case_id="SG-20270314-ABC123", service_id="SVC-ELM", service_name="Elm House", escalation_id="E1",
                        rung=rung, to_role=DSL, step_title="Immediate peer-risk review", reason=reason, due=at, at=at)


def staff(records) -> None:
    accounts = Accounts(records)
    for user, email, mobile in (("DSL-2", "dee@example.org", "07700900123"), ("DSL-3", None, "07700900124"),
                                ("DSL-4", None, None)):
        accounts.add_user(user, user, None, by="test")
        accounts.grant(user, Assignment(DSL, "SVC-ELM"), by="test")
        if email or mobile:
            accounts.set_contact(user, email, mobile, True, by="test")
    OnCallRota(records).set("SVC-ELM", DSL, "DSL-2", SUNDAY_EVENING - timedelta(hours=3), SUNDAY_EVENING + timedelta(hours=12),
                            by="test")


def test_a_live_risk_escalation_on_a_sunday_evening_reaches_the_on_call_dsl_by_email_and_text(records):
    staff(records)
    with MailServer() as mail, NotifyServer() as notify:
        senders = Senders(SmtpSender("127.0.0.1", mail.port, "alerts@sg.example"),
                          NotifySender(API_KEY, "email-template", "text-template", base_url=notify.base_url))
        outcome = deliver_alert(records, senders, CAL, request(SUNDAY_EVENING), "https://sg.example/cases/SG-20270314-ABC123")
    assert [(s.user_id, s.channel, s.via) for s in outcome.sent] == [("DSL-2", "email", "smtp"), ("DSL-2", "text", "notify")]
    assert not outcome.nobody and len(mail.mailbox.messages) == 1 and len(notify.requests) == 1
    told = mail.mailbox.messages[0].get_payload() + notify.requests[0]["body"]["personalisation"]["body"]
    assert "SG-20270314-ABC123" in told and "Elm House" in told
    assert "A-1" not in told and "A-2" not in told and "dee@example.org" not in told


def test_in_working_hours_every_holder_is_told_and_a_gap_or_no_details_goes_one_role_up(records):
    staff(records)
    with MailServer() as mail, NotifyServer() as notify:
        senders = Senders(SmtpSender("127.0.0.1", mail.port, "alerts@sg.example"),
                          NotifySender(API_KEY, "email-template", "text-template", base_url=notify.base_url))
        routine = deliver_alert(records, senders, CAL, request(TUESDAY, reason="record_concern deadline missed"), "L")
        gap = deliver_alert(records, senders, CAL, request(SUNDAY_EVENING + timedelta(hours=13)), "L")  # after the cover
    # DSL-2 by email; DSL-3, with a mobile only, by text; DSL-4, with no details, is not reachable
    assert [(s.user_id, s.channel) for s in routine.sent] == [("DSL-2", "email"), ("DSL-3", "text")]
    assert gap.nobody and gap.sent == ()


def test_a_mail_server_that_is_away_is_tried_again_with_the_same_message_id(records):
    staff(records)
    with MailServer(refuse_first=1) as mail:
        senders = Senders(SmtpSender("127.0.0.1", mail.port, "alerts@sg.example"))
        r = request(TUESDAY, reason="record_concern deadline missed")
        with pytest.raises(SendFailed) as failed:
            deliver_alert(records, senders, CAL, r, "L")
        assert failed.value.retry
        again = deliver_alert(records, senders, CAL, r, "L")  # the activity's retry
    assert [s.user_id for s in again.sent] == ["DSL-2"]  # DSL-3 has no email and there is no text channel
    assert [n.reason for n in again.not_sent] == ["no text message channel is set up (GOV.UK Notify)"]
    assert mail.mailbox.attempts == 2 and len(mail.mailbox.messages) == 1
