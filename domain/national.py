"""The national return: the Safeguarding Adults Collection (SAC) as NHS England counts it, from the
cases a provider recorded (issue 12; counted as the collection does from issue 19).

Every counting rule here is quoted with its source in docs/sac.md (the SAC guidance for local
authorities, 2024-25, and NHS England's publication code). In short:

- The SAC counts what reached the local authority: a concern in the year the local authority
  received it, an enquiry in the year it started (the local authority's decision), and the case
  details (SG2 to SG4) of an enquiry in the year it concluded. The year runs 1 April to 31 March,
  London time. Neither the provider's raise nor its closure decides the year.
- Section 42 enquiries are the mandatory part; other enquiries the optional part, counted apart.
- A case may have several types of risk: each counts once (SG2a).
- Cases never referred, or whose referral the local authority's answer is not recorded for, are
  not SAC concerns: they are the provider's own figures, shown apart.
- Nothing is guessed: what a case did not record (an older pathway, a step not done) is counted
  as "not recorded".
- Aggregate only: no case id, service user id or free text. For outside the organisation, small
  counts are suppressed as NHS England's publication does (`SUPPRESSION`).

Pure: the read model (projections/national.py) folds facts into `NationalCase`s; these functions
make the tables from them.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict

from domain.governance import local_midnight
from domain.pathway import (
    CAPACITY_ANSWERS,
    ENQUIRY_RISK_OUTCOMES,
    LOCATIONS_BEFORE_2026_12_2,
    LOCATIONS_OF_RISK,
    MSP_ACHIEVED,
    RISK_ASSESSMENT_OUTCOMES,
    RISK_IDENTIFIED,
    RISK_OUTCOMES,
    SOURCES_OF_RISK,
    TYPES_OF_RISK,
)

NOT_RECORDED = "not_recorded"
YEAR_STARTS = (4, 1)  # 1 April: the collection's financial year
SECTION_42, OTHER_ENQUIRY = "section_42_enquiry", "other_enquiry"

# SG4a: the pathway's answers (views_and_wishes) as the collection's five
MSP_ASKED_AS_SAC = {
    "yes_outcomes_expressed": "asked_outcomes_expressed",
    "yes_no_outcomes_expressed": "asked_no_outcomes_expressed",
    "no_lacked_capacity": "not_asked",
    "no_other_reason": "not_asked",
    "dont_know": "dont_know",
}
SAC_MSP_ASKED = ("asked_outcomes_expressed", "asked_no_outcomes_expressed", "not_asked", "dont_know")

# The collection's own wording for each code (docs/sac.md quotes its source)
LABELS: dict[str, str] = {
    "physical": "Physical Abuse", "sexual": "Sexual Abuse", "psychological": "Psychological Abuse",
    "financial_or_material": "Financial or Material Abuse", "discriminatory": "Discriminatory Abuse",
    "organisational": "Organisational Abuse", "neglect_and_acts_of_omission": "Neglect and Acts of Omission",
    "domestic_abuse": "Domestic Abuse", "sexual_exploitation": "Sexual Exploitation", "modern_slavery": "Modern Slavery",
    "self_neglect": "Self-Neglect",
    "own_home": "Own Home", "community": "In the Community (excluding community services)",
    "service_in_the_community": "In a Community Service", "care_home_nursing": "Care Home - Nursing",
    "care_home_residential": "Care Home - Residential", "hospital_acute": "Hospital - Acute",
    "hospital_mental_health": "Hospital - Mental Health", "hospital_community": "Hospital - Community", "other": "Other",
    "care_home": "Care Home (nursing or residential not recorded)",
    "hospital": "Hospital (acute, mental health or community not recorded)",
    "service_provider": "Service Provider", "other_known_to_individual": "Other - Known to Individual",
    "unknown_to_individual": "Other - Unknown to Individual",
    "risk_identified_action_taken": "Risk identified and action taken",
    "risk_identified_no_action_taken": "Risk identified and no action taken",
    "inconclusive_action_taken": "Risk - Assessment inconclusive and action taken",
    "inconclusive_no_action_taken": "Risk - Assessment inconclusive and no action taken",
    "no_risk_identified_action_taken": "No risk identified and action taken",
    "no_risk_identified_no_action_taken": "No risk identified and no action taken",
    "ceased_at_individuals_request_no_action_taken": "Enquiry ceased at individual's request and no action taken",
    "remained": "Risk remained", "reduced": "Risk reduced", "removed": "Risk removed",
    "yes": "Yes, they lacked capacity", "no": "No, they did not lack capacity", "dont_know": "Don't know",
    "supported": "Of the enquiries recorded as Yes, in how many of these cases was support provided by an advocate, "
                 "family or friend",
    "asked_outcomes_expressed": "Yes they were asked and outcomes were expressed",
    "asked_no_outcomes_expressed": "Yes they were asked but no outcomes were expressed",
    "not_asked": "No", "fully": "Fully Achieved", "partially": "Partially Achieved", "not_achieved": "Not Achieved",
    NOT_RECORDED: "Not Recorded",
}


class Suppression(BaseModel):
    """NHS England's rule for published SAC figures (docs/sac.md): a count below `below` (0 too) is
    shown as `marker`; every other is rounded to the nearest `round_to`, halves up."""

    model_config = ConfigDict(frozen=True)

    below: int = 5
    round_to: int = 5
    marker: str = "[c]"

    def __call__(self, n: int) -> int | str:
        if n < self.below:
            return self.marker
        return self.round_to * ((2 * n + self.round_to) // (2 * self.round_to))


SUPPRESSION = Suppression()


class NationalCase(BaseModel):
    """What the return needs of one case: the service's id and coded answers, nothing personal."""

    model_config = ConfigDict(extra="ignore")

    case_id: str  # the read model's key; never reaches the report
    service_id: str
    raised_at: datetime
    closed_at: datetime | None = None
    threshold_level: str | None = None
    mutual_harm: bool = False
    referred: bool = False  # the external referral was made
    received_at: datetime | None = None  # the local authority received it
    la_decision: str | None = None
    la_decided_at: datetime | None = None
    enquiry_concluded_at: datetime | None = None
    type_of_risk: str | None = None
    further_types_of_risk: list[str] = []
    location_of_risk: str | None = None
    source_of_risk: str | None = None
    risk_assessment_outcome: str | None = None
    enquiry_risk_outcome: str | None = None
    lacked_capacity: str | None = None
    capacity_supported: bool | None = None
    asked_about_outcomes: str | None = None
    outcomes_achieved: str | None = None
    risk_outcome: str | None = None  # the provider's, at its closure review


