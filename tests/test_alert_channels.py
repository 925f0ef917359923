"""The channels alerts go by (issue 20), against real servers: an SMTP server (aiosmtpd) and a
local server answering as GOV.UK Notify's documented API does (Notify cannot be reached from these
machines). Failures are scripted by attempt count, never by the wall clock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from alerts.channel import SendFailed
from alerts.notify import NotifySender
from alerts.smtp import SmtpSender
from domain.alerts import alert_key, escalation_message
from tests.servers.mail import MailServer, free_port
from tests.servers.notify import API_KEY, NotifyServer

pytestmark = pytest.mark.unit

MESSAGE = escalation_message("SG-20270314-ABC123", "Elm House", "Immediate peer-risk review",
                             "live risk: the alleged source still has access", "designated safeguarding lead",
                             datetime(2027, 3, 14, 18, 42, tzinfo=timezone.utc), "https://sg.example/cases/SG-20270314-ABC123",
                             urgent=True)
KEY = alert_key("SG-20270314-ABC123", "E1", "1", "DSL-2")


def test_an_email_refused_for_a_while_arrives_once_it_is_back_with_one_message_id():
    with MailServer(refuse_first=2) as server:
        smtp = SmtpSender("127.0.0.1", server.port, sender="alerts@sg.example")
        for _ in range(2):
            with pytest.raises(SendFailed, match="the mail server answered SMTP 451") as failed:
                smtp.send("dsl2@example.org", MESSAGE, KEY)
            assert failed.value.retry
        sent = smtp.send("dsl2@example.org", MESSAGE, KEY)
        again = smtp.send("dsl2@example.org", MESSAGE, KEY)  # a retry after a lost answer: the same message
    assert server.mailbox.attempts == 4 and len(server.mailbox.messages) == 2
    ids = {m["Message-ID"] for m in server.mailbox.messages}
    assert ids == {sent.reference} == {again.reference} == {f"<alert-{KEY}@sg.example>"}
    received = server.mailbox.messages[0]
    assert received["Subject"] == MESSAGE.subject and received["To"] == "dsl2@example.org"
    assert "SG-20270314-ABC123" in received.get_payload() and "A-" not in received.get_payload()


def test_no_mail_server_is_worth_retrying_and_says_where_without_the_address():
    smtp = SmtpSender("127.0.0.1", free_port(), timeout=2)
    with pytest.raises(SendFailed) as failed:
        smtp.send("dsl2@example.org", MESSAGE, KEY)
    assert failed.value.retry and "could not reach the mail server at 127.0.0.1" in str(failed.value)
    assert "dsl2@example.org" not in str(failed.value)


def test_notify_at_its_limit_then_failing_then_sending_gives_one_text_message():
    with NotifyServer(script=[429, 500]) as notify:
        sender = NotifySender(API_KEY, "email-template", "text-template", base_url=notify.base_url)
        outcomes = []
        for _ in range(3):  # as the activity's retries would
            try:
                outcomes.append(sender.send_text("07700900123", MESSAGE, KEY))
            except SendFailed as e:
                outcomes.append(e)
    assert [str(o) for o in outcomes[:2]] == ["GOV.UK Notify is at its sending limit (HTTP 429)", "GOV.UK Notify failed (HTTP 500)"]
    assert all(o.retry for o in outcomes[:2])
    assert [r["status"] for r in notify.requests] == [429, 500, 201]
    assert notify.requests[-1]["body"]["reference"] == KEY and notify.requests[-1]["path"] == "/v2/notifications/sms"
    assert notify.requests[-1]["body"]["personalisation"] == {"body": MESSAGE.text}


@pytest.mark.parametrize("status, words", [(400, "refused the request"), (403, "refused the API key")])
def test_notify_refusing_is_not_worth_retrying(status, words):
    with NotifyServer(script=[status]) as notify:
        sender = NotifySender(API_KEY, "email-template", "text-template", base_url=notify.base_url)
        with pytest.raises(SendFailed, match=f"GOV.UK Notify {words} \\(HTTP {status}\\)") as failed:
            sender.send_email("dsl2@example.org", MESSAGE, KEY)
    assert not failed.value.retry


def test_a_wrong_api_key_is_refused_as_notify_refuses_it():
    with NotifyServer() as notify:
        wrong = API_KEY[:-36] + "00000000-0000-0000-0000-000000000000"
        sender = NotifySender(wrong, "email-template", "text-template", base_url=notify.base_url)
        with pytest.raises(SendFailed, match="refused the API key"):
            sender.send_email("dsl2@example.org", MESSAGE, KEY)
        ok = NotifySender(API_KEY, "email-template", "text-template", base_url=notify.base_url).send_email(
            "dsl2@example.org", MESSAGE, KEY)
    assert ok.via == "notify" and notify.requests[-1]["body"]["personalisation"]["subject"] == MESSAGE.subject
