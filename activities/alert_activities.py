"""Delivering one alert (issue 20): who it reaches now (the role's holders, or whoever is on call),
and each message sent by its channels. I/O, run as an activity with retries: a failure worth
retrying raises, so Temporal sends again later with the same keys (at least once: a repeat carries
the same Message-ID or Notify reference). What was sent comes back for the workflow to record."""

from __future__ import annotations

import threading
import weakref
from datetime import datetime
from typing import Callable, Literal

import structlog
from eventsourcing.utils import get_topic
from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.exceptions import ApplicationError

from alerts.channel import SendFailed
from alerts.senders import Senders
from configuration.settings import Settings
from domain.alerts import ALERTS, AlertPolicy, alert_key, approaching_message, escalation_message, work_message
from domain.deadlines import WorkingCalendar
from domain.oncall import Person, who_holds, who_to_alert, who_to_remind
from eventstore.accounts import Accounts, UserAdded
from eventstore.application import SafeguardingRecords
from eventstore.oncall import OnCallRota
from telemetry.instruments import ALERTS_FAILED, ALERTS_SENT

log = structlog.get_logger("safeguard.alerts")


class AlertRequest(BaseModel):
    """An escalation to alert about, in the words the pathway gives it (never a record's text)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    service_id: str
    service_name: str
    escalation_id: str
    rung: int  # 1: the role escalated to; 2 and on: each role up the ladder, unacknowledged
    to_role: str
    step_title: str
    reason: str
    due: datetime | None
    at: datetime  # the case's clock when the alert was raised: who is on call then
    top_of_ladder: bool = False
    cause: str = "trigger"  # the escalation's: a missed deadline's ends when its step is done
    acknowledge_by: datetime | None = None  # a trigger's: when the alert goes one role up
    kind: Literal["escalation", "approaching", "work"] = "escalation"  # approaching: a deadline near, `escalation_id` the alert's id
    # work: a governance action's or a provider process's escalation; `case_id` the work's id, the
    # message names `what` it is and links to `path`
    what: str | None = None
    path: str | None = None


class SentTo(BaseModel):
    model_config = ConfigDict(frozen=True)
    user_id: str
    channel: str
    via: str
    reference: str


class NotSent(BaseModel):
    model_config = ConfigDict(frozen=True)
    user_id: str
    channel: str
    reason: str  # in words; never the address


class AlertOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)
    sent: tuple[SentTo, ...] = ()
    not_sent: tuple[NotSent, ...] = ()
    nobody: bool = False  # nobody reached: the alert goes one role up at once
    attempt: int = 1  # the attempt that answered: those before it failed ...
    failures: tuple[str, ...] = ()  # ... each for this reason, in words (carried in the attempts' heartbeats)


class _AccountIds:
    """The ids of every account in one store, in the order added: read from its notification log
    once, then only from where the last read ended. Reading the whole log for every alert (as
    `Accounts.users` does) took longer the more the store held: 25 ms with 1,000 cases, 90 ms with
    3,000, on an idle machine."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.next = 1  # the first notification not yet read
        self.lock = threading.Lock()

    def read(self, records: SafeguardingRecords) -> list[str]:
        with self.lock:
            last = records.recorder.max_notification_id() or 0
            while self.next <= last and (batch := records.recorder.select_notifications(
                    start=self.next, stop=last, limit=500, topics=[get_topic(UserAdded)])):
                self.ids += [records.mapper.to_domain_event(n).fact.user_id for n in batch]
                self.next = batch[-1].id + 1
            self.next = max(self.next, last + 1)
            return list(self.ids)


_ACCOUNT_IDS: "weakref.WeakKeyDictionary[SafeguardingRecords, _AccountIds]" = weakref.WeakKeyDictionary()
_ACCOUNT_IDS_LOCK = threading.Lock()


def people(records: SafeguardingRecords) -> list[Person]:
    """Everyone an alert may reach, as they are now: each account read from its own stream every time
    (contact details, roles, a closed account), the list of accounts kept per store (`_AccountIds`)."""
    with _ACCOUNT_IDS_LOCK:
        known = _ACCOUNT_IDS.setdefault(records, _AccountIds())
    accounts, out = Accounts(records), []
    for a in (x for x in map(accounts.account, known.read(records)) if x is not None):
        roles: dict[str | None, tuple[str, ...]] = {}
        for x in a.assignments:
            roles[x.service] = (*roles.get(x.service, ()), x.role)
        out.append(Person(a.user_id, roles, a.email, a.mobile, active=a.deactivated_at is None,
                          approaching_alerts=a.approaching_alerts))
    return out


