"""The use cases of alerts that people see (issue 20): my contact details and preferences, a test
alert to prove they reach me, and a service's on-call rota. Each takes (ports, principal, command,
now) and returns its result, or raises a typed refusal (casework/refusals.py) having recorded
nothing; the CLI, the API and the pages call these alike.

Who may is policy data in domain/access.py (`may_set_alerts_of`, `may_keep_rota`); what a detail
may be is domain/alerts.py's (`contact_details`) and domain/oncall.py's (`shift_problem`). Every
read of a person's details and of a rota is audited, as every change is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from alerts.channel import Delivered, SendFailed
from casework.access import allowed, audit
from casework.ports import Ports
from casework.refusals import Invalid, NotFound, NotOpen, Unavailable
from domain.access import ROTA_KEEPERS, STAFF_ROLES, Principal, keeps_every_rota, may_keep_rota, may_set_alerts_of
from domain.alerts import alert_key, contact_details, test_message
from domain.identity import Account
from domain.oncall import OnCallSet, out_of_hours_gaps, shift_problem
from domain.pathway import current_pathway
from eventstore.accounts import AccountError
from eventstore.oncall import OnCallRota

ROTA_DAYS = 14  # how far ahead the rota is shown, with its gaps
NOT_SET_UP = ("alerts are not set up on this Safeguard yet, so no test alert can be sent: ask your operator to set up "
              "email or text messages")


# ---- my alerts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadAlerts:
    user_id: str | None = None  # None: the asker's own


@dataclass(frozen=True)
class SetAlerts:
    email: str | None
    mobile: str | None
    approaching_alerts: bool = True
    user_id: str | None = None  # None: the asker's own (the local operator names whose)


@dataclass(frozen=True)
class SendTestAlert:
    user_id: str | None = None


@dataclass(frozen=True)
class MyAlerts:
    user_id: str
    email: str | None
    mobile: str | None
    approaching_alerts: bool
    # the roles whose escalations reach them, each with where it is held (None: organisation-wide):
    # these cannot be turned off
    escalations: tuple[tuple[str, str | None], ...]
    can_email: bool  # a channel for each is set up on this Safeguard
    can_text: bool


@dataclass(frozen=True)
class TestAlertSent:
    __test__ = False  # not a test, though its name starts so (pytest)

    user_id: str
    sent: tuple[Delivered, ...]
    not_sent: tuple[str, ...]  # in plain words, each channel that did not take it (never an address)


def _whose(ports: Ports, principal: Principal, user_id: str | None) -> Account:
    whose = user_id or principal.user_id
    allowed(ports, principal, may_set_alerts_of(principal, whose))
    account = ports.accounts.account(whose)
    if account is None or account.deactivated_at is not None:
        audit(ports, principal, "refused", False, target=whose, reason=f"no active user {whose}")
        raise NotFound(f"no active user {whose}")
    return account


def _view(ports: Ports, account: Account) -> MyAlerts:
    senders = ports.senders
    escalations = tuple(dict.fromkeys((a.role, a.service) for a in account.assignments if a.role in STAFF_ROLES))
    return MyAlerts(account.user_id, account.email, account.mobile, account.approaching_alerts, escalations,
                    bool(senders and senders.can_email), bool(senders and senders.can_text))


def my_alerts(ports: Ports, principal: Principal, c: ReadAlerts, now: datetime) -> MyAlerts:
    """Where my alerts go, whether I want approaching-deadline alerts, and the escalations that reach me."""
    account = _whose(ports, principal, c.user_id)
    audit(ports, principal, "read", True, target=account.user_id, reason="contact details")
    return _view(ports, account)


def set_my_alerts(ports: Ports, principal: Principal, c: SetAlerts, now: datetime) -> MyAlerts:
    """Set where my alerts go (both details each time: one left out is cleared) and whether I want
    approaching-deadline alerts. Escalations to a role I hold reach me whatever I choose."""
    account = _whose(ports, principal, c.user_id)
    if problem := contact_problem(c.email, c.mobile):
        audit(ports, principal, "write", False, target=account.user_id,
              reason=f"contact details refused: {problem.details['field']}")
        raise problem
    try:
        account = ports.accounts.set_contact(account.user_id, c.email, c.mobile, c.approaching_alerts, principal.user_id)
    except AccountError as e:
        raise Invalid(_sentence(str(e))) from None
    audit(ports, principal, "write", True, target=account.user_id, reason="contact details set")
    return _view(ports, account)


def contact_problem(email: str | None, mobile: str | None) -> Invalid | None:
    """What is wrong with an email address and a mobile number for alerts (domain/alerts.py's
    `contact_details`), by its question ("email" or "mobile"); None if both will do. My alerts, the
    CLI's `users contact` and an administrator's form (casework/contact_admin.py) all check so."""
    try:
        contact_details(email, mobile)
    except ValueError as e:
        return Invalid(_sentence(str(e)), field="email" if str(e).startswith("the email") else "mobile")
    return None


def send_test_alert(ports: Ports, principal: Principal, c: SendTestAlert, now: datetime) -> TestAlertSent:
    """A test alert to my email and my mobile, by the channels set up, at once (not by a workflow: it
    is no case's). It says nothing of any case. Sending takes a few seconds: call it off the event loop."""
    account = _whose(ports, principal, c.user_id)
    senders = ports.senders
    if senders is None or not (senders.can_email or senders.can_text):
        audit(ports, principal, "write", False, target=account.user_id, reason="test alert: no channel set up")
        raise NotOpen(_sentence(NOT_SET_UP))  # a state of this deployment (409), not a fault
    if not (account.email or account.mobile):
        raise Invalid("Add an email address or a mobile number first: a test alert needs somewhere to go.")
    message = test_message(ports.settings.public_url.rstrip("/") + "/")
    sent: list[Delivered] = []
    not_sent: list[str] = []
    for channel, address, can in (("email", account.email, senders.can_email), ("text", account.mobile, senders.can_text)):
        if not address:
            continue
        words = "email" if channel == "email" else "text message"
        if not can:
            not_sent.append(f"No {words} was sent: text messages are not set up on this Safeguard yet."
                            if channel == "text" else f"No {words} was sent: email is not set up on this Safeguard yet.")
            continue
        key = alert_key("test", account.user_id, channel, now.isoformat())
        try:
            sent.append(senders.email(address, message, key) if channel == "email" else senders.text(address, message, key))
        except SendFailed as e:
            not_sent.append(f"The {words} could not be sent ({e}). Try again later, or ask your operator.")
    audit(ports, principal, "write", bool(sent), target=account.user_id,
          reason=f"test alert: {', '.join(d.channel for d in sent) or 'nothing sent'}")
    if not sent:
        raise Unavailable(" ".join(not_sent) or _sentence(NOT_SET_UP))
    return TestAlertSent(account.user_id, tuple(sent), tuple(not_sent))


def _sentence(words: str) -> str:
    words = words.strip()
    return (words[:1].upper() + words[1:]).rstrip(".") + "."


# ---- on call ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadRota:
    service: str
    role: str
    days: int = ROTA_DAYS


@dataclass(frozen=True)
class SetOnCall:
    service: str
    role: str
    user_id: str
    start: datetime
    end: datetime
    names: tuple[str, str] = ("the start", "the end")  # what the asker calls the two instants


@dataclass(frozen=True)
class RotaView:
    service: str
    role: str
    start: datetime
    end: datetime
    entries: tuple[OnCallSet, ...]  # those that end after `start`, in the order set
    gaps: tuple[tuple[datetime, datetime], ...]  # out of working hours with nobody on call
    holders: tuple[tuple[str, str], ...]  # (staff id, name) of who holds the role there: who may be put on call


def on_call_roles() -> tuple[str, ...]:
    """The roles an escalation can be raised to: the pathway's chain and the roles above it."""
    p = current_pathway()
    return tuple(dict.fromkeys((*p.escalation_chain, *p.reports_to.values())))


def _checked(ports: Ports, principal: Principal, service: str, role: str) -> None:
    if problem := ports.settings.input_rules().id_problem(service, "service"):
        raise Invalid(f"The service {service!r} {problem}.", field="service")
    if role not in STAFF_ROLES:
        raise Invalid(f"{role!r} is not a staff role: choose one of {', '.join(r.replace('_', ' ') for r in on_call_roles())}.",
                      field="role")
    allowed(ports, principal, may_keep_rota(principal, service), service=service)


def _holders(ports: Ports, service: str, role: str) -> tuple[tuple[str, str], ...]:
    return tuple((a.user_id, a.display_name) for a in ports.accounts.users()
                 if a.deactivated_at is None and role in a.principal().roles_at(service))


def _rota_view(ports: Ports, service: str, role: str, now: datetime, days: int) -> RotaView:
    rota = OnCallRota(ports.records).rota(service, role)
    end = now + timedelta(days=days)
    gaps = out_of_hours_gaps(rota, ports.settings.calendar, now, end)
    return RotaView(service, role, now, end, tuple(e for e in rota.entries if e.end > now), tuple(gaps),
                    _holders(ports, service, role))


def rota(ports: Ports, principal: Principal, c: ReadRota, now: datetime) -> RotaView:
    """Who is on call for a role at a service over the next days, and the gaps out of working hours
    (when an alert would go one role up at once)."""
    _checked(ports, principal, c.service, c.role)
    if not 1 <= c.days <= 62:
        raise Invalid("Look between 1 and 62 days ahead.", field="days")
    audit(ports, principal, "read", True, service=c.service, reason=f"on-call rota {c.role}")
    return _rota_view(ports, c.service, c.role, now, c.days)


def set_on_call(ports: Ports, principal: Principal, c: SetOnCall, now: datetime) -> RotaView:
    """Put someone who holds the role at the service on call from `start` to `end` (at most a month);
    a later entry covering the same time takes its place there."""
    _checked(ports, principal, c.service, c.role)
    try:
        return _set_on_call(ports, principal, c, now)
    except Invalid as e:  # a refused entry is in the access log, as a refused write
        audit(ports, principal, "write", False, service=c.service, target=c.user_id or None,
              reason=f"on call for {c.role} refused: {e.details.get('field', 'entry')}")
        raise


def _set_on_call(ports: Ports, principal: Principal, c: SetOnCall, now: datetime) -> RotaView:
    if problem := shift_problem(c.start, c.end, c.names):
        raise Invalid(_sentence(problem), field="end" if "after" in problem else "start")
    account = ports.accounts.account(c.user_id) if c.user_id else None
    if account is None or account.deactivated_at is not None:
        raise Invalid(f"There is no active user {c.user_id or '(none given)'}.", field="user_id")
    if c.role not in account.principal().roles_at(c.service):
        raise Invalid(f"{c.user_id} does not hold the role {c.role.replace('_', ' ')} at {c.service}, so cannot be on "
                      "call for it: choose someone who does, or grant them the role first.", field="user_id")
    try:
        OnCallRota(ports.records).set(c.service, c.role, c.user_id, c.start.astimezone(timezone.utc),
                                      c.end.astimezone(timezone.utc), principal.user_id)
    except AccountError as e:  # the account changed meanwhile
        raise Invalid(_sentence(str(e)), field="user_id") from None
    audit(ports, principal, "write", True, service=c.service, target=c.user_id, reason=f"on call for {c.role}")
    return _rota_view(ports, c.service, c.role, now, ROTA_DAYS)


def rota_services(ports: Ports, principal: Principal) -> tuple[str, ...] | None:
    """The services whose rota this principal keeps, to choose from: where they hold a keeper's role;
    for one who holds it organisation-wide (or an administrator), the services recorded (None: none yet, so any
    service, given by its id)."""
    if keeps_every_rota(principal):
        from casework.services import known_services

        return tuple(sorted(known_services(ports))) or None
    return tuple(sorted({a.service for a in principal.assignments if a.role in ROTA_KEEPERS and a.service}))
