"""The governance audits of `shared/seeds/001_83683b439f7bdd5b.txt`, as typed data: step 5 of
each operational example, where the Quality and Safeguarding Lead audits across cases.

- weekly recognition audit (001 line 17): same-day seriousness reviews, escalations after
  delayed recognition, records missing exact targeting detail; compliance below 95 percent
  triggers immediate practice correction;
- fortnightly protection audit (001 line 31): separation plans implemented on time,
  chronology gaps, repeated incidents after controls; repeat incidents above one trigger
  targeted retraining;
- monthly learning review (001 line 45): substantiation outcomes, action completion rate,
  lessons; repeated themes across two or more cases trigger service-wide improvement planning.

An audit speaks for a period that ends at midnight (Europe/London) at the start of its
`as_of` date, so an audit run at 07:00 on a Monday covers the seven days before that Monday.
The rules that turn records into figures are pure functions here, so they can be read,
tested and changed in one place (bump `GOVERNANCE_VERSION` when they change).
"""

from __future__ import annotations

import calendar as _calendar
import re
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.deadlines import WorkingCalendar, WorkingDays
from domain.pathway import BEHAVIOUR_OBSERVED, INITIATED_BY, SOURCE_WITHOUT_ID
from domain.policy import Role

GOVERNANCE_VERSION = "2026.12.1"  # 2026.12.1: the weekly audit counts notifications (issue 12)
SEED = "001_83683b439f7bdd5b.txt"
TIME_ZONE = "Europe/London"
_LONDON = ZoneInfo(TIME_ZONE)  # built once, outside any workflow sandbox

AuditKind = Literal["weekly", "fortnightly", "monthly"]
KINDS: tuple[AuditKind, ...] = ("weekly", "fortnightly", "monthly")


class Governance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ActionDue(Governance):
    """When an action raised by an audit is due: working days (the provider's working calendar)
    or calendar months from when the audit raised it (issue 12: tracked to closure)."""

    working_days: int | None = Field(default=None, gt=0)
    months: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one(self) -> "ActionDue":
        if (self.working_days is None) == (self.months is None):
            raise ValueError("an action is due in working_days or in months, one of them")
        return self

    def due(self, raised_at: datetime, calendar: WorkingCalendar) -> datetime:
        if self.working_days:
            return WorkingDays(days=self.working_days).due(raised_at, calendar)
        local = raised_at.astimezone(_LONDON)
        day = _months_before(local.date(), -self.months)
        return datetime.combine(day, local.time(), tzinfo=_LONDON).astimezone(timezone.utc)

    def describe(self) -> str:
        if self.working_days:
            return WorkingDays(days=self.working_days).describe()
        return f"within {self.months} month" + ("" if self.months == 1 else "s")


class ActionDefinition(Governance):
    """What an audit raises when a threshold is crossed, who owns it, and when it is due."""

    id: str
    title: str
    owner: Role
    seed: str
    due: ActionDue | None = None  # None: not tracked (definitions before 2026.12.1)
    evidence: str = ""  # what its completion must say


class Trigger(Governance):
    """`figure` compared with `value` raises `action`. A percentage names the counts it is made
    of (`ratio`), so the comparison is exact (18/19 is below 95 even where 94.74 would round)."""

    figure: str
    comparison: Literal["below", "above", "at_least"]
    value: int
    action: str
    seed: str
    ratio: tuple[str, str] | None = None  # (numerator figure, denominator figure) of a percentage

    def crossed(self, figures: dict[str, Any]) -> bool:
        if self.ratio:
            num, den = figures[self.ratio[0]], figures[self.ratio[1]]
            if not den:
                return False  # nothing fell due: nothing to be below
            measured: Fraction | int = Fraction(100 * num, den)
        else:
            measured = figures[self.figure]
            if measured is None:
                return False
        if self.comparison == "below":
            return measured < self.value
        if self.comparison == "above":
            return measured > self.value
        return measured >= self.value

    def describe(self) -> str:
        words = {"below": "below", "above": "above", "at_least": "at least"}[self.comparison]
        return f"{self.figure} {words} {self.value}"


class Period(Governance):
    """How far back an audit looks from its `as_of` date: a number of days or calendar months."""

    days: int | None = None
    months: int | None = None

    def bounds(self, as_of: date) -> tuple[datetime, datetime]:
        """[start, end) in UTC; both ends are local midnights, so DST never shifts a period."""
        if self.months:
            first = _months_before(as_of, self.months)
        else:
            first = as_of - timedelta(days=self.days or 0)
        return local_midnight(first), local_midnight(as_of)


