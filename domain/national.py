"""The national return: the Safeguarding Adults Collection (SAC, NHS England) a local authority
makes each year, from the cases a provider recorded (issue 12).

The categories are the pathway's typed vocabulary (domain/pathway.py): type of risk (the Care Act
categories the threshold tools use, recorded at the route decision), location and source of risk
(route decision), the risk outcome at closure, and Making Safeguarding Personal (asked about
outcomes; achieved at closure). The collection's year is a financial year: `--year 2027` is
1 April 2027 to 31 March 2028 ("2027-28"), in UK local time. Concerns are counted by when they
were raised, everything found at the end of a case by when it closed. Cases on pathways before
2026.12.1 did not record the new categories: they count as "not_recorded", never guessed.

Pure: the read model (projections/national.py) folds facts into `NationalCase`s and these
functions make the tables from them.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict

from domain.governance import local_midnight
from domain.pathway import (
    CARE_ACT_CATEGORIES,
    LOCATIONS_OF_RISK,
    MSP_ACHIEVED,
    MSP_ASKED,
    RISK_OUTCOMES,
    SOURCES_OF_RISK,
)

NOT_RECORDED = "not_recorded"
YEAR_STARTS = (4, 1)  # 1 April: the collection's financial year


class NationalCase(BaseModel):
    """What the return needs of one case (ids of the service only; no service user)."""

    model_config = ConfigDict(extra="forbid")

    case_id: str
    service_id: str
    raised_at: datetime
    closed_at: datetime | None = None
    threshold_level: str | None = None
    type_of_risk: str | None = None
    location_of_risk: str | None = None
    source_of_risk: str | None = None
    risk_outcome: str | None = None
    risk_remains_reason: str | None = None
    mutual_harm: bool = False
    asked_about_outcomes: str | None = None
    outcomes_achieved: str | None = None
    adult_may_lack_capacity: bool | None = None
    source_may_lack_capacity: bool | None = None
    advocate_arranged: bool | None = None


def reporting_year(year: int) -> tuple[datetime, datetime]:
    """[start, end) of the collection's year `year`, in UTC (both ends local midnights)."""
    month, day = YEAR_STARTS
    return local_midnight(date(year, month, day)), local_midnight(date(year + 1, month, day))


def _count(values: Iterable[str | None], vocabulary: tuple[str, ...]) -> dict[str, int]:
    """Every category of the vocabulary (0 where none), then not_recorded if any."""
    counts = Counter(v or NOT_RECORDED for v in values)
    out = {k: counts.get(k, 0) for k in vocabulary}
    if counts.get(NOT_RECORDED):
        out[NOT_RECORDED] = counts[NOT_RECORDED]
    return out


def national_return(cases: Iterable[NationalCase], year: int) -> dict[str, Any]:
    start, end = reporting_year(year)
    cases = list(cases)
    raised = [c for c in cases if start <= c.raised_at < end]
    closed = [c for c in cases if c.closed_at is not None and start <= c.closed_at < end]
    expressed = [c for c in closed if c.asked_about_outcomes == "yes_outcomes_expressed"]
    lacking = [c for c in closed if c.adult_may_lack_capacity]
    return {
        "year": f"{year}-{str(year + 1)[-2:]}",
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "concerns": {
            "raised": len(raised),
            "by_threshold_level": _count((c.threshold_level for c in raised), ("non_reportable", "consultation", "reportable")),
            "mutual_harm": sum(c.mutual_harm for c in raised),
        },
        "closed": len(closed),
        "type_of_risk": _count((c.type_of_risk for c in closed), CARE_ACT_CATEGORIES),
        "location_of_risk": _count((c.location_of_risk for c in closed), LOCATIONS_OF_RISK),
        "source_of_risk": _count((c.source_of_risk for c in closed), SOURCES_OF_RISK),
        "risk_outcome": _count((c.risk_outcome for c in closed), RISK_OUTCOMES),
        "risk_remains_reasons": [{"case_id": c.case_id, "service_id": c.service_id, "reason": c.risk_remains_reason}
                                 for c in sorted(closed, key=lambda c: c.case_id) if c.risk_outcome == "remains"],
        "making_safeguarding_personal": {
            "asked": _count((c.asked_about_outcomes for c in closed), MSP_ASKED),
            "outcomes_achieved": _count((c.outcomes_achieved for c in expressed), MSP_ACHIEVED),
        },
        "capacity_and_advocacy": {
            "adult_may_lack_capacity": len(lacking),
            "advocate_arranged": sum(c.advocate_arranged is True for c in lacking),
            "advocate_not_arranged": sum(c.advocate_arranged is False for c in lacking),
            "source_may_lack_capacity": sum(bool(c.source_may_lack_capacity) for c in closed),
        },
        "providers": _providers(raised, closed),
    }


def _providers(raised: list[NationalCase], closed: list[NationalCase]) -> list[dict[str, Any]]:
    """The same definitions per service, so a commissioner can compare providers."""
    out = []
    for service_id in sorted({c.service_id for c in raised + closed}):
        mine = [c for c in closed if c.service_id == service_id]
        expressed = [c for c in mine if c.asked_about_outcomes == "yes_outcomes_expressed"]
        out.append({
            "service_id": service_id,
            "raised": sum(c.service_id == service_id for c in raised),
            "closed": len(mine),
            **{f"risk_{k}": v for k, v in _count((c.risk_outcome for c in mine), RISK_OUTCOMES).items()},
            "outcomes_expressed": len(expressed),
            "outcomes_fully_or_partially_achieved": sum(c.outcomes_achieved in ("fully", "partially") for c in expressed),
            "mutual_harm": sum(c.mutual_harm for c in mine),
        })
    return out


def csv_tables(report: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """The return as CSV tables (file name -> rows, the first a header)."""
    def counts(title: str, table: dict[str, int]) -> list[list[Any]]:
        return [[title, "count"], *([k, v] for k, v in table.items())]

    msp = report["making_safeguarding_personal"]
    tables = {
        "concerns.csv": [["measure", "count"], ["raised", report["concerns"]["raised"]], ["closed", report["closed"]],
                         ["mutual_harm", report["concerns"]["mutual_harm"]],
                         *([f"threshold_{k}", v] for k, v in report["concerns"]["by_threshold_level"].items())],
        "type_of_risk.csv": counts("type_of_risk", report["type_of_risk"]),
        "location_of_risk.csv": counts("location_of_risk", report["location_of_risk"]),
        "source_of_risk.csv": counts("source_of_risk", report["source_of_risk"]),
        "risk_outcome.csv": counts("risk_outcome", report["risk_outcome"]),
        "risk_remains_reasons.csv": [["case_id", "service_id", "reason"],
                                     *([r["case_id"], r["service_id"], r["reason"]] for r in report["risk_remains_reasons"])],
        "msp_asked.csv": counts("asked_about_outcomes", msp["asked"]),
        "msp_outcomes_achieved.csv": counts("outcomes_achieved", msp["outcomes_achieved"]),
        "capacity_and_advocacy.csv": counts("measure", report["capacity_and_advocacy"]),
    }
    providers = report["providers"]
    header = list(providers[0]) if providers else ["service_id"]
    tables["providers.csv"] = [header, *([p[k] for k in header] for p in providers)]
    return tables
