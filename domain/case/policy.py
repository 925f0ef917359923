"""The policy a case runs under, fixed when it is raised and carried in its history: the pathway
(as data), the working calendar, the bank holidays its deadlines count, and the threshold tool.
A later change to any of them applies to new cases; a running case keeps deciding as it began."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property, lru_cache

from pydantic import BaseModel, ConfigDict

from domain.deadlines import HolidayTable, WorkingCalendar
from domain.inputs import InputRules
from domain.policy import Pathway

YEARS_AHEAD = 2  # bank holidays are taken for the year a case starts and the two after


class CasePolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pathway: Pathway
    calendar: WorkingCalendar
    threshold_profile: str
    holidays: HolidayTable | None = None  # absent in cases raised before deadlines were computed in the workflow
    # the input rules in force when it was raised (the organisation's id pattern...), applied by its
    # update validators; absent in cases raised before them, which take what they took then
    inputs: InputRules | None = None

    @cached_property
    def working_calendar(self) -> WorkingCalendar:
        """The calendar counting this case's holiday table, never the `holidays` package."""
        if self.holidays is None:
            raise ValueError("this case's policy has no holiday table: extend it before computing deadlines")
        return self.calendar.with_holidays(self.holidays)

    def holiday_years_needed(self, now: datetime) -> tuple[int, int] | None:
        """The years to take holidays for, if the table does not yet reach the year after `now`
        (a deadline falls at most days after the instant it is computed from)."""
        if self.holidays is not None and self.holidays.covers(now.year) and self.holidays.covers(now.year + 1):
            return None
        first = min(now.year, self.holidays.first_year) if self.holidays else now.year
        return first, now.year + YEARS_AHEAD

    def as_text(self) -> str:
        return self.model_dump_json()

    def with_holidays(self, table: HolidayTable) -> CasePolicy:
        # built afresh: model_copy would carry the cached working_calendar over
        return CasePolicy(pathway=self.pathway, calendar=self.calendar, threshold_profile=self.threshold_profile,
                          holidays=table, inputs=self.inputs)


@lru_cache(maxsize=32)
def policy_from_text(text: str) -> CasePolicy:
    """A policy from its JSON. Policies are few (one per threshold profile and holiday years) and
    large (the whole pathway), and a frozen policy parsed from the same text is the same policy:
    each distinct one is parsed once per process, not once per case."""
    return CasePolicy.model_validate_json(text)
