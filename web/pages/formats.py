"""How the pages say times and durations: plain English, Europe/London with the zone named.

Pure functions (no clock read): the pages pass `now`. The countdown script (static/countdown.js)
says time left in the same words, so a live update reads like the first render.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from domain.access import listed
from domain.deadlines import WorkingCalendar
from domain.pathway import counts_working_time
from projections.engine_words import role_words
from projections.field_words import FIELD_CHOICE_WORDS
from projections.wording import humanise

LONDON = ZoneInfo("Europe/London")


def as_instant(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def london(value: datetime | str | None, with_day: bool = True) -> str:
    """'Mon 23 Nov 2026, 18:55 GMT' (BST in summer): the zone is always named."""
    instant = as_instant(value)
    if instant is None:
        return "no deadline"
    local = instant.astimezone(LONDON)
    day = f"{local:%a} {local.day} {local:%b %Y}, " if with_day else ""
    return f"{day}{local:%H:%M} {local.tzname()}"


def london_input(value: datetime | None) -> str:
    """The value of a datetime-local input, in London wall-clock time."""
    return value.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M") if value else ""


def from_london_input(text: str) -> datetime:
    """A datetime-local input's value read as London wall-clock time (ValueError if not one)."""
    naive = datetime.fromisoformat(text.strip())
    try:
        if naive.tzinfo is not None:
            return naive.astimezone(timezone.utc)
        return naive.replace(tzinfo=LONDON).astimezone(timezone.utc)
    except OverflowError:  # off the calendar once put in UTC (year 1, year 9999)
        raise ValueError(f"{text!r} is not a date and time Safeguard can hold") from None


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def duration(seconds: float, working: bool = False) -> str:
    """'2 working hours 10 min', '3 days 4 hours', '14 min 5 s' (under an hour the seconds count
    too, so a short deadline visibly counts down), 'less than a minute' is never said."""
    s = int(abs(seconds))
    minutes, hours, days = s // 60 % 60, s // 3600, s // 86400
    hour_word = "working hour" if working else "hour"
    if not working and days >= 2:
        rest = hours - days * 24
        return _plural(days, "day") + (f" {_plural(rest, 'hour')}" if rest else "")
    if hours:
        return _plural(hours, hour_word) + (f" {minutes} min" if minutes else "")
    mins = f"{minutes} {'working ' if working else ''}min" if minutes else ""
    secs = f"{s % 60} s" if s % 60 or not minutes else ""
    return " ".join(x for x in (mins, secs) if x)


def time_left(due: datetime | str | None, now: datetime, working_left_s: float | None = None) -> str:
    """'2 working hours 10 min left' (working time given), '45 min left', 'overdue by 35 min'."""
    instant = as_instant(due)
    if instant is None:
        return "no deadline"
    clock = (instant - now).total_seconds()
    if clock <= 0:
        return f"overdue by {duration(clock)}"
    if working_left_s is not None:
        return f"{duration(working_left_s, working=True)} left"
    return f"{duration(clock)} left"


def in_working_time(step: str) -> bool:
    """Whether the step's deadline is counted in working time (its pathway rule)."""
    return counts_working_time(step)


def working_windows(calendar: WorkingCalendar, now: datetime, due: datetime) -> list[tuple[int, int]]:
    """The working intervals between now and due as epoch milliseconds, for the live countdown to
    count working time in the browser without knowing the calendar."""
    out: list[tuple[int, int]] = []
    if due <= now:
        return out
    for opens, closes in calendar._working_intervals(calendar._local_date(now)):
        if opens >= due:
            break
        start, end = max(opens, now), min(closes, due)
        if end > start:
            out.append((int(start.timestamp() * 1000), int(end.timestamp() * 1000)))
    return out


def countdown(step: str, due: datetime | str | None, now: datetime, calendar: WorkingCalendar) -> dict[str, Any]:
    """What a page needs to show one deadline and keep it counting: the text now, the due instant
    in ms, and the working windows when the step's deadline is in working time."""
    instant = as_instant(due)
    if instant is None:
        return {"text": "no deadline", "due_ms": None, "windows": None, "overdue": False, "due": None}
    working = in_working_time(step)
    windows = working_windows(calendar, now, instant) if working else None
    left = sum(b - a for a, b in windows) / 1000 if windows is not None else None
    return {"text": time_left(instant, now, left), "due_ms": int(instant.timestamp() * 1000),
            "windows": windows, "overdue": instant <= now, "due": london(instant)}


def joined(items: Iterable[str]) -> str:
    """Roles in words, 'team leader, registered manager or designated safeguarding lead' (as the refusals list them)."""
    names = [role_words(i) for i in dict.fromkeys(items)]
    return listed(names, "or") if names else "nobody"


# Who is alleged to have caused harm, and who first reported it, as the raise page asks: the words table's
SOURCE_WORDS, REPORTER_WORDS = FIELD_CHOICE_WORDS["source_kind"], FIELD_CHOICE_WORDS["reported_by"]


CHANNEL_WORDS = {"email": "email", "text": "text message"}


def _role_words(role: str) -> str:
    return role_words(role)


def alert_lines(e: dict[str, Any]) -> list[str]:
    """Who an escalation's alerts reached, rung by rung, and whether it was acknowledged, in words:
    'Alerted the designated safeguarding lead: DSL-2 by email and text message at 19:42 GMT', 'Then
    alerted the operations director at 19:57 GMT: nobody could be reached', 'Not acknowledged'."""
    lines = []
    for i, a in enumerate(sorted(e.get("alerts") or [], key=lambda x: x["rung"])):
        role, alerted = _role_words(a["to_role"]), "Alerted" if i == 0 else "Then alerted"
        if a["sent"]:
            by: dict[str, list[str]] = {}
            for s in a["sent"]:
                words = CHANNEL_WORDS.get(s["channel"], s["channel"])
                if words not in by.setdefault(s["user_id"], []):
                    by[s["user_id"]].append(words)
            people = " and ".join(f"{u} by {' and '.join(c)}" for u, c in by.items())
            at = min(s["at"] for s in a["sent"])
            lines.append(f"{alerted} the {role}: {people} at {london(at, with_day=False)}")
        elif a["not_delivered"]:
            why = a["not_delivered"]["reason"]
            lines.append(f"{alerted} the {role} at {london(a['not_delivered']['at'], with_day=False)}: nobody could be "
                         f"reached" + (" (the messages were not sent after every retry)" if why.startswith("not sent") else ""))
        else:
            lines.append(f"{'Alerting' if i == 0 else 'Then alerting'} the {role}: being sent since "
                         f"{london(a['at'], with_day=False)}")
    if not lines:
        lines.append("No alert was sent")
    ack = e.get("acknowledged")
    if ack:
        lines.append(f"Acknowledged by {ack['by']} ({_role_words(ack['role'])}) at {london(ack['at'], with_day=False)}")
    else:
        lines.append("Not acknowledged")
    return lines