class AuditSchedule(Governance):
    """When Temporal runs the audit. A fortnight cannot be written as a calendar rule, so the
    fortnightly audit runs every 14 days in phase with `anchor` (a Monday it runs on)."""

    schedule_id: str
    every: Literal["week", "fortnight", "month"]
    day_of_week: int | None = None  # 0 = Monday (Python's numbering)
    day_of_month: int | None = None
    at: time = time(7, 0)
    time_zone: str = TIME_ZONE
    anchor: date | None = None
    note: str = ""

    @model_validator(mode="after")
    def _complete(self) -> "AuditSchedule":
        needed = {"week": "day_of_week", "fortnight": "anchor", "month": "day_of_month"}[self.every]
        if getattr(self, needed) is None:
            raise ValueError(f"a schedule every {self.every} needs {needed}")
        return self


class AuditDefinition(Governance):
    kind: AuditKind
    id: str
    title: str
    seed: str
    role: Role  # who audits
    period: Period
    schedule: AuditSchedule
    figures: dict[str, str]  # figure name -> how it is counted
    triggers: tuple[Trigger, ...]
    actions: tuple[ActionDefinition, ...]

    def action(self, action_id: str) -> ActionDefinition:
        return next(a for a in self.actions if a.id == action_id)


# --- the rules behind the figures ---------------------------------------------------------

# "exact behaviour observed, who initiated the interaction" (001 line 9). A record_concern
# record misses exact targeting detail when `initiated_by` names no adult by id, or
# `behaviour_observed` is under MIN_BEHAVIOUR_WORDS words, or describes the behaviour in the
# minimising language of 001 line 19 ("clashing personalities", "ordinary bickering").
ID_TOKEN = re.compile(r"\b(?:[A-Za-z]{1,5}-\d{1,6}|\d{10})\b")  # an adult's id, or an NHS number
MIN_BEHAVIOUR_WORDS = 3
MINIMISING_TERMS = ("clash", "bicker", "personality", "personalities", "friction", "banter", "falling out")


def targeting_gaps(record: dict[str, Any]) -> list[str]:
    """Why a record_concern record lacks exact targeting detail (empty: it has it)."""
    gaps = []
    initiated, observed = INITIATED_BY.name, BEHAVIOUR_OBSERVED.name
    if not ID_TOKEN.search(str(record.get(initiated) or "")) and record.get(initiated) != SOURCE_WITHOUT_ID:
        gaps.append(f"{initiated} names no adult by id")
    behaviour = _words(str(record.get(observed) or ""))
    if len(behaviour.split()) < MIN_BEHAVIOUR_WORDS:
        gaps.append(f"{observed} under {MIN_BEHAVIOUR_WORDS} words")
    if any(_has_term(behaviour, t) for t in MINIMISING_TERMS):
        gaps.append(f"{observed} uses minimising language")
    return gaps


TARGETING_FIELDS = (INITIATED_BY.name, BEHAVIOUR_OBSERVED.name)  # what targeting_gaps reads; each gap names its field first


def gaps_after(gaps: list[str], corrected: dict[str, Any]) -> list[str]:
    """The record's targeting gaps once some of its fields are corrected (an amendment, issue 22):
    a corrected field's gaps found anew from its new value, the others' as they were."""
    fixed = [f for f in TARGETING_FIELDS if f in corrected]
    field_of = lambda gap: gap.split(" ", 1)[0]  # noqa: E731
    fresh = [g for g in targeting_gaps(corrected) if field_of(g) in fixed]
    kept = [g for g in gaps if field_of(g) not in fixed]
    return sorted(kept + fresh, key=lambda g: TARGETING_FIELDS.index(field_of(g)))  # stable: each field's in its order


# A theme is a fixed vocabulary entry matched in the closure review's `lessons` (001 line 45):
# a term matches at the start of a word after lower-casing and replacing punctuation with
# spaces ("seat-changing" matches "seat"). The themes are the warning signs and service
# factors the seed names (lines 19, 29, 33, 47). A lesson may carry several themes.
THEMES: dict[str, tuple[str, ...]] = {
    "avoidance_behaviour": ("avoid", "seat", "reluctan", "self restrict"),  # 19, 33
    "minimisation": ("minimis", "bicker", "clash", "personalit", "friction"),  # 19
    "supervision_gaps": ("supervis",),  # 33, 47
    "shared_space_controls": ("shared space", "shared area", "communal", "lounge", "dining"),  # 33, 47
    "staffing_presence": ("staffing", "staff presence"),  # 29
    "repeat_targeting": ("repeat", "same adult", "same person", "pattern"),  # 19, 47
    "chronology": ("chronolog",),  # 33
    "delayed_recognition": ("delay", "slow to"),  # 17, 19
}


