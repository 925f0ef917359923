"""Deadline rules and working-calendar arithmetic.

Inputs are written as London wall-clock times (`london(...)`) and compared as UTC,
so every case also checks the local <-> UTC conversion. Reference dates:
Mon 12 Jan 2026 (GMT); UK clocks change Sun 29 Mar 2026, Sun 25 Oct 2026, Sun 28 Mar 2027.
"""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from domain.deadlines import (
    After,
    DeadlineRule,
    EndOfShift,
    EndOfWorkingDay,
    Immediately,
    WorkingCalendar,
    WorkingDays,
    WorkingHours,
)

pytestmark = pytest.mark.unit

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar()
UTC = timezone.utc


def london(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LONDON).astimezone(UTC)


def utc(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# --- rules applied with the default calendar ---------------------------------------------------

CASES = [
    ("15 minutes clock time", After(minutes=15), london(2026, 1, 12, 10, 50), london(2026, 1, 12, 11, 5)),
    ("15 minutes runs through the night", After(minutes=15), london(2026, 1, 12, 23, 50), london(2026, 1, 13, 0, 5)),
    ("4wh from mid-morning", WorkingHours(hours=4), london(2026, 1, 12, 10, 30), london(2026, 1, 12, 14, 30)),
    ("4wh ending exactly at close stays that day", WorkingHours(hours=4), london(2026, 1, 12, 13), london(2026, 1, 12, 17)),
    ("4wh from 15:00 spills to next day", WorkingHours(hours=4), london(2026, 1, 12, 15), london(2026, 1, 13, 11)),
    ("4wh from Friday 16:00 spills to Monday", WorkingHours(hours=4), london(2026, 1, 16, 16), london(2026, 1, 19, 12)),
    ("4wh from Saturday starts Monday 09:00", WorkingHours(hours=4), london(2026, 1, 17, 11), london(2026, 1, 19, 13)),
    ("4wh from before opening starts 09:00", WorkingHours(hours=4), london(2026, 1, 12, 6), london(2026, 1, 12, 13)),
    ("1.5wh fractional hours", WorkingHours(hours=1.5), london(2026, 1, 12, 16), london(2026, 1, 13, 9, 30)),
    ("eowd before opening -> that day", EndOfWorkingDay(), london(2026, 1, 12, 7, 30), london(2026, 1, 12, 17)),
    ("eowd at opening -> that day", EndOfWorkingDay(), london(2026, 1, 12, 9), london(2026, 1, 12, 17)),
    ("eowd during hours -> that day", EndOfWorkingDay(), london(2026, 1, 12, 12), london(2026, 1, 12, 17)),
    ("eowd exactly at close -> next day", EndOfWorkingDay(), london(2026, 1, 12, 17), london(2026, 1, 13, 17)),
    ("eowd after close -> next day", EndOfWorkingDay(), london(2026, 1, 12, 19), london(2026, 1, 13, 17)),
    ("eowd Friday evening -> Monday", EndOfWorkingDay(), london(2026, 1, 16, 17, 30), london(2026, 1, 19, 17)),
    ("eowd on Saturday -> Monday", EndOfWorkingDay(), london(2026, 1, 17, 10), london(2026, 1, 19, 17)),
    ("1 working day = 8wh, same time next day", WorkingDays(days=1), london(2026, 1, 12, 10), london(2026, 1, 13, 10)),
    ("1 working day from Saturday -> Monday close", WorkingDays(days=1), london(2026, 1, 17, 10), london(2026, 1, 19, 17)),
    ("5 working days = next week", WorkingDays(days=5), london(2026, 1, 12, 10), london(2026, 1, 19, 10)),
    ("5 working days over Christmas and New Year", WorkingDays(days=5), london(2026, 12, 23, 10), london(2027, 1, 4, 10)),
    ("end of shift at 07:00 -> 08:00", EndOfShift(), london(2026, 1, 12, 7), london(2026, 1, 12, 8)),
    ("end of shift at 08:00 boundary -> 20:00", EndOfShift(), london(2026, 1, 12, 8), london(2026, 1, 12, 20)),
    ("end of shift at 23:00 -> 08:00 next day", EndOfShift(), london(2026, 1, 12, 23), london(2026, 1, 13, 8)),
    ("end of shift in summer uses BST", EndOfShift(), london(2026, 7, 15, 7), utc(2026, 7, 15, 7)),
    ("shifts run on bank holidays", EndOfShift(), london(2026, 12, 25, 12), london(2026, 12, 25, 20)),
    ("immediately = 1 hour by default", Immediately(), london(2026, 1, 17, 3), london(2026, 1, 17, 4)),
    # Christmas 2026: Fri 25 Dec and Mon 28 Dec (Boxing Day observed) are bank holidays.
    ("Christmas 2026: Thu 16:00 + 4wh -> Tue 29 Dec", WorkingHours(hours=4), london(2026, 12, 24, 16), utc(2026, 12, 29, 12)),
    ("Christmas 2026: eowd on Christmas Eve night", EndOfWorkingDay(), london(2026, 12, 24, 18), london(2026, 12, 29, 17)),
    # Easter 2027: Good Friday 26 Mar, Easter Monday 29 Mar, and clocks go forward Sun 28 Mar.
    ("Easter 2027: Thu 15:00 + 4wh -> Tue 11:00 BST", WorkingHours(hours=4), london(2027, 3, 25, 15), utc(2027, 3, 30, 10)),
    ("Easter 2027: eowd Thu evening -> Tue 17:00 BST", EndOfWorkingDay(), london(2027, 3, 25, 17, 30), utc(2027, 3, 30, 16)),
    # DST: working time is wall-clock time, clock time is elapsed time.
    ("DST spring: Fri 16:00 GMT + 2wh -> Mon 10:00 BST", WorkingHours(hours=2), utc(2026, 3, 27, 16), utc(2026, 3, 30, 9)),
    ("DST spring: Sat + 1wh -> Mon 10:00 BST", WorkingHours(hours=1), utc(2026, 3, 28, 12), utc(2026, 3, 30, 9)),
    ("DST spring: eowd Mon 30 Mar = 16:00Z", EndOfWorkingDay(), utc(2026, 3, 30, 8), utc(2026, 3, 30, 16)),
    ("DST spring: shift on change night ends 08:00 BST", EndOfShift(), utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 7)),
    ("DST autumn: Fri 16:00 BST + 2wh -> Mon 10:00 GMT", WorkingHours(hours=2), utc(2026, 10, 23, 15), utc(2026, 10, 26, 10)),
    ("DST autumn: 1 working day Fri -> Mon same wall time", WorkingDays(days=1), utc(2026, 10, 23, 9), utc(2026, 10, 26, 10)),
    ("DST spring: 72 clock hours = 72 elapsed hours", After(minutes=72 * 60), utc(2026, 3, 27, 12), utc(2026, 3, 30, 12)),
    ("DST autumn: 72 clock hours = 72 elapsed hours", After(minutes=72 * 60), utc(2026, 10, 23, 12), utc(2026, 10, 26, 12)),
]