def reporting_year(year: int) -> tuple[datetime, datetime]:
    """[start, end) of the collection's year `year`, in UTC (both ends London midnights)."""
    month, day = YEAR_STARTS
    return local_midnight(date(year, month, day)), local_midnight(date(year + 1, month, day))


def _count(values: Iterable[str | None], vocabulary: tuple[str, ...], also: tuple[str, ...] = ()) -> dict[str, int]:
    """Every category of the vocabulary (0 where none), then `also` and not_recorded where any."""
    counts = Counter(v or NOT_RECORDED for v in values)
    out = {k: counts.get(k, 0) for k in vocabulary}
    out.update({k: counts[k] for k in (*also, NOT_RECORDED) if counts.get(k)})
    return out


def _cross(cases: list[NationalCase], rows: tuple[str, ...], row_of, also: tuple[str, ...] = ()) -> dict[str, dict[str, int]]:
    """Rows x sources of risk: each case counts once in every distinct (row, source) it has."""
    table = {r: {s: 0 for s in SOURCES_OF_RISK} for r in rows}
    for c in cases:
        source = c.source_of_risk or NOT_RECORDED
        for row in row_of(c) or [NOT_RECORDED]:
            cells = table.setdefault(row, {s: 0 for s in SOURCES_OF_RISK})
            cells[source] = cells.get(source, 0) + 1
    ordered = {r: table[r] for r in rows}
    ordered.update({r: table[r] for r in (*also, NOT_RECORDED) if r in table})
    return ordered


def types_of(c: NationalCase) -> list[str]:
    """The case's types of risk, each once: the route decision's category and any further ones."""
    found = ([c.type_of_risk] if c.type_of_risk else []) + list(c.further_types_of_risk)
    return list(dict.fromkeys(found))


