"""Deadline rules and the working calendar they are measured against.

Pure and deterministic (data: the `holidays` package and zoneinfo). Public datetimes are
aware UTC; working time is computed on local wall-clock times so DST never moves a deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Annotated, ClassVar, Literal, Union
from zoneinfo import ZoneInfo

import holidays
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _utc(value: datetime, name: str) -> datetime:
    # A naive datetime is ambiguous (local? UTC?), so guessing would silently move deadlines.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value.isoformat()}")
    return value.astimezone(timezone.utc)


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    # Building a holidays table is comparatively slow and deadlines are computed often.
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


class HolidaysNotCovered(ValueError):
    """A deadline fell in a year the case's holiday table does not cover (extend the table)."""


class HolidayTable(BaseModel):
    """The bank holidays a case's deadlines are computed with, taken from the `holidays` package
    when the case is raised and kept in its history, so replaying the case, or computing its
    next deadline after the package is upgraded, uses the dates it was decided with."""

    model_config = _FROZEN

    source: str  # e.g. "holidays 0.108 GB-ENG": what StepOpened.holiday_table records
    first_year: int
    last_year: int
    dates: tuple[date, ...]

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


class WorkingCalendar(BaseModel):
    model_config = _FROZEN
    _table: HolidayTable | None = PrivateAttr(default=None)  # set by with_holidays: no package reads
    _dates: frozenset[date] = PrivateAttr(default=frozenset())

    timezone: str = "Europe/London"
    working_weekdays: tuple[Annotated[int, Field(ge=0, le=6)], ...] = Field((0, 1, 2, 3, 4), min_length=1)  # Mon=0
    opens_at: time = time(9, 0)
    closes_at: time = time(17, 0)
    holiday_country: str = "GB"
    holiday_subdivision: str | None = "ENG"  # plain "GB" omits Easter Monday and August bank holiday
    shift_starts: tuple[time, ...] = Field((time(8, 0), time(20, 0)), min_length=1)
    immediately: timedelta = Field(timedelta(hours=1), gt=timedelta(0))

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except Exception as exc:  # ZoneInfoNotFoundError, or ValueError for malformed keys
            raise ValueError(f"unknown timezone {name!r}") from exc
        return name

    @field_validator("opens_at", "closes_at", "shift_starts")
    @classmethod
    def _wall_clock_times(cls, value, info):
        # Times are wall-clock times in `timezone`; an offset would contradict it (and breaks comparisons).
        if any(t.tzinfo is not None for t in (value if isinstance(value, tuple) else (value,))):
            raise ValueError(f"{info.field_name} must be local times without a UTC offset")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> WorkingCalendar:
        if self.opens_at >= self.closes_at:
            raise ValueError("closes_at must be later than opens_at (overnight working hours are not supported)")
        supported = holidays.list_supported_countries()
        if self.holiday_country not in supported:
            raise ValueError(f"holiday_country {self.holiday_country!r} is not known to the holidays package")
        if self.holiday_subdivision is not None and self.holiday_subdivision not in supported[self.holiday_country]:
            raise ValueError(
                f"holiday_subdivision {self.holiday_subdivision!r} is not a subdivision of {self.holiday_country}"
            )
        return self

    def holiday_table(self) -> str:
        if self._table is not None:
            return self._table.source
        region = self.holiday_country + (f"-{self.holiday_subdivision}" if self.holiday_subdivision else "")
        return f"holidays {holidays.__version__} {region}"

    def holidays_for(self, first_year: int, last_year: int) -> HolidayTable:
        """This calendar's bank holidays for the years given, read from the `holidays` package."""
        dates = sorted(d for year in range(first_year, last_year + 1)
                       for d in _holiday_dates(self.holiday_country, self.holiday_subdivision, year))
        return HolidayTable(source=self.holiday_table(), first_year=first_year, last_year=last_year, dates=tuple(dates))

    def with_holidays(self, table: HolidayTable) -> WorkingCalendar:
        """This calendar, counting only `table`'s holidays (pure: what workflow code uses)."""
        bound = self.model_copy()
        bound._table = table
        bound._dates = frozenset(table.dates)
        return bound

    def is_working_day(self, day: date) -> bool:
        if day.weekday() not in self.working_weekdays:
            return False
        if self._table is None:
            return day not in _holiday_dates(self.holiday_country, self.holiday_subdivision, day.year)
        if not self._table.covers(day.year):
            raise HolidaysNotCovered(f"the case's holiday table ({self._table.source}) covers {self._table.first_year}-"
                                     f"{self._table.last_year}, not {day.year}")
        return day not in self._dates

    def working_day_length(self) -> timedelta:
        return datetime.combine(date.min, self.closes_at) - datetime.combine(date.min, self.opens_at)

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        start = _utc(start, "start")
        if amount < timedelta():
            raise ValueError("amount of working time must not be negative")
        if not amount:
            return start
        for opens, closes in self._working_intervals(self._local_date(start)):
            begin = max(opens, start)
            if begin >= closes:
                continue
            if amount <= closes - begin:  # finishing exactly at close is due at close, not next opening
                return begin + amount
            amount -= closes - begin
        raise AssertionError("unreachable")  # pragma: no cover

    def end_of_working_day(self, at: datetime) -> datetime:
        at = _utc(at, "at")
        # Working interval is [opens, closes): at/after close rolls to the next working day.
        return next(closes for _, closes in self._working_intervals(self._local_date(at)) if at < closes)

    def end_of_shift(self, at: datetime) -> datetime:
        at = _utc(at, "at")
        day = self._local_date(at)
        while True:  # shifts run every day, holidays included
            for start in sorted(self.shift_starts):
                boundary = self._instant(day, start)
                if boundary > at:  # a boundary exactly at `at` starts a new shift
                    return boundary
            day += timedelta(days=1)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        start, end = _utc(start, "start"), _utc(end, "end")
        if end < start:
            return -self.working_time_between(end, start)
        total = timedelta()
        for opens, closes in self._working_intervals(self._local_date(start)):
            if opens >= end:
                return total
            total += max(timedelta(), min(closes, end) - max(opens, start))
        raise AssertionError("unreachable")  # pragma: no cover

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(ZoneInfo(self.timezone)).date()

    def _instant(self, day: date, wall: time) -> datetime:
        # Wall-clock time on that local date -> UTC; this is what keeps deadlines DST-stable.
        return datetime.combine(day, wall, tzinfo=ZoneInfo(self.timezone)).astimezone(timezone.utc)

    def _working_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """(opens, closes) in UTC for each working day from `day` onwards."""
        idle = 0
        while True:
            if self.is_working_day(day):
                idle = 0
                yield self._instant(day, self.opens_at), self._instant(day, self.closes_at)
            elif (idle := idle + 1) > 366:  # e.g. a holiday table covering every working weekday
                raise ValueError(f"no working day within a year after {day - timedelta(days=366)}")
            day += timedelta(days=1)


