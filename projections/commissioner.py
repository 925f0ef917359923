"""Commissioner records (004 lines 107-117 and Appendix A): one record per provider service, with
the service's concerns, their outcomes, the service reviews its patterns raise and the decision
Appendix A points to. The policy (what counts, the pattern rules, the criteria) is
`domain/commissioning.py`; this module folds the case events and shapes the answers.

Documents of the view "commissioner_records":

    <service id>   the service: its details and its concerns' case ids
    case:<stream>  one concern's facts (`ConcernFacts`), the only place adult ids are held

Only ConcernRaised names the service, and a read model is told which documents an event
touches from that event alone, so a case's later events fold into its own document and the
service's record is assembled from its concerns when read. That assembly is pure and depends
only on the set of concerns, so the record is the same whether folded live, rebuilt from zero,
or folded in memory "as at" an instant. Query answers name the service, never a service user.

A service's details are its record's (issue 22: `domain/services.py`), as they stood at the instant
read: the record stands over the details its concerns carried. A service with no record yet (its
concerns raised before services were records, and not migrated yet) is named as its latest-raised
concern named it. A service with a record and no concern has no commissioner record.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Iterable

from domain.commissioning import (
    ACTIONS,
    LA_DECISION_STEPS,
    MEETINGS,
    SECTION_42_DECISIONS,
    OUTCOMES,
    PATTERN_RULES,
    THRESHOLD_FACTS_READ,
    ConcernFacts,
    CountedSteps,
    Criterion,
    ProcessFacts,
    ServiceAssessment,
    assess_service,
    crime_indicated,
)
from domain.concern import Service
from domain.governance_actions import service_review_ref
from domain.facts import (
    CaseClosed,
    CaseConcluded,
    ConcernRaised,
    DeadlineMissed,
    DecisionReviewed,
    StepAmended,
    StepCompleted,
    ThresholdDecisionFiled,
)
from domain.pathway import (
    ABUSE_CATEGORY,
    EXPLOITATION,
    LIVE_CASE_OVERSIGHT,
    MORE_THAN_ONE_ADULT_AFFECTED,
    OVERSIGHT_RISK_FLAGS,
    PEER_RISK_REVIEW,
    ROUTE_DECISION,
    SERVICE_RISK_REVIEW,
    SOURCE_ALSO_ADULT_AT_RISK,
    SOURCE_STILL_HAS_ACCESS,
)
from eventstore.events import Recorded
from projections.amended import check_never_amended, check_once, corrections, new_level, new_outcome
from projections.documents import Doc, Documents
from projections.feed import ReadModel
from projections.jsonable import iso as _iso
from projections.provider_processes import appendix_a_facts, brief, latest_states
from projections.jsonable import jsonable
from domain.provider_process import status_of
from domain.services import SERVICE_FACTS

CASE = "case:"
SERVICE_DETAILS = ("name", "provider", "company", "client_group")
# a correction is applied to the one occurrence these steps have; whether risk is open is read from
# the latest of the peer-risk review and the oversights, together, so none of those fields is amendable
check_once((ROUTE_DECISION.id, PEER_RISK_REVIEW.id, SERVICE_RISK_REVIEW.id, *LA_DECISION_STEPS), "the commissioner records")
check_never_amended(LIVE_CASE_OVERSIGHT.id, (f.name for f in OVERSIGHT_RISK_FLAGS), "the commissioner records")
check_never_amended(PEER_RISK_REVIEW.id, (SOURCE_STILL_HAS_ACCESS.name,), "the commissioner records")


class CommissionerRecords(ReadModel):
    name = "commissioner_records"
    handles = (ConcernRaised, StepCompleted, DeadlineMissed, ThresholdDecisionFiled, CaseConcluded, CaseClosed,
               StepAmended, DecisionReviewed, *SERVICE_FACTS)

    def keys(self, event: Recorded) -> Iterable[str]:
        if isinstance(event.fact, SERVICE_FACTS):
            return [event.fact.service_id]  # type: ignore[attr-defined]
        if isinstance(event.fact, ConcernRaised):
            return [event.fact.concern.service.id, CASE + event.stream]
        return [CASE + event.stream]

    def apply(self, e: Recorded, docs: dict[str, Doc | None]) -> None:
        f, key = e.fact, CASE + e.stream
        if isinstance(f, SERVICE_FACTS):  # the record's details, as they are from now on
            doc = docs.get(f.service_id) or {"service_id": f.service_id, "cases": {}}  # type: ignore[attr-defined]
            docs[doc["service_id"]] = {**doc, "record": {k: getattr(f, k) for k in SERVICE_DETAILS}}
            return
        if isinstance(f, ConcernRaised):
            c = f.concern
            docs[key] = ConcernFacts(
                case_id=f.case_id, raised_at=f.at, adult_at_risk=c.adult_at_risk.id, alleged_source=c.alleged_source.id,
            ).model_dump(mode="json", exclude={"mutual_harm", "section_42"})  # recorded from pathway 2026.12.1 on, when answered
            _add_to_service(c.service, f.case_id, key, f.at, docs)
            return
        case = docs.get(key)
        if case is None:
            return  # raised before the log began: nothing to fold into
        match f:
            case StepCompleted():
                _step_completed(case, f.step, f.record)
            case DeadlineMissed():
                case["missed_deadlines"] += 1
            case ThresholdDecisionFiled():
                d = f.decision
                case.update(threshold_level=d.level, threshold_category=d.category, threshold_at=_iso(f.at),
                            threshold_notifications=list(d.required_notifications),
                            threshold_facts={k: d.facts[k] for k in THRESHOLD_FACTS_READ if k in d.facts})
            case CaseConcluded():
                case["status"] = "concluded"
            case CaseClosed():
                case.update(status="closed", outcome=f.outcome, closed_at=_iso(f.at))
            case StepAmended() | DecisionReviewed():
                _step_amended(case, f)
        docs[key] = case


def _add_to_service(service: Service, case_id: str, key: str, raised_at: datetime, docs: dict[str, Doc | None]) -> None:
    doc = docs.get(service.id) or {"service_id": service.id, "cases": {}}
    doc["cases"][case_id] = key
    # the details of the latest-raised concern stand, whatever order the concerns arrive in
    latest = doc.get("details_from")
    if latest is None or (raised_at, case_id) >= (datetime.fromisoformat(latest[0]), latest[1]):
        doc["details"] = {k: getattr(service, k) for k in SERVICE_DETAILS}
        doc["details_from"] = [_iso(raised_at), case_id]
    docs[service.id] = doc


def _step_completed(case: Doc, step: str, record: dict[str, Any]) -> None:
    case["steps"][step] = case["steps"].get(step, 0) + 1
    if step == ROUTE_DECISION.id:
        case["abuse_category"] = record.get(ABUSE_CATEGORY.name)
        case["route_exploitation"] = record.get(EXPLOITATION.name) is True
    elif step == PEER_RISK_REVIEW.id:
        case["risk_open"] = record.get(SOURCE_STILL_HAS_ACCESS.name) is True
        if SOURCE_ALSO_ADULT_AT_RISK.name in record:
            case["mutual_harm"] = record[SOURCE_ALSO_ADULT_AT_RISK.name] is True
    elif step == LIVE_CASE_OVERSIGHT.id:
        case["risk_open"] = any(record.get(f.name) is True for f in OVERSIGHT_RISK_FLAGS)
    elif step == SERVICE_RISK_REVIEW.id:
        case["wider_exposure"] = case["wider_exposure"] or record.get(MORE_THAN_ONE_ADULT_AFFECTED.name) is True
    elif step in LA_DECISION_STEPS and record.get(LA_DECISION_STEPS[step]) in SECTION_42_DECISIONS:
        case["section_42"] = True  # the local authority's section 42 enquiry (004 line 125)


def _step_amended(case: Doc, f: StepAmended | DecisionReviewed) -> None:
    """The values a correction decides, as `_step_completed` would have read them from the record."""
    fixes, step = corrections(f), f.step
    if step == ROUTE_DECISION.id:
        if ABUSE_CATEGORY.name in fixes:
            case["abuse_category"] = fixes[ABUSE_CATEGORY.name]
        if EXPLOITATION.name in fixes:
            case["route_exploitation"] = fixes[EXPLOITATION.name] is True
    elif step == PEER_RISK_REVIEW.id:
        if SOURCE_ALSO_ADULT_AT_RISK.name in fixes:
            case["mutual_harm"] = fixes[SOURCE_ALSO_ADULT_AT_RISK.name] is True
    elif step == SERVICE_RISK_REVIEW.id and MORE_THAN_ONE_ADULT_AFFECTED.name in fixes:
        case["wider_exposure"] = fixes[MORE_THAN_ONE_ADULT_AFFECTED.name] is True
    elif step in LA_DECISION_STEPS and LA_DECISION_STEPS[step] in fixes:
        case["section_42"] = fixes[LA_DECISION_STEPS[step]] in SECTION_42_DECISIONS
    changed, level = new_level(f)
    if changed:
        case["threshold_level"] = level
    changed, outcome = new_outcome(f)
    if changed and case["status"] == "closed":
        case["outcome"] = outcome


# ---- queries: the service is named, never a service user ---------------------------------


def commissioner_records(documents: Documents) -> list[dict[str, Any]]:
    """Every service's record, by service id."""
    services: dict[str, Doc] = {}
    cases: dict[str, Doc] = {}
    for key, doc in documents.scan(CommissionerRecords.name):
        (services if "cases" in doc else cases)[key] = doc
    out = []
    processes = latest_states(documents)  # 004's provider-concern process, if one was proposed or opened
    for service_id in sorted(services):
        service = services[service_id]
        if not service["cases"]:
            continue  # recorded, with no concern raised there
        concerns = [ConcernFacts.model_validate(cases[k]) for k in service["cases"].values() if k in cases]
        process = processes.get(service_id)
        # Appendix A reads what the process recorded: decided again as the process records more
        record = _record(service, concerns, appendix_a_facts(process) if process else None)
        out.append({**record, "process": brief(jsonable(status_of(process))) if process else None})
    return out


