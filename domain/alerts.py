"""Alerts (issue 20) as policy data and pure decisions: when a person is told, by which channel,
and what a message may say. No I/O: the channels (alerts/) send, the workflows decide when.

What a message may say is fixed here, and nothing else reaches it: the case id, the service, the
step or escalation in plain words, the due instant in UK time, and a link. Never a summary, a
record's text, a service user's id or a name: some messages go to personal phones and mailboxes.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

LONDON = ZoneInfo("Europe/London")
Channel = Literal["email", "text"]


class AlertPolicy(BaseModel):
    """When people are told. Read in one place (`ALERTS`); each case records the policy it first
    alerted under, so a later change never alters how an old case replays."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = "2026.12.2"
    # a deadline approaching is told (policies from 2026.12.2; a case that adopted 2026.12.1 was
    # never told, and replays so) once, when this share of its time is left ...
    tells_approaching: bool = False
    approaching_share: float = Field(default=0.25, gt=0, lt=1)
    # ... or this long before it, for a deadline shorter than `short_deadline`
    approaching_short: timedelta = timedelta(minutes=5)
    short_deadline: timedelta = timedelta(hours=1)
    # an escalation not acknowledged within this long pages the next role up
    acknowledge_urgent: timedelta = timedelta(minutes=15)
    acknowledge_working_hours: int = Field(default=1, gt=0)  # otherwise, in working hours
    # escalations whose reason begins with one of these are urgent: text message as well as email,
    # and the shorter acknowledgement window (the pathway's live-risk and high-risk triggers)
    urgent_reasons: tuple[str, ...] = ("live risk", "urgent escalation")

    def is_urgent(self, reason: str) -> bool:
        return reason.lower().startswith(self.urgent_reasons)

    def channels(self, reason: str) -> tuple[Channel, ...]:
        return ("email", "text") if self.is_urgent(reason) else ("email",)

    def approaching_at(self, opened_at: datetime, due: datetime | None, share: float | None = None) -> datetime | None:
        """When to tell the step's people its deadline is near (None: no deadline, told never, or no
        time to). `share`: the step's own, from the pathway (0: never); None, this policy's."""
        if due is None or due <= opened_at or not self.tells_approaching or share == 0:
            return None
        span = due - opened_at
        before = self.approaching_short if span < self.short_deadline else span * (share or self.approaching_share)
        at = due - before
        return at if at > opened_at else None


ALERTS = AlertPolicy(tells_approaching=True)


EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")  # no <, >, quotes or spaces
UK_MOBILE = re.compile(r"(?:\+44|0)7\d{9}")


def contact_details(email: str | None, mobile: str | None) -> tuple[str | None, str | None]:
    """An email address and a UK mobile number as alerts use them (the mobile without spaces);
    ValueError, in words, for either that is not one."""
    email = email.strip() if email and email.strip() else None
    mobile = re.sub(r"[\s()-]", "", mobile) if mobile and mobile.strip() else None
    if email is not None and (len(email) > 254 or not EMAIL.fullmatch(email)):
        raise ValueError("the email address is not one: it should look like name@example.org")
    if mobile is not None and not UK_MOBILE.fullmatch(mobile):
        raise ValueError("the mobile number is not a UK mobile number: it should look like 07700 900123 or +447700900123")
    return email, mobile


def alert_key(*parts: str) -> str:
    """A deterministic key for one alert to one person (case, escalation, rung, staff id): the same
    alert sent again carries the same key, so a repeat is recognisable as one."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def message_id(key: str, domain: str) -> str:
    """The email Message-ID for an alert's key: every retry of it carries the same one."""
    return f"<alert-{key}@{domain}>"


class AlertMessage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str
    body: str  # email
    text: str  # text message: short, the same facts


def _uk(instant: datetime) -> str:
    local = instant.astimezone(LONDON)
    return f"{local:%-d %B %Y} at {local:%H:%M}" + (" (BST)" if local.dst() else " (GMT)")


CAUSE_WORDS = {"missed_deadline": "its deadline was missed", "still_open": "it is still not done after it was escalated"}


