"""The national return's read model: one document per case with what the Safeguarding Adults
Collection counts (domain/national.py makes the tables). Folded from the case's own facts, so it
is the same live, rebuilt or "as at" an instant."""

from __future__ import annotations

from typing import Any, Iterable

from domain.facts import CaseClosed, ConcernRaised, StepCompleted, ThresholdDecisionFiled
from domain.national import NationalCase, national_return
from domain.pathway import (
    ABUSE_CATEGORY,
    ADULT_MAY_LACK_CAPACITY,
    ADVOCATE_ARRANGED,
    ASKED_ABOUT_OUTCOMES,
    CAPACITY_AND_ADVOCACY,
    CLOSURE_LEARNING_REVIEW,
    LOCATION_OF_RISK,
    OUTCOMES_ACHIEVED,
    PEER_RISK_REVIEW,
    RISK_OUTCOME,
    RISK_REMAINS_REASON,
    ROUTE_DECISION,
    SOURCE_ALSO_ADULT_AT_RISK,
    SOURCE_MAY_LACK_CAPACITY,
    SOURCE_OF_RISK,
    VIEWS_AND_WISHES,
)
from eventstore.events import Recorded
from projections.documents import Doc, Documents
from projections.feed import ReadModel
from projections.jsonable import iso

# the record fields each step gives the return: step -> {record field: document field}
READ_FROM: dict[str, dict[str, str]] = {
    ROUTE_DECISION.id: {ABUSE_CATEGORY.name: "type_of_risk", LOCATION_OF_RISK.name: "location_of_risk",
                        SOURCE_OF_RISK.name: "source_of_risk"},
    PEER_RISK_REVIEW.id: {SOURCE_ALSO_ADULT_AT_RISK.name: "mutual_harm"},
    VIEWS_AND_WISHES.id: {ASKED_ABOUT_OUTCOMES.name: "asked_about_outcomes"},
    CAPACITY_AND_ADVOCACY.id: {ADULT_MAY_LACK_CAPACITY.name: "adult_may_lack_capacity",
                               SOURCE_MAY_LACK_CAPACITY.name: "source_may_lack_capacity",
                               ADVOCATE_ARRANGED.name: "advocate_arranged"},
    CLOSURE_LEARNING_REVIEW.id: {RISK_OUTCOME.name: "risk_outcome", RISK_REMAINS_REASON.name: "risk_remains_reason",
                                 OUTCOMES_ACHIEVED.name: "outcomes_achieved"},
}


class NationalReturnCases(ReadModel):
    name = "national_return"
    handles = (ConcernRaised, StepCompleted, ThresholdDecisionFiled, CaseClosed)

    def keys(self, event: Recorded) -> Iterable[str]:
        return [event.stream]

    def apply(self, e: Recorded, docs: dict[str, Doc | None]) -> None:
        f = e.fact
        if isinstance(f, ConcernRaised):
            docs[e.stream] = {"case_id": f.case_id, "service_id": f.concern.service.id, "raised_at": iso(f.at)}
            return
        doc = docs.get(e.stream)
        if doc is None:
            return  # raised before the log began
        match f:
            case StepCompleted() if f.step in READ_FROM:
                for field, key in READ_FROM[f.step].items():
                    if field in f.record:
                        doc[key] = f.record[field]
            case ThresholdDecisionFiled():
                doc["threshold_level"] = f.decision.level
            case CaseClosed():
                doc["closed_at"] = iso(f.at)
        docs[e.stream] = doc


def national_cases(documents: Documents) -> list[NationalCase]:
    return [NationalCase.model_validate(doc) for _, doc in documents.scan(NationalReturnCases.name)]


def national_report(documents: Documents, year: int) -> dict[str, Any]:
    return national_return(national_cases(documents), year)