def themes_in(text: str) -> list[str]:
    words = _words(text)
    return [theme for theme, terms in THEMES.items() if any(_has_term(words, t) for t in terms)]


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _has_term(words: str, term: str) -> bool:
    return f" {_words(term)}" in f" {words}"


# --- the three audits ---------------------------------------------------------------------

PRACTICE_CORRECTION = ActionDefinition(
    id="immediate_practice_correction", title="Immediate practice correction", owner="quality_safeguarding_lead",
    seed="001 line 17: compliance below 95 percent triggers immediate practice correction",
    due=ActionDue(working_days=5), evidence="what was corrected, with whom",
)
TARGETED_RETRAINING = ActionDefinition(
    id="targeted_retraining", title="Targeted retraining", owner="quality_safeguarding_lead",
    seed="001 line 31: repeat incidents above one trigger targeted retraining",
    due=ActionDue(working_days=20), evidence="who was retrained, in what",
)
IMPROVEMENT_PLANNING = ActionDefinition(
    id="service_wide_improvement_planning", title="Service-wide improvement planning", owner="operations_director",
    seed="001 line 45: repeated themes across two or more cases trigger service-wide improvement planning",
    due=ActionDue(months=1), evidence="the improvement plan: what changed, across which services",
)

WEEKLY = AuditDefinition(
    kind="weekly", id="weekly-recognition-audit", title="Weekly recognition audit",
    seed="001 line 17 (example 1 step 5)", role="quality_safeguarding_lead",
    period=Period(days=7),
    schedule=AuditSchedule(schedule_id="governance-weekly-recognition-audit", every="week", day_of_week=0,
                           note="Mondays 07:00 Europe/London"),
    figures={
        "seriousness_assessments_due": "seriousness_assessment occurrences due in the period (not withdrawn before due)",
        "seriousness_assessments_on_time": "of those, completed by their due instant (same working day)",
        "same_day_seriousness_percent": "on time / due x 100, 2 dp; null when none fell due",
        "escalated_after_delayed_recognition": "cases whose record_concern deadline was missed and escalated in the period",
        "records_missing_targeting_detail": "record_concern records completed in the period with a targeting gap (targeting_gaps)",
        "notifications_due": "notification steps (police, emergency services, children's services, CQC Regulation 18) due in the period",
        "notifications_missed": "of those, not completed by their due instant",
    },
    triggers=(Trigger(figure="same_day_seriousness_percent", comparison="below", value=95,
                      ratio=("seriousness_assessments_on_time", "seriousness_assessments_due"),
                      action=PRACTICE_CORRECTION.id, seed="001 line 17"),),
    actions=(PRACTICE_CORRECTION,),
)

FORTNIGHTLY = AuditDefinition(
    kind="fortnightly", id="fortnightly-protection-audit", title="Fortnightly protection audit",
    seed="001 line 31 (example 2 step 5)", role="quality_safeguarding_lead",
    period=Period(days=14),
    schedule=AuditSchedule(schedule_id="governance-fortnightly-protection-audit", every="fortnight",
                           anchor=date(2027, 1, 4),
                           note="every 14 days from Monday 4 January 2027, 07:00 UTC (08:00 London in summer time)"),
    figures={
        "protection_plans_checked": "protection plans whose implementation_check fell due in the period",
        "protection_plans_implemented_on_time": "of those, implementation_check completed by its due instant with implemented=true",
        "separation_plans_on_time_percent": "implemented on time / checked x 100, 2 dp; null when none fell due",
        "chronology_gaps": "chronology_update and chronology_development occurrences due in the period not completed by their due instant",
        "repeat_incidents_after_controls": "new_incident developments in the period recorded after the case's protection_plan was completed",
    },
    triggers=(Trigger(figure="repeat_incidents_after_controls", comparison="above", value=1,
                      action=TARGETED_RETRAINING.id, seed="001 line 31"),),
    actions=(TARGETED_RETRAINING,),
)