def escalation_message(case_id: str, service: str, step_title: str, reason_words: str, role_words: str,
                       due: datetime | None, link: str, urgent: bool, cause: str = "trigger",
                       acknowledge_by: datetime | None = None) -> AlertMessage:
    """An escalation raised to a role the person holds (or is on call for). Only the given parts go
    in: callers pass words from the pathway (a step's title, a trigger's reason), never a record. A
    missed deadline's escalation ends when its step is done; a trigger's is acknowledged."""
    lead = "Urgent: " if urgent else ""
    subject = f"{lead}Safeguarding escalation for case {case_id}"
    why = CAUSE_WORDS.get(cause, reason_words)
    if cause in CAUSE_WORDS:
        when = f"It was due {_uk(due)}." if due else ""
        todo = "Open the case to complete the step: the escalation ends when it is done."
        short = "Complete it"
    else:
        when = f"Acknowledge it by {_uk(acknowledge_by)}, or it goes to the next role up." if acknowledge_by else ""
        todo = "Open the case to see what is needed and acknowledge the escalation, saying what was done."
        short = "Acknowledge"
    body = "\n\n".join(part for part in (
        f"A safeguarding case at {service} has been escalated to you as {role_words}.",
        f"Case: {case_id}\nStep: {step_title}\nWhy: {why}",
        when,
        f"{todo}\n{link}",
        "This message holds no personal details. Sign in to see the case.",
    ) if part)
    by = f" by {_uk(acknowledge_by)}" if acknowledge_by and cause not in CAUSE_WORDS else ""
    text = f"{lead}Safeguarding escalation: case {case_id} at {service}, {step_title}. {short}{by}: {link}"
    return AlertMessage(subject=subject, body=body, text=text)


def work_message(what: str, where: str, title: str, role_words: str, link: str) -> AlertMessage:
    """An escalation of tracked work other than a case (a governance action, a provider-process
    deadline) to a role the person holds. `title` is the pathway's or the process's words."""
    subject = f"Safeguarding {what} escalated"
    body = "\n\n".join((
        f"A safeguarding {what} {where} has been escalated to you as {role_words}: its deadline was missed.",
        f"What: {title}",
        f"Open it to see what is needed:\n{link}",
        "This message holds no personal details. Sign in to see it.",
    ))
    text = f"Safeguarding {what} {where} escalated to you: {title}. {link}"
    return AlertMessage(subject=subject, body=body, text=text)


def approaching_message(case_id: str, service: str, step_title: str, due: datetime, link: str) -> AlertMessage:
    """A deadline approaching for a step the person can complete."""
    subject = f"Deadline approaching for case {case_id}"
    body = "\n\n".join((
        f"A step on a safeguarding case at {service} is due soon.",
        f"Case: {case_id}\nStep: {step_title}\nDue: {_uk(due)}",
        f"Open the case to complete it:\n{link}",
        "This message holds no personal details. Sign in to see the case.",
    ))
    text = f"Safeguarding: case {case_id} at {service}, {step_title} is due {_uk(due)}. {link}"
    return AlertMessage(subject=subject, body=body, text=text)


def test_message(link: str) -> AlertMessage:
    """A test alert a person asks for (the My alerts page): proof their alerts reach them. It names
    nobody and no case: the same rule as every alert, as it goes to the same phones and mailboxes."""
    subject = "Safeguard test alert"
    body = "\n\n".join((
        "This is a test alert from Safeguard, sent because you asked for one.",
        "Alerts about safeguarding escalations and deadlines will reach you here. Nothing needs doing.",
        f"Safeguard:\n{link}",
        "This message holds no personal details.",
    ))
    text = f"Safeguard test alert: alerts will reach you here. Nothing needs doing. {link}"
    return AlertMessage(subject=subject, body=body, text=text)


test_message.__test__ = False  # type: ignore[attr-defined]  # a builder, not a test (pytest collects test_*)


def reset_link_message(user_id: str, link: str, expires_at: datetime) -> AlertMessage:
    """The link to set a password (issue 22), to the person's own email address: their user id (to
    sign in with), the link and until when it works. Nothing of any case."""
    subject = "Set your Safeguard password"
    body = "\n\n".join((
        "Your administrator has sent you a link to set your password for Safeguard.",
        f"Set your password:\n{link}",
        f"The link works once, until {_uk(expires_at)}. Then sign in with your user id, {user_id}, and the "
        "password you set.",
        "If you did not expect this email, tell your administrator. Do not forward it: anyone with the link can set "
        "your password.",
    ))
    text = f"Set your Safeguard password: {link} (works once, until {_uk(expires_at)})"
    return AlertMessage(subject=subject, body=body, text=text)
