"""The national return as the collection's tables: one CSV per table, rows and columns in the
collection's own words (domain/national.py LABELS), aggregate only."""

from __future__ import annotations

from typing import Any

from domain.national import LABELS, NOT_RECORDED
from domain.pathway import SOURCES_OF_RISK

Rows = list[list[Any]]


def label(code: str) -> str:
    return LABELS.get(code, code)


def _by_source(title: str, table: dict[str, dict[str, int]]) -> Rows:
    sources = list(SOURCES_OF_RISK) + ([NOT_RECORDED] if any(NOT_RECORDED in cells for cells in table.values()) else [])
    return [[title, *(label(s) for s in sources)],
            *([label(row), *(cells.get(s, 0) for s in sources)] for row, cells in table.items())]


def _counts(title: str, table: dict[str, int]) -> Rows:
    return [[title, "Count"], *([label(k), v] for k, v in table.items())]


def details(prefix: str, part: dict[str, Any]) -> dict[str, Rows]:
    msp = part["sg4a_making_safeguarding_personal"]
    return {
        f"{prefix}SG2a.csv": _by_source("Type of risk", part["sg2a_type_by_source"]),
        f"{prefix}SG2b.csv": _by_source("Location of risk", part["sg2b_location_by_source"]),
        f"{prefix}SG2c.csv": _counts("Risk assessment outcome", part["sg2c_risk_assessment_outcome"]),
        f"{prefix}SG2e.csv": _counts("Risk outcome (where a risk was identified)", part["sg2e_risk_outcome"]),
        f"{prefix}SG3a.csv": _counts("Did the individual lack capacity to make decisions related to the safeguarding enquiry?",
                                     part["sg3a_capacity"]),
        f"{prefix}SG4a.csv": [*_counts("Was the individual or their representative asked what their desired outcomes were?",
                                       msp["asked"]),
                              *_counts("Where outcomes were expressed, were they achieved?", msp["achieved"])],
    }


def csv_tables(report: dict[str, Any]) -> dict[str, Rows]:
    """File name -> rows (the first a header). Section 42 enquiries first (the mandatory part),
    other enquiries apart (the optional part), then the provider's own figures."""
    sg1f = report["sg1f"]
    tables: dict[str, Rows] = {
        "SG1f.csv": [["Measure", "Count"], ["Total Number of Safeguarding Concerns", sg1f["concerns"]],
                     ["Total Number of Section 42 Safeguarding Enquiries", sg1f["section_42_enquiries"]],
                     ["Total Number of Other Safeguarding Enquiries", sg1f["other_enquiries"]]],
        "SG2_concluded.csv": [["Enquiries concluded in the year", "Count"],
                              ["Concluded Section 42 Enquiries", report["section_42"]["concluded"]],
                              ["Concluded Other Enquiries", report["other_enquiries"]["concluded"]]],
        **details("", report["section_42"]),
        **details("other_enquiries_", report["other_enquiries"]),
    }
    provider = report["provider"]
    tables["provider_figures.csv"] = [["The provider's own figures (not part of the collection)", "Count"],
                                      *([k.replace("_", " "), v] for k, v in provider.items() if not isinstance(v, dict)),
                                      *([f"threshold level {k.replace('_', ' ')}", v] for k, v in provider["by_threshold_level"].items()),
                                      *([f"risk at closure {k.replace('_', ' ')}", v] for k, v in provider["risk_at_closure"].items())]
    if "services" in report:
        header = ["Service", "concerns raised", "concerns received", "section 42 enquiries", "enquiries concluded"]
        tables["services.csv"] = [header, *([s["service_id"], s["concerns_raised"], s["concerns_received"],
                                            s["section_42_enquiries"], s["enquiries_concluded"]] for s in report["services"])]
    return tables
