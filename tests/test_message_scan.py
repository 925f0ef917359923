"""The scan every test server runs over the messages it took (tests/servers/personal.py) finds
personal data: a service user's id, a record's text, an address. It is what makes "no personal
data in any message of the suite" a check that can fail."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from tests.servers import personal
from tests.servers.mail import MailServer

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def uncounted():
    """These messages are made up to be caught: the run's count is of messages really sent."""
    before = dict(personal.SCANNED)
    yield
    personal.SCANNED.update(before)


@pytest.mark.parametrize("text", ["Case SG-1: A-117 was hurt", "they blocked the lounge door again",
                                  "ring dee@example.org", "call 07700 900123"])
def test_personal_data_is_found(text):
    with pytest.raises(AssertionError, match="personal data in a message sent"):
        personal.check([f"Safeguarding escalation. {text}"])


def test_an_alert_in_its_own_words_passes():
    personal.check(["Urgent: Safeguarding escalation for case SG-20270112-ABC123\nA safeguarding case at Elm House has "
                    "been escalated to you as designated safeguarding lead. https://sg.example/cases/SG-20270112-ABC123"])


def test_a_mail_server_taking_a_message_with_personal_data_fails_when_it_stops():
    server = MailServer()
    with pytest.raises(AssertionError, match="A-204"):
        with server:
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "alerts@sg.example", "dee@example.org", "Escalation"
            message.set_content("A-204 blocked A-117 from the lounge")
            with smtplib.SMTP("127.0.0.1", server.port) as smtp:
                smtp.send_message(message)