# Deadline rules: typed policy data, parsed via TypeAdapter(DeadlineRule).


def _plural(n: float, unit: str) -> str:
    return f"{n:g} {unit}" + ("" if n == 1 else "s")


class _Rule(BaseModel):
    model_config = _FROZEN
    in_working_time: ClassVar[bool] = False  # whether staff count the time left in working time


class After(_Rule):
    # Clock time: an exact instant, unaffected by working hours or DST.
    kind: Literal["after"] = "after"
    minutes: int = Field(gt=0)

    def due(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        return _utc(start, "start") + timedelta(minutes=self.minutes)

    def describe(self) -> str:
        if self.minutes % 60 == 0:
            return f"within {_plural(self.minutes // 60, 'hour')}"
        return f"within {_plural(self.minutes, 'minute')}"


class WorkingHours(_Rule):
    in_working_time: ClassVar[bool] = True
    kind: Literal["working_hours"] = "working_hours"
    hours: float = Field(gt=0, allow_inf_nan=False)

    def due(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        return calendar.add_working_time(start, timedelta(hours=self.hours))

    def describe(self) -> str:
        return f"within {_plural(self.hours, 'working hour')}"


class WorkingDays(_Rule):
    in_working_time: ClassVar[bool] = True
    # N x working-day length of working time, so part-days carry over like working hours.
    kind: Literal["working_days"] = "working_days"
    days: int = Field(gt=0)

    def due(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        return calendar.add_working_time(start, self.days * calendar.working_day_length())

    def describe(self) -> str:
        return f"within {_plural(self.days, 'working day')}"


class EndOfWorkingDay(_Rule):
    in_working_time: ClassVar[bool] = True
    kind: Literal["end_of_working_day"] = "end_of_working_day"

    def due(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        return calendar.end_of_working_day(start)

    def describe(self) -> str:
        return "by the end of the working day"


class EndOfShift(_Rule):
    kind: Literal["end_of_shift"] = "end_of_shift"

    def due(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        return calendar.end_of_shift(start)

    def describe(self) -> str:
        return "by the end of the shift"


class Immediately(_Rule):
    kind: Literal["immediately"] = "immediately"

    def due(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        return _utc(start, "start") + calendar.immediately

    def describe(self) -> str:
        return "immediately"


DeadlineRule = Annotated[
    Union[After, WorkingHours, WorkingDays, EndOfWorkingDay, EndOfShift, Immediately],
    Field(discriminator="kind"),
]