MONTHLY = AuditDefinition(
    kind="monthly", id="monthly-learning-review", title="Monthly learning review",
    seed="001 line 45 (example 3 step 5)", role="quality_safeguarding_lead",
    period=Period(months=1),
    schedule=AuditSchedule(schedule_id="governance-monthly-learning-review", every="month", day_of_month=1,
                           note="the 1st of each month, 07:00 Europe/London"),
    figures={
        "closure_reviews": "closure_learning_review records completed in the period",
        "substantiation_outcomes": "their substantiation_outcome, counted",
        "action_completion_rate_mean": "mean action_completion_rate, 2 dp; null when none",
        "lessons": "each review's lessons with the themes found in them (THEMES)",
        "themes": "theme -> the cases whose lessons carry it",
        "cases_sharing_a_theme": "the most cases any one theme appears in",
        "repeated_themes": "themes carried by two or more cases",
    },
    triggers=(Trigger(figure="cases_sharing_a_theme", comparison="at_least", value=2,
                      action=IMPROVEMENT_PLANNING.id, seed="001 line 45"),),
    actions=(IMPROVEMENT_PLANNING,),
)

AUDITS: dict[str, AuditDefinition] = {d.kind: d for d in (WEEKLY, FORTNIGHTLY, MONTHLY)}


# 004 line 117: "Any repeating and/or escalating pattern of concerns within a service should trigger a
# review to identify any underlying issues ... and the improvement actions required". Each review the
# pattern rules raise (domain/commissioning.py) is tracked as an action of this kind to its outcome
# (issue 19). The owner and the ten working days are local configuration: the seed gives neither.
SERVICE_REVIEW_KIND = "service_review"
SERVICE_REVIEW = ActionDefinition(
    id="service_review", title="Review the service's pattern of concerns", owner="quality_safeguarding_lead",
    seed="004 line 117: a repeating or escalating pattern of concerns within a service should trigger a review",
    due=ActionDue(working_days=10),
    evidence="the underlying issues the review found, and the improvement actions required (004 line 117)",
)


def action_definition(kind: str, action: str) -> ActionDefinition:
    """The definition a tracked action was raised under: an audit's, or the service review's."""
    if kind == SERVICE_REVIEW_KIND:
        return SERVICE_REVIEW
    return audit_definition(kind).action(action)


def audit_definition(kind: str) -> AuditDefinition:
    try:
        return AUDITS[kind]
    except KeyError:
        raise ValueError(f"unknown audit {kind!r}; audits: {', '.join(KINDS)}") from None


# --- running one ----------------------------------------------------------------------------


class RaisedAction(Governance):
    action: str
    title: str
    owner: Role
    because: str  # the figure and the threshold it crossed
    seed: str


def evaluate(definition: AuditDefinition, figures: dict[str, Any]) -> list[RaisedAction]:
    out = []
    for t in definition.triggers:
        if t.crossed(figures):
            a = definition.action(t.action)
            out.append(RaisedAction(action=a.id, title=a.title, owner=a.owner, seed=a.seed,
                                    because=f"{t.figure} = {figures[t.figure]} ({t.describe()})"))
    return out


class AuditRequest(Governance):
    kind: AuditKind
    as_of: date | None = None  # the day the period ends; the date it is requested when absent
    requested_by: str = "on demand"
    # on the requester's clock (the workflow's, for a scheduled run): a period must have ended by then
    requested_at: datetime | None = None
    # run now (issue 21): the period ends at this instant, not at the start of as_of, so the cases of
    # the day it is run count; as_of is then that instant's day, and the period its last days to it
    until: datetime | None = None


class AuditResult(Governance):
    """What an audit found for its kind and period: the `AuditCompleted` fact's content."""

    kind: AuditKind
    title: str
    seed: str
    as_of: date
    period_start: datetime
    period_end: datetime
    figures: dict[str, Any]
    thresholds: list[dict[str, Any]]
    actions: list[RaisedAction]
    requested_by: str
    governance_version: str
    recorded_at: datetime
    # the actions earlier audits of the kind raised, open at some point in the period, as they
    # stood at its end (open / overdue / completed, escalations): absent before 2026.12.1
    carried_actions: list[dict[str, Any]] = []


class AuditRecord(AuditResult):
    """An audit as recorded in the event store, with the id of its stream."""

    audit_id: str


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=_LONDON).astimezone(timezone.utc)


def local_date(instant: datetime) -> date:
    return instant.astimezone(_LONDON).date()


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, _calendar.monthrange(year, month + 1)[1]))