def service_history(documents: Documents, service_id: str, exclude_case: str | None = None) -> dict[str, Any] | None:
    """The service's earlier concerns and their outcomes, to attach to a newly raised case
    (`exclude_case`: that case). Case ids, counts and outcomes only. None: no earlier concern."""
    service = documents.read(CommissionerRecords.name, [service_id]).get(service_id)
    if service is None or "cases" not in service:
        return None
    keys = [k for case_id, k in service["cases"].items() if case_id != exclude_case]
    if not keys:
        return None  # the service's only concern is the one being raised
    found = documents.read(CommissionerRecords.name, keys)
    concerns = sorted((ConcernFacts.model_validate(found[k]) for k in keys if k in found),
                      key=lambda c: (c.raised_at, c.case_id))
    a = assess_service(concerns)
    return {
        **_service(service),
        "concerns": a.figures["concerns"],
        "open_concerns": a.figures["open_concerns"],
        "outcomes": {o: a.figures[o] for o in OUTCOMES},
        "earlier_concerns": [{
            "case_id": c.case_id, "raised_at": _iso(c.raised_at), "abuse_category": c.abuse_category,
            "threshold_level": c.threshold_level, "status": c.status, "outcome": c.outcome,
            "closed_at": _iso(c.closed_at) if c.closed_at else None,
            **({"section_42": True} if c.section_42 else {}),  # read by a provider-concern process's suspension
            **({"crime_indicated": True} if crime_indicated(c) else {}),  # and for informing the police (004 line 159)
        } for c in concerns],
        "service_reviews": _reviews(a),
        "decision": a.decision.level,
    }


