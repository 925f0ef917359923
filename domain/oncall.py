"""Who is on call (issue 20): a rota per service and role, and who an alert reaches at an instant.

Pure. In working hours (the working calendar deadlines use) an alert goes to the people who hold
the role at the service; out of hours, to whoever is on call for that role there. A gap in the
rota, or nobody with contact details, sends the alert one role up at once (the caller climbs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Literal

from domain.deadlines import WorkingCalendar
from domain.facts import Fact

LONGEST_SHIFT = timedelta(days=31)  # one entry covers at most a month: a rota is set week by week


class OnCallSet(Fact):
    """`user_id` is on call for `role` at `service` from `start` to `end`. A later entry covering
    the same time takes its place there."""

    type: Literal["OnCallSet"] = "OnCallSet"
    service: str
    role: str
    user_id: str
    start: datetime
    end: datetime
    by: str


@dataclass(frozen=True)
class Rota:
    service: str
    role: str
    entries: tuple[OnCallSet, ...] = ()  # in the order set

    def on_call(self, at: datetime) -> str | None:
        """Who is on call at `at` (the latest entry set that covers it), or None: a gap."""
        covering = [e for e in self.entries if e.start <= at < e.end]
        return covering[-1].user_id if covering else None

    def gaps(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The stretches of [start, end) no entry covers."""
        covered = sorted((max(e.start, start), min(e.end, end)) for e in self.entries if e.end > start and e.start < end)
        out, at = [], start
        for s, e in covered:
            if s > at:
                out.append((at, s))
            at = max(at, e)
        if at < end:
            out.append((at, end))
        return out


def fold_rota(service: str, role: str, facts: Iterable[Fact]) -> Rota:
    return Rota(service, role, tuple(f for f in facts if isinstance(f, OnCallSet)))


def in_working_hours(calendar: WorkingCalendar, at: datetime) -> bool:
    return calendar.working_time_between(at, at + timedelta(seconds=1)) > timedelta(0)


def out_of_hours_gaps(rota: Rota, calendar: WorkingCalendar, start: datetime, end: datetime,
                      step: timedelta = timedelta(minutes=15)) -> list[tuple[datetime, datetime]]:
    """The gaps in the rota that fall out of working hours (in working hours the role's holders are
    alerted, rota or not), to `step`'s precision: what the board and `deadlines` warn of."""
    out: list[tuple[datetime, datetime]] = []
    for s, e in rota.gaps(start, end):
        at = s
        while at < e:
            # to the next whole `step` (working hours begin and end on one): 17:00, not 17:08
            after = min(datetime.fromtimestamp((at.timestamp() // step.total_seconds() + 1) * step.total_seconds(),
                                               at.tzinfo), e)
            if not in_working_hours(calendar, at):
                if out and out[-1][1] == at:
                    out[-1] = (out[-1][0], after)
                else:
                    out.append((at, after))
            at = after
    return out


def shift_problem(start: datetime, end: datetime, names: tuple[str, str] = ("--from", "--to")) -> str | None:
    """Why an on-call entry from `start` to `end` cannot be set, or None. `names`: what the asker
    calls the two instants (the CLI's options; a page's "the start" and "the end")."""
    first, last = names
    if start.tzinfo is None or end.tzinfo is None:
        return f"give {first} and {last} with a UTC offset, e.g. 2027-03-14T17:00:00+00:00"
    if end <= start:
        return f"{last} must be after {first}"
    if end - start > LONGEST_SHIFT:
        return f"one entry covers at most {LONGEST_SHIFT.days} days: set the rota week by week"
    return None


@dataclass(frozen=True)
class Recipient:
    user_id: str
    email: str | None
    mobile: str | None


@dataclass(frozen=True)
class Person:
    """What the resolver needs of an account: its roles by service, and where alerts reach it."""

    user_id: str
    roles_at: dict[str | None, tuple[str, ...]]  # service (None: organisation-wide) -> roles
    email: str | None = None
    mobile: str | None = None
    active: bool = True
    approaching_alerts: bool = True  # their choice: told when a deadline is near (escalations always)

    def reachable(self) -> bool:
        return self.active and bool(self.email or self.mobile)


def who_to_alert(role: str, service: str, at: datetime, people: Iterable[Person], rota: Rota,
                 calendar: WorkingCalendar, top_of_ladder: bool = False) -> list[Recipient]:
    """The people an alert to `role` at `service` reaches at `at`. In working hours: those who hold
    the role at the service (organisation-wide holders only at the top of the ladder). Out of hours:
    whoever is on call for it. Only people with contact details count: an empty answer means the
    alert goes one role up at once."""
    people = [p for p in people if p.reachable()]
    if not in_working_hours(calendar, at):
        on_call = rota.on_call(at)
        chosen = [p for p in people if p.user_id == on_call]
    else:
        chosen = [p for p in people if role in p.roles_at.get(service, ())]
        if not chosen and top_of_ladder:
            chosen = [p for p in people if role in p.roles_at.get(None, ())]
    return [Recipient(p.user_id, p.email, p.mobile) for p in sorted(chosen, key=lambda p: p.user_id)]


def who_holds(role: str, service: str | None, people: Iterable[Person]) -> list[Recipient]:
    """The people an escalation of tracked work (a governance action, a provider process) reaches,
    by email at any hour (it is not paged out of hours): the role's holders at the service, or,
    with none there (or no service: organisation-wide work), its organisation-wide holders."""
    people = [p for p in people if p.reachable()]
    chosen = [p for p in people if service and role in p.roles_at.get(service, ())] or \
        [p for p in people if role in p.roles_at.get(None, ())]
    return [Recipient(p.user_id, p.email, p.mobile) for p in sorted(chosen, key=lambda p: p.user_id)]


def who_to_remind(role: str, service: str, people: Iterable[Person]) -> list[Recipient]:
    """The people told a deadline is near: those who hold the step's role at the service (they are
    the ones who can complete it, on shift or not; no rota), unless they turned these alerts off."""
    chosen = [p for p in people if p.reachable() and p.approaching_alerts and role in p.roles_at.get(service, ())]
    return [Recipient(p.user_id, p.email, p.mobile) for p in sorted(chosen, key=lambda p: p.user_id)]
