"""The national return's read model: one document per case with what the Safeguarding Adults
Collection counts (domain/national.py makes the tables). Folded from the case's own facts, so it
is the same live, rebuilt or "as at" an instant.

Named `sac_cases` from issue 19 (it was `national_return`): a new name is folded from the start
of the log, so cases recorded before it are counted with what their facts hold. The old view's
documents are no longer read.

An amendment (issue 22) of a field the return reads, or a threshold level changed on review, is
counted from then on (projections/amended.py): an instant corrected moves the case to the period
or column the corrected instant falls in, and "as at" before the amendment counts the original.
The documents keep their shape, so no rebuild is needed for it."""

from __future__ import annotations

from typing import Any, Iterable

from domain.facts import CaseClosed, ConcernRaised, DecisionReviewed, StepAmended, StepCompleted, ThresholdDecisionFiled
from domain.national import NationalCase, national_return, per_service, suppressed
from domain.pathway import (
    ABUSE_CATEGORY,
    ASKED_ABOUT_OUTCOMES,
    CAPACITY_SUPPORTED,
    CLOSURE_LEARNING_REVIEW,
    ENQUIRY_CONCLUDED_AT,
    ENQUIRY_RISK_OUTCOME,
    EXTERNAL_REFERRAL,
    FURTHER_TYPES_OF_RISK,
    LA_DECIDED_AT,
    LA_DECISION,
    LA_ENQUIRY_OUTCOME,
    LA_RESPONSE,
    LACKED_CAPACITY,
    LOCATION_OF_RISK,
    OUTCOMES_ACHIEVED,
    PEER_RISK_REVIEW,
    REFERRAL_RECEIVED_AT,
    RISK_ASSESSMENT_OUTCOME,
    RISK_OUTCOME,
    ROUTE_DECISION,
    SOURCE_ALSO_ADULT_AT_RISK,
    SOURCE_OF_RISK,
    VIEWS_AND_WISHES,
)
from eventstore.events import Recorded
from projections.amended import check_once, corrections, new_level
from projections.documents import Doc, Documents
from projections.feed import ReadModel
from projections.jsonable import iso

# the record fields each step gives the return: step -> {record field: document field}. Coded
# answers and instants only: no free text reaches the return.
READ_FROM: dict[str, dict[str, str]] = {
    ROUTE_DECISION.id: {ABUSE_CATEGORY.name: "type_of_risk", FURTHER_TYPES_OF_RISK.name: "further_types_of_risk",
                        LOCATION_OF_RISK.name: "location_of_risk", SOURCE_OF_RISK.name: "source_of_risk"},
    PEER_RISK_REVIEW.id: {SOURCE_ALSO_ADULT_AT_RISK.name: "mutual_harm"},
    VIEWS_AND_WISHES.id: {ASKED_ABOUT_OUTCOMES.name: "asked_about_outcomes"},
    LA_RESPONSE.id: {REFERRAL_RECEIVED_AT.name: "received_at", LA_DECISION.name: "la_decision",
                     LA_DECIDED_AT.name: "la_decided_at"},
    LA_ENQUIRY_OUTCOME.id: {ENQUIRY_CONCLUDED_AT.name: "enquiry_concluded_at",
                            RISK_ASSESSMENT_OUTCOME.name: "risk_assessment_outcome",
                            ENQUIRY_RISK_OUTCOME.name: "enquiry_risk_outcome", LACKED_CAPACITY.name: "lacked_capacity",
                            CAPACITY_SUPPORTED.name: "capacity_supported"},
    CLOSURE_LEARNING_REVIEW.id: {RISK_OUTCOME.name: "risk_outcome", OUTCOMES_ACHIEVED.name: "outcomes_achieved"},
}
check_once(READ_FROM, "the national return")


class NationalReturnCases(ReadModel):
    name = "sac_cases"
    handles = (ConcernRaised, StepCompleted, ThresholdDecisionFiled, CaseClosed, StepAmended, DecisionReviewed)

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
            case StepCompleted() if f.step == EXTERNAL_REFERRAL.id:
                doc["referred"] = True
            case StepCompleted() if f.step in READ_FROM:
                for field, key in READ_FROM[f.step].items():
                    if field in f.record:
                        doc[key] = f.record[field]
            case ThresholdDecisionFiled():
                doc["threshold_level"] = f.decision.level
            case CaseClosed():
                doc["closed_at"] = iso(f.at)
            case StepAmended() | DecisionReviewed():
                _corrected(doc, f)
        docs[e.stream] = doc


def _corrected(doc: Doc, f: StepAmended | DecisionReviewed) -> None:
    """The corrected values the return reads, from now on (a value taken away is not recorded)."""
    fixes = corrections(f)
    for field, key in READ_FROM.get(f.step, {}).items():
        if field in fixes:
            if fixes[field] is None:
                doc.pop(key, None)
            else:
                doc[key] = fixes[field]
    changed, level = new_level(f)
    if changed:
        doc["threshold_level"] = level


def national_cases(documents: Documents) -> list[NationalCase]:
    return [NationalCase.model_validate(doc) for _, doc in documents.scan(NationalReturnCases.name)]


def national_report(documents: Documents, year: int, outside: bool = False) -> dict[str, Any]:
    """The return for `year`. Inside the organisation with the figures per service; `outside` (for
    sharing beyond it) without them, and every count suppressed as NHS England publishes."""
    cases = national_cases(documents)
    report = national_return(cases, year)
    if outside:
        return {**suppressed(report), "suppressed": True}
    return {**report, "services": per_service(cases, year), "suppressed": False}