@pytest.mark.parametrize("rule, start, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_due(rule, start, expected):
    due = rule.due(start, CAL)
    assert due == expected
    assert due.tzinfo == UTC


def test_clock_deadline_is_exact_elapsed_time_across_dst():
    start = utc(2026, 3, 27, 12)
    due = After(minutes=72 * 60).due(start, CAL)
    assert due - start == timedelta(hours=72)
    assert due.astimezone(LONDON).hour == 13  # wall clock moved, the instant did not


def test_non_utc_aware_input_is_accepted_and_output_is_utc():
    start = datetime(2026, 7, 15, 10, 30, tzinfo=LONDON)
    due = WorkingHours(hours=4).due(start, CAL)
    assert due == utc(2026, 7, 15, 13, 30) and due.tzinfo == UTC


# --- calendar facts ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 28), False),  # Boxing Day observed (substitute day)
        (date(2026, 12, 29), True),
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday: needs subdivision ENG
        (date(2026, 8, 31), False),  # August bank holiday: needs subdivision ENG
        (date(2026, 1, 17), False),  # Saturday
    ],
    ids=str,
)
def test_is_working_day_england(day, working):
    assert CAL.is_working_day(day) is working


def test_holiday_table_and_day_length():
    assert CAL.holiday_table().startswith("holidays ")
    assert CAL.holiday_table().endswith(" GB-ENG")
    assert WorkingCalendar(holiday_subdivision=None).holiday_table().endswith(" GB")
    assert CAL.working_day_length() == timedelta(hours=8)