def _service(doc: Doc) -> dict[str, Any]:
    d = doc.get("record") or doc["details"]  # the service's record stands over its concerns' details
    return {"service_id": doc["service_id"], "service_name": d["name"], "provider": d["provider"],
            "company": d["company"], "client_group": d["client_group"]}


def _record(service: Doc, concerns: list[ConcernFacts], process: ProcessFacts | None = None) -> dict[str, Any]:
    a = assess_service(concerns, process)
    f = a.figures
    raised = sorted(c.raised_at for c in concerns)
    return {
        **_service(service),
        "concerns": f["concerns"],
        "open_concerns": f["open_concerns"],
        "first_concern_at": _iso(raised[0]) if raised else None,
        "last_concern_at": _iso(raised[-1]) if raised else None,
        "concern_types": _tally(c.abuse_category for c in concerns),
        "mutual_harm_concerns": sum(c.mutual_harm for c in concerns),  # the source also an adult at risk (issue 12)
        "threshold_categories": _tally(c.threshold_category for c in concerns),
        "service_users_referred": f["service_users_referred"],
        "service_users_reviewed": f["service_users_reviewed"],
        "concerns_reviewed": f["concerns_reviewed"],
        "meetings": _by_step(concerns, MEETINGS, f),
        "actions_taken": _by_step(concerns, ACTIONS, f),
        "outcomes": {o: f[o] for o in OUTCOMES},
        "service_reviews": _reviews(a, service["service_id"]),
        "decision": _decision(a),
        "figures": f,
    }


