"""Where an escalation's alert would reach nobody (issue 20), for the board and `deadlines` to warn
of: for each service and each role the pathway escalates to, the stretches out of working hours in
the next 7 days when nobody reachable is on call (an alert then goes one role up at once), and the
roles nobody reachable holds at the service in working hours (the same).

Worked out here, in the application layer, from the on-call rota (`eventstore/oncall.py`), the
accounts' contact details and the deployment's working calendar (`out_of_hours_gaps`, once for
every service: the calendar is the deployment's); the faces only show the words.
Cheap enough for a board that refreshes live: a service's answer is kept for a minute, and worked
out again sooner only when the rota, a contact or a role changed (one read of the log's tail, by
fact type, when the log has grown); the rotas and accounts it is worked out from are read again
only after such a change. Says nothing of gaps while no alert channel is set up: then
the one thing to say is that alerts are not set up."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from eventsourcing.utils import get_topic

from activities.alert_activities import people as alertable_people
from casework.access import allowed
from casework.ports import Ports
from domain.access import Principal, may_read_lists, sees_service
from domain.deadlines import WorkingCalendar
from domain.identity import ContactDetailsSet, RoleGranted, RoleRevoked, UserAdded, UserDeactivated
from domain.oncall import OnCallSet, Person, Rota, out_of_hours_gaps
from domain.policy import Pathway
from eventstore.oncall import OnCallRota
from projections.wording import humanise

HORIZON = timedelta(days=7)
KEPT_FOR = timedelta(minutes=1)
SHOWN_PER_ROLE = 3  # stretches named in one warning; the rest are counted
# facts that change who an alert reaches: the rota, contact details, roles, accounts
WATCHED = tuple(get_topic(c) for c in (OnCallSet, ContactDetailsSet, RoleGranted, RoleRevoked, UserAdded, UserDeactivated))
LONDON = ZoneInfo("Europe/London")

NOT_SET_UP = ("Alerts are not set up (no email or text message service is configured), so nobody is told of an "
              "escalation: it waits here until someone sees it.")


def alerts_set_up(ports: Ports) -> bool:
    """A channel is configured (SMTP, or GOV.UK Notify): as the worker decides whether cases alert."""
    return ports.senders is not None and bool(ports.senders.can_email or ports.senders.can_text)


def alerted_roles(pathway: Pathway) -> list[str]:
    """The roles the pathway escalates to, up its ladder: every role one up from a role that holds a
    step or is on the ladder, and every role a trigger escalates to at once; lowest first."""
    at_once = {t.to_role for s in pathway.steps for t in s.triggers}
    if pathway.threshold is not None:
        at_once.add(pathway.threshold.urgent_escalation_to)
    starting = {s.role for s in pathway.steps} | set(pathway.escalation_chain) | set(pathway.reports_to) | at_once
    roles = at_once | {up for r in starting if (up := pathway.role_above(r)) is not None}

    def below_the_top(role: str) -> int:
        n, r = 0, role
        while (r := pathway.role_above(r)) is not None and n < len(starting):
            n += 1
        return n

    return sorted(roles, key=lambda r: (-below_the_top(r), r))


def uk(at: datetime) -> str:
    """'Sat 13 March 17:00 GMT': the zone named, as the pages name it."""
    local = at.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%B} {local:%H:%M} {local.tzname()}"


def _role(role: str) -> str:
    return humanise(role).lower()


def reachable_rota(rota: Rota, people: dict[str, Person], start: datetime, end: datetime) -> tuple[Rota, list[str]]:
    """The rota as an alert meets it: each stretch whoever is on call then (the latest entry that
    covers it) can be reached. Someone on call without contact details is a gap, as is nobody; they
    come back second (staff ids)."""
    instants = sorted({start, end, *(i for e in rota.entries for i in (e.start, e.end) if start < i < end)})
    kept, unreachable = [], set()
    for a, b in zip(instants, instants[1:]):
        who = rota.on_call(a)
        if who is not None and who in people and people[who].reachable():
            kept.append(OnCallSet(at=a, service=rota.service, role=rota.role, user_id=who, start=a, end=b, by=""))
        elif who is not None:
            unreachable.add(who)
    return Rota(rota.service, rota.role, tuple(kept)), sorted(unreachable)


def why_holders_unreachable(role: str, service: str, name: str, people: Iterable[Person], top: bool) -> str | None:
    """Why nobody an alert to `role` reaches in working hours can be reached (as `who_to_alert`
    chooses them: the role's holders at the service; organisation-wide holders only at the top), or
    None when someone can."""
    def holds(p: Person) -> bool:
        return role in p.roles_at.get(service, ()) or (top and role in p.roles_at.get(None, ()))
    holders = [p for p in people if p.active and holds(p)]
    if any(p.reachable() for p in holders):
        return None
    if holders:
        return f"Nobody who holds {_role(role)} at {name} can be alerted (none has an email address or mobile number set)"
    wide = any(p.active and role in p.roles_at.get(None, ()) for p in people)
    return f"Nobody holds {_role(role)} at {name}" + (
        " (those who hold it across the organisation are alerted only at the top of the ladder)" if wide else "")


def _then(above: str | None) -> str:
    return f"an alert then goes one role up, to the {_role(above)}" if above else "an alert then reaches nobody"


def _stretches(gaps: list[tuple[datetime, datetime]]) -> str:
    named = [f"from {uk(s)} to {uk(e)}" for s, e in gaps[:SHOWN_PER_ROLE]]
    more = len(gaps) - len(named)
    if more:
        return ", ".join(named) + f" and {more} more {'time' if more == 1 else 'times'} in the next 7 days"
    return ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]


def out_of_hours(calendar: WorkingCalendar, now: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """All the time out of working hours from `now` to `end`: `out_of_hours_gaps` of an empty rota,
    stepped from the quarter hour (so 17:00 is 17:00 whatever minute it is now), from `now` on."""
    grid = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    return [(max(s, now), e) for s, e in out_of_hours_gaps(Rota("", ""), calendar, grid, end) if e > now]


def within(stretches: list[tuple[datetime, datetime]], uncovered: list[tuple[datetime, datetime]]
           ) -> list[tuple[datetime, datetime]]:
    """The parts of `stretches` that are also `uncovered` (both in order, neither overlapping itself)."""
    out, j = [], 0
    for s, e in stretches:
        while j < len(uncovered) and uncovered[j][1] <= s:
            j += 1
        k = j
        while k < len(uncovered) and uncovered[k][0] < e:
            a, b = max(s, uncovered[k][0]), min(e, uncovered[k][1])
            if out and out[-1][1] == a:
                out[-1] = (out[-1][0], b)
            elif b > a:
                out.append((a, b))
            k += 1
    return out


def service_warnings(service: str, name: str, roles: list[str], pathway: Pathway, rotas: dict[str, Rota],
                     people: list[Person], calendar: WorkingCalendar, now: datetime,
                     everything: list[tuple[datetime, datetime]] | None = None) -> list[dict[str, Any]]:
    """What would reach nobody at one service in the next 7 days: a warning per role, in words (pure).
    `holders_unreachable`: in working hours (nobody reachable holds the role there); `gaps`: the
    stretches out of working hours with nobody reachable on call. `everything`: `out_of_hours` of
    the same window, when the caller has it (it is the same for every service)."""
    by_id = {p.user_id: p for p in people}
    end = now + HORIZON
    everything = out_of_hours(calendar, now, end) if everything is None else everything
    out = []
    for role in roles:
        above = pathway.role_above(role)
        why = why_holders_unreachable(role, service, name, people, top=above is None)
        reachable, unreachable = reachable_rota(rotas[role], by_id, now, end)
        gaps = within(everything, reachable.gaps(now, end))
        whole = bool(gaps) and gaps == everything
        nobody, because = "Nobody is on call", ""
        if unreachable and gaps != within(everything, rotas[role].gaps(now, end)):
            nobody = "Nobody who can be alerted is on call"
            because = (f" {', '.join(unreachable)}, on call then, {'has' if len(unreachable) == 1 else 'have'} no "
                       "email address or mobile number set.")
        if why and whole:
            words = f"{why}, and nobody is on call for it out of working hours: at any time {_then(above)}."
        elif why and gaps:
            words = f"{why}: in working hours {_then(above)}. Nobody is on call for it {_stretches(gaps)} either."
        elif why:
            words = f"{why}: in working hours {_then(above)}."
        elif gaps:
            when = "out of working hours in the next 7 days" if whole else _stretches(gaps)
            words = f"{nobody} for {_role(role)} at {name} {when}: {_then(above)}.{because}"
        else:
            continue
        out.append({"service_id": service, "service_name": name, "role": role, "role_above": above,
                    "holders_unreachable": bool(why), "gaps": [{"start": s.isoformat(), "end": e.isoformat()} for s, e in gaps],
                    "words": words})
    return out


@dataclass
class _Kept:
    lock: threading.Lock = field(default_factory=threading.Lock)
    position: int | None = None  # the log's position last looked at for a change
    changes: int = 0  # changes seen (the rota, a contact, a role): a service's answer from before is stale
    by_service: dict[tuple[str, str], tuple[datetime, int, list[dict[str, Any]]]] = field(default_factory=dict)
    # what they were worked out from, read again only after a change: the accounts, each rota
    read_at: int = -1
    people: list[Person] = field(default_factory=list)
    rotas: dict[tuple[str, str], Rota] = field(default_factory=dict)


_KEPT: "weakref.WeakKeyDictionary[Any, _Kept]" = weakref.WeakKeyDictionary()


def _kept(ports: Ports) -> _Kept:
    kept = _KEPT.get(ports.records)
    if kept is None:
        kept = _KEPT[ports.records] = _Kept()
    return kept


def _changed_since(ports: Ports, kept: _Kept, position: int | None) -> None:
    """Count a change if a fact that changes who is alerted landed since the position last seen."""
    top = position if position is not None else ports.records.recorder.max_notification_id() or 0
    if kept.position is not None and top > kept.position:
        if ports.records.recorder.select_notifications(start=kept.position + 1, stop=top, limit=1, topics=WATCHED):
            kept.changes += 1
    elif kept.position is not None and top < kept.position:  # a store started again: start again too
        kept.changes += 1
    kept.position = top


def on_call_warnings(ports: Ports, services: dict[str, str], now: datetime, position: int | None = None
                     ) -> dict[str, Any]:
    """The warnings for `services` (id -> name), as at `now`; `position`: the log's last position as
    the caller read it (else read here). No access check: see `alert_cover`."""
    if not alerts_set_up(ports):
        return {"alerts_set_up": False, "warnings": [], "words": NOT_SET_UP}
    minute = now.replace(second=0, microsecond=0)
    kept = _kept(ports)
    with kept.lock:
        _changed_since(ports, kept, position)
        stale = [s for s in sorted(services) if (found := kept.by_service.get((s, services[s]))) is None
                 or found[0] != minute or found[1] != kept.changes]
        if stale:
            pathway = ports.settings.pathway()
            roles = alerted_roles(pathway)
            if kept.read_at != kept.changes:
                kept.read_at, kept.people, kept.rotas = kept.changes, alertable_people(ports.records), {}
            store = OnCallRota(ports.records)
            everything = out_of_hours(ports.settings.calendar, minute, minute + HORIZON)
            for s in stale:
                for r in roles:
                    if (s, r) not in kept.rotas:
                        kept.rotas[(s, r)] = store.rota(s, r)
                kept.by_service[(s, services[s])] = (minute, kept.changes, service_warnings(
                    s, services[s], roles, pathway, {r: kept.rotas[(s, r)] for r in roles}, kept.people,
                    ports.settings.calendar, minute, everything))
            if len(kept.by_service) > 4 * max(len(services), 64):
                kept.by_service = {k: v for k, v in kept.by_service.items() if k[0] in services}
                kept.rotas = {k: v for k, v in kept.rotas.items() if k[0] in services}
        warnings = [w for s in sorted(services) for w in kept.by_service[(s, services[s])][2]]
    return {"alerts_set_up": True, "warnings": warnings, "words": None}


def alert_cover(ports: Ports, principal: Principal, services: dict[str, str], now: datetime,
                position: int | None = None) -> dict[str, Any]:
    """For those who read the lists: the warnings for the services they see among `services`. Names
    no person (roles, services and times only), so not a read of personal data."""
    allowed(ports, principal, may_read_lists(principal))
    return on_call_warnings(ports, {s: n for s, n in services.items() if sees_service(principal, s)}, now, position)