# --- custom calendars ----------------------------------------------------------------------------

def test_scotland_has_2_january_holiday():
    start = london(2025, 12, 31, 16)
    assert WorkingHours(hours=4).due(start, CAL) == london(2026, 1, 2, 12)
    scotland = WorkingCalendar(holiday_subdivision="SCT")
    assert WorkingHours(hours=4).due(start, scotland) == london(2026, 1, 5, 12)


def test_plain_gb_omits_easter_monday():
    gb = WorkingCalendar(holiday_subdivision=None)
    assert gb.is_working_day(date(2027, 3, 29))
    assert not gb.is_working_day(date(2027, 3, 26))


def test_custom_hours_shifts_and_immediately():
    cal = WorkingCalendar(
        opens_at=time(8), closes_at=time(18), shift_starts=(time(7), time(15), time(23)),
        immediately=timedelta(minutes=30),
    )
    monday = london(2026, 1, 12, 8)
    assert cal.working_day_length() == timedelta(hours=10)
    assert WorkingDays(days=1).due(monday, cal) == london(2026, 1, 12, 18)
    assert EndOfWorkingDay().due(monday, cal) == london(2026, 1, 12, 18)
    assert EndOfShift().due(london(2026, 1, 12, 16), cal) == london(2026, 1, 12, 23)
    assert Immediately().due(monday, cal) == london(2026, 1, 12, 8, 30)


def test_custom_weekdays_and_timezone():
    # Sunday-Thursday working week in New York with US federal holidays.
    cal = WorkingCalendar(
        timezone="America/New_York", working_weekdays=(6, 0, 1, 2, 3),
        holiday_country="US", holiday_subdivision=None,
    )
    thursday_4pm = datetime(2026, 1, 15, 16, tzinfo=ZoneInfo("America/New_York"))
    sunday_noon = datetime(2026, 1, 18, 12, tzinfo=ZoneInfo("America/New_York"))
    assert WorkingHours(hours=4).due(thursday_4pm, cal) == sunday_noon.astimezone(UTC)


# --- validation ----------------------------------------------------------------------------------

NAIVE = datetime(2026, 1, 12, 10)


@pytest.mark.parametrize(
    "call",
    [
        lambda: After(minutes=15).due(NAIVE, CAL),
        lambda: Immediately().due(NAIVE, CAL),
        lambda: WorkingHours(hours=4).due(NAIVE, CAL),
        lambda: EndOfWorkingDay().due(NAIVE, CAL),
        lambda: EndOfShift().due(NAIVE, CAL),
        lambda: CAL.working_time_between(utc(2026, 1, 12), NAIVE),
    ],
    ids=["after", "immediately", "working_hours", "end_of_working_day", "end_of_shift", "working_time_between"],
)
def test_naive_datetime_rejected(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_negative_working_time_rejected():
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_time(utc(2026, 1, 12), timedelta(hours=-1))


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"opens_at": time(17), "closes_at": time(9)}, "closes_at"),
        ({"opens_at": time(9), "closes_at": time(9)}, "closes_at"),
        ({"working_weekdays": ()}, "working_weekdays"),
        ({"working_weekdays": (0, 7)}, "working_weekdays"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"shift_starts": ()}, "shift_starts"),
        ({"shift_starts": (time(8, tzinfo=UTC),)}, "shift_starts"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"holiday_subdivision": "XYZ"}, "holiday_subdivision"),
        ({"immediately": timedelta(0)}, "immediately"),
        ({"opens_at": time(9, tzinfo=UTC)}, "opens_at"),
        ({"colour": "blue"}, "colour"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_invalid_calendar_rejected(kwargs, field):
    with pytest.raises(ValidationError) as exc:
        WorkingCalendar(**kwargs)
    # The bad field is named either as the error location or in the message itself.
    assert any(field in e["loc"] or field in e["msg"] for e in exc.value.errors())


def test_calendar_is_frozen():
    with pytest.raises(ValidationError):
        CAL.opens_at = time(8)


@pytest.mark.parametrize(
    "data", [{"kind": "after", "minutes": 0}, {"kind": "working_hours", "hours": -1}, {"kind": "working_days", "days": 0}],
    ids=["zero minutes", "negative hours", "zero days"],
)
def test_non_positive_rule_amounts_rejected(data):
    with pytest.raises(ValidationError):
        TypeAdapter(DeadlineRule).validate_python(data)


# --- working time left ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "start, end, expected",
    [
        (london(2026, 1, 16, 15), london(2026, 1, 19, 11), timedelta(hours=4)),
        (london(2026, 1, 19, 11), london(2026, 1, 16, 15), timedelta(hours=-4)),
        (london(2026, 1, 12, 13, 30), london(2026, 1, 12, 12), timedelta(hours=-1.5)),
        (london(2026, 1, 17, 10), london(2026, 1, 18, 10), timedelta(0)),
        (london(2026, 12, 24, 16), london(2026, 12, 29, 12), timedelta(hours=4)),
        (utc(2026, 3, 27, 16), utc(2026, 3, 30, 9), timedelta(hours=2)),
    ],
    ids=["across weekend", "reversed is negative", "overdue is negative", "weekend only", "Christmas", "DST spring"],
)
def test_working_time_between(start, end, expected):
    assert CAL.working_time_between(start, end) == expected