def case_details(concluded: list[NationalCase]) -> dict[str, Any]:
    """SG2 to SG4 over enquiries that concluded in the year."""
    identified = [c for c in concluded if c.risk_assessment_outcome in RISK_IDENTIFIED]
    lacked = [c for c in concluded if c.lacked_capacity == "yes"]
    expressed = [c for c in concluded if c.asked_about_outcomes == "yes_outcomes_expressed"]
    return {
        "concluded": len(concluded),
        "sg2a_type_by_source": _cross(concluded, TYPES_OF_RISK, types_of),
        "sg2b_location_by_source": _cross(concluded, LOCATIONS_OF_RISK, lambda c: [c.location_of_risk] if c.location_of_risk else [],
                                          also=LOCATIONS_BEFORE_2026_12_2),
        "sg2c_risk_assessment_outcome": _count((c.risk_assessment_outcome for c in concluded), RISK_ASSESSMENT_OUTCOMES),
        "sg2e_risk_outcome": _count((c.enquiry_risk_outcome for c in identified), ENQUIRY_RISK_OUTCOMES),
        # SG3a and SG4a's "asked" have "Not recorded" as a category of their own: always shown
        "sg3a_capacity": {**_count((c.lacked_capacity for c in concluded), (*CAPACITY_ANSWERS, NOT_RECORDED)),
                          "supported": sum(c.capacity_supported is True for c in lacked)},
        "sg4a_making_safeguarding_personal": {
            "asked": _count((MSP_ASKED_AS_SAC.get(c.asked_about_outcomes or "") for c in concluded),
                            (*SAC_MSP_ASKED, NOT_RECORDED)),
            "achieved": _count((c.outcomes_achieved for c in expressed), MSP_ACHIEVED),
        },
    }


def national_return(cases: Iterable[NationalCase], year: int) -> dict[str, Any]:
    start, end = reporting_year(year)

    def within(at: datetime | None) -> bool:
        return at is not None and start <= at < end

    cases = list(cases)
    received = [c for c in cases if within(c.received_at)]
    started = [c for c in cases if within(c.la_decided_at)]
    concluded = [c for c in cases if within(c.enquiry_concluded_at)]
    raised = [c for c in cases if within(c.raised_at)]
    return {
        "year": f"{year}-{str(year + 1)[-2:]}",
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "sg1f": {
            "concerns": len(received),
            "section_42_enquiries": sum(c.la_decision == SECTION_42 for c in started),
            "other_enquiries": sum(c.la_decision == OTHER_ENQUIRY for c in started),
        },
        "section_42": case_details([c for c in concluded if c.la_decision == SECTION_42]),
        "other_enquiries": case_details([c for c in concluded if c.la_decision == OTHER_ENQUIRY]),
        "not_produced": ["SG1a-SG1e: the adults' age, gender, ethnicity, primary support reason and autism are "
                         "not recorded in Safeguard", "SG5: safeguarding adult reviews are the board's, not a provider's"],
        "provider": _provider(raised, cases, within),
    }


def _provider(raised: list[NationalCase], cases: list[NationalCase], within) -> dict[str, Any]:
    """The provider's own figures, apart from the collection: concerns it raised in the year, and
    those the collection cannot count yet."""
    closed = [c for c in cases if within(c.closed_at)]
    return {
        "concerns_raised": len(raised),
        "not_referred": sum(not c.referred for c in raised),
        "referred": sum(c.referred for c in raised),
        "referred_receipt_not_recorded": sum(c.referred and c.received_at is None for c in raised),
        "by_threshold_level": _count((c.threshold_level for c in raised), ("non_reportable", "consultation", "reportable")),
        "mutual_harm": sum(c.mutual_harm for c in raised),
        "closed": len(closed),
        "risk_at_closure": _count((c.risk_outcome for c in closed), RISK_OUTCOMES),
        "enquiries_open_at_closure": sum(c.la_decision in (SECTION_42, OTHER_ENQUIRY) and c.enquiry_concluded_at is None
                                         for c in closed),
    }


def per_service(cases: Iterable[NationalCase], year: int) -> list[dict[str, Any]]:
    """The headline figures per provider service, for commissioners comparing services (inside the
    organisation only: at a small service a count can point to a person)."""
    start, end = reporting_year(year)
    out = []
    cases = list(cases)
    for service_id in sorted({c.service_id for c in cases}):
        mine = [c for c in cases if c.service_id == service_id]
        figures = {
            "concerns_raised": sum(start <= c.raised_at < end for c in mine),
            "concerns_received": sum(c.received_at is not None and start <= c.received_at < end for c in mine),
            "section_42_enquiries": sum(c.la_decision == SECTION_42 and c.la_decided_at is not None
                                        and start <= c.la_decided_at < end for c in mine),
            "enquiries_concluded": sum(c.enquiry_concluded_at is not None and start <= c.enquiry_concluded_at < end
                                       for c in mine),
        }
        if any(figures.values()):
            out.append({"service_id": service_id, **figures})
    return out


def suppressed(report: Any, rule: Suppression = SUPPRESSION) -> Any:
    """The report for outside the organisation: every count through `rule` (text kept as it is)."""
    if isinstance(report, bool):
        return report
    if isinstance(report, int):
        return rule(report)
    if isinstance(report, dict):
        return {k: v if k in ("year", "period") else suppressed(v, rule) for k, v in report.items()}
    if isinstance(report, list):
        return [suppressed(v, rule) for v in report]
    return report