def deliver_alert(records: SafeguardingRecords, senders: Senders, calendar: WorkingCalendar, r: AlertRequest,
                  link: str, alive: Callable[[], None] = lambda: None) -> AlertOutcome:
    """`alive` is called before each message: the activity's heartbeat, so a worker lost mid-send
    is noticed within the heartbeat timeout rather than the whole attempt's."""
    if r.kind == "work":
        recipients = who_holds(r.to_role, r.service_id or None, people(records))
        where = f"at {r.service_name}" if r.service_name else "for the organisation"
        message = work_message(r.what or "work", where, r.step_title, r.to_role.replace("_", " "), link)
    elif r.kind == "approaching":
        recipients = who_to_remind(r.to_role, r.service_id, people(records))
        message = approaching_message(r.case_id, r.service_name, r.step_title, r.due, link)  # type: ignore[arg-type]
    else:
        recipients = who_to_alert(r.to_role, r.service_id, r.at, people(records), OnCallRota(records).rota(r.service_id, r.to_role),
                                  calendar, r.top_of_ladder)
        message = escalation_message(r.case_id, r.service_name, r.step_title, r.reason, r.to_role.replace("_", " "), r.due,
                                     link, ALERTS.is_urgent(r.reason), r.cause, r.acknowledge_by)
    if not recipients:
        return AlertOutcome(nobody=True)
    sent, not_sent = [], []
    for person in recipients:
        channels = ALERTS.channels(r.reason) if r.kind == "escalation" else ("email",)
        if not person.email:  # someone reachable by text alone is told by text, urgent or not
            channels = ("text",)
        for channel in channels:
            address = person.email if channel == "email" else person.mobile
            if not address:
                not_sent.append(NotSent(user_id=person.user_id, channel=channel, reason=f"no {channel} contact"))
                continue
            key = alert_key(r.case_id, r.escalation_id, str(r.rung), person.user_id, channel)
            alive()
            try:
                d = senders.email(address, message, key) if channel == "email" else senders.text(address, message, key)
            except SendFailed as e:
                ALERTS_FAILED.labels(channel).inc()
                if e.retry:
                    raise  # the activity is tried again later, every message with its same key
                not_sent.append(NotSent(user_id=person.user_id, channel=channel, reason=str(e)))
                continue
            sent.append(SentTo(user_id=person.user_id, channel=channel, via=d.via, reference=d.reference))
            ALERTS_SENT.labels(channel).inc()
            log.info("alert sent", case_id=r.case_id, escalation=r.escalation_id, to=person.user_id, channel=channel)
    # nothing reached anyone (every channel refused): as if nobody could be reached, one role up
    return AlertOutcome(sent=tuple(sent), not_sent=tuple(not_sent), nobody=not sent)


class AlertActivities:
    """The worker's alert activity: the store, the channels and the calendar it sends with."""

    def __init__(self, records: SafeguardingRecords, settings: Settings, senders: Senders | None = None) -> None:
        self.records, self.settings = records, settings
        self.senders = senders or Senders.from_settings(settings)

    @activity.defn(name="alert_policy")
    def alert_policy(self) -> AlertPolicy | None:
        """The alert policy in force (`Senders.policy`), asked by a case that did not ask as it opened."""
        return self.senders.policy()

    @activity.defn(name="deliver_alert")
    def deliver(self, request: AlertRequest) -> AlertOutcome:
        link = f"{self.settings.public_url.rstrip('/')}{request.path or f'/cases/{request.case_id}'}"
        info = activity.info()
        failures = tuple(str(d) for d in info.heartbeat_details)  # what the attempts before this one met
        try:
            outcome = deliver_alert(self.records, self.senders, self.settings.calendar, request, link,
                                    alive=lambda: activity.heartbeat(*failures))
        except SendFailed as e:  # worth trying again: the activity's retry policy does, with the same keys
            activity.heartbeat(*failures, str(e))  # kept for the next attempt, to record with the delivery
            raise ApplicationError(str(e), type="AlertNotSentYet") from None
        return outcome.model_copy(update={"attempt": info.attempt, "failures": failures})