def _tally(values: Iterable[str | None]) -> dict[str, int]:
    return dict(sorted(Counter(v for v in values if v).items()))


def _by_step(concerns: list[ConcernFacts], counted: CountedSteps, f: dict[str, int]) -> dict[str, Any]:
    return {"total": f[counted.figure], "by_step": {s: sum(c.steps.get(s, 0) for c in concerns) for s in counted.steps}}


def _reviews(a: ServiceAssessment, service_id: str | None = None) -> list[dict[str, Any]]:
    """The reviews the pattern rules raised; with `service_id`, each with the action tracking it."""
    rules = {r.id: r for r in PATTERN_RULES}
    return [{"rule": r.rule, "title": rules[r.rule].title, "seed": rules[r.rule].cite(), "raised_at": _iso(r.raised_at),
             "case_id": r.case_id, "cases": list(r.cases),
             # the governance action that tracks it to its outcome (issue 19; governance actions read model)
             **({"action": service_review_ref(service_id, r.rule, r.case_id)} if service_id else {})} for r in a.reviews]


def _criterion(c: Criterion, figures: dict[str, int] | None = None) -> dict[str, Any]:
    out = {"id": c.id, "column": c.column, "wording": c.wording, "line": c.line, "evidence": c.evidence, "reading": c.reading}
    if figures is not None and c.when is not None:  # what matched it: the figures its condition reads
        out["matched_by"] = {name: figures.get(name) for name in sorted(c.when.facts_used())}
    return out


def _decision(a: ServiceAssessment) -> dict[str, Any]:
    d, f = a.decision, a.figures
    columns = {}
    for col in ("caution", "suspension"):
        columns[col] = {
            "matched": [_criterion(c, f) for c in d.matched if c.column == col],
            "set_aside": [_criterion(c, f) for c in d.set_aside if c.column == col],
            "not_matched": [c.id for c in d.not_matched if c.column == col],
            "not_evidenced": [c.id for c in d.not_evidenced if c.column == col],
        }
    return {
        "level": d.level,
        "reason": d.because.reading,
        "seed": d.because.seed.cite(),
        "matched": [_criterion(c, f) for c in d.matched],
        "not_matched": [c.id for c in d.not_matched],
        "not_evidenced": [_criterion(c) for c in d.not_evidenced],
        # the two columns of Appendix A apart, each criterion with the figures that matched it; at a
        # suspension level the caution criteria that hold are set aside, not matched
        "caution": columns["caution"],
        "suspension": columns["suspension"],
        "set_aside_because": d.because.reading if d.set_aside else None,
    }