@pytest.mark.parametrize("hours", [0.25, 4, 13.25, 40, 200])
def test_working_time_between_inverts_add_working_time(hours):
    start = london(2026, 12, 23, 10)  # across Christmas and New Year bank holidays
    amount = timedelta(hours=hours)
    assert CAL.working_time_between(start, CAL.add_working_time(start, amount)) == amount


# --- rule data -----------------------------------------------------------------------------------

RULES_JSON = [
    ('{"kind": "after", "minutes": 15}', After(minutes=15), "within 15 minutes"),
    ('{"kind": "after", "minutes": 4320}', After(minutes=4320), "within 72 hours"),
    ('{"kind": "working_hours", "hours": 4}', WorkingHours(hours=4), "within 4 working hours"),
    ('{"kind": "working_hours", "hours": 1}', WorkingHours(hours=1), "within 1 working hour"),
    ('{"kind": "working_days", "days": 5}', WorkingDays(days=5), "within 5 working days"),
    ('{"kind": "end_of_working_day"}', EndOfWorkingDay(), "by the end of the working day"),
    ('{"kind": "end_of_shift"}', EndOfShift(), "by the end of the shift"),
    ('{"kind": "immediately"}', Immediately(), "immediately"),
]


@pytest.mark.parametrize("raw, rule, text", RULES_JSON, ids=[r[2] for r in RULES_JSON])
def test_rule_round_trip_and_describe(raw, rule, text):
    adapter = TypeAdapter(DeadlineRule)
    parsed = adapter.validate_json(raw)
    assert parsed == rule and type(parsed) is type(rule)
    assert adapter.validate_json(adapter.dump_json(parsed)) == rule
    assert parsed.describe() == text


@pytest.mark.parametrize(
    "raw", ['{"kind": "sometime"}', '{"kind": "after", "minutes": 5, "extra": 1}', '{"minutes": 5}'],
    ids=["unknown kind", "extra field", "missing kind"],
)
def test_bad_rule_json_rejected(raw):
    with pytest.raises(ValidationError):
        TypeAdapter(DeadlineRule).validate_json(raw)


@pytest.mark.parametrize("start, end, expected", [
    (london(2026, 1, 12, 18), london(2026, 1, 13, 10), timedelta(hours=1)),
    (london(2026, 1, 12, 17, 30), london(2026, 1, 12, 19), timedelta(0)),
    (london(2026, 1, 12, 16, 30), london(2026, 1, 12, 18), timedelta(minutes=30)),
], ids=["from after closing", "all after closing", "into the evening"])
def test_working_time_left_after_closing_is_never_negative(start, end, expected):
    assert CAL.working_time_between(start, end) == expected
