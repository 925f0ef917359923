"""Read models behind the governance audits (001 step 5 of each example).

`GovernanceFacts` keeps, per case, only what the audits count, each with its instant: the
audited steps' due and completion, the first escalation after delayed recognition, the
targeting gaps of the first record, when controls were in place, new incidents, and the
closure review. `audit_figures` counts from those documents what falls in a period. It uses
nothing recorded after the period's end (a step counts by its due instant, which is in the
period, and whether it was done by then), so live documents, a rebuild from zero and the
documents as at any instant from the period's end on give the same figures; but for an amendment
(issue 22). A corrected record (the concern's targeting detail, the closure review's outcome, rate
and lessons, a check's implementation) is read with its corrected values from the amendment on, in
every period it counts in: figures worked out after it use them, "as at" before it the original,
and an audit already recorded stays as it was recorded. The documents keep their shape.

`GovernanceAudits` keeps every audit recorded (`AuditCompleted`), for `safeguard governance`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from domain.facts import (
    AuditCompleted,
    ConcernRaised,
    DecisionReviewed,
    DevelopmentRecorded,
    Escalated,
    GovernanceActionCompleted,
    GovernanceActionEscalated,
    GovernanceActionRaised,
    StepAmended,
    StepCompleted,
    StepOpened,
    StepWithdrawn,
)
from domain.governance import KINDS, TARGETING_FIELDS, audit_definition, gaps_after, percent, targeting_gaps, themes_in
from domain.pathway import (
    ACTION_COMPLETION_RATE,
    CHRONOLOGY_DEVELOPMENT,
    CHRONOLOGY_UPDATE,
    CLOSURE_LEARNING_REVIEW,
    IMPLEMENTATION_CHECK,
    IMPLEMENTED,
    LESSONS,
    NOTIFICATION_STEPS,
    NOTIFY_REGULATOR,
    PROTECTION_PLAN,
    RECORD_CONCERN,
    SERIOUSNESS_ASSESSMENT,
    SUBSTANTIATION_OUTCOME,
    SUBSTANTIATION_OUTCOMES,
)
from eventstore.events import Recorded
from projections.amended import check_once, corrections
from projections.documents import Doc, Documents
from projections.feed import ReadModel
from projections.jsonable import iso

# steps whose timeliness an audit reads (the rest of a case's steps are not needed)
CHRONOLOGY_STEPS = (CHRONOLOGY_UPDATE.id, CHRONOLOGY_DEVELOPMENT.id)
# the notifications as tracked steps (pathways from 2026.12.1): the threshold decision's and the regulator's
NOTIFICATIONS = (*(s.id for s in NOTIFICATION_STEPS.values()), NOTIFY_REGULATOR.id)
TIMED_STEPS = frozenset({SERIOUSNESS_ASSESSMENT.id, IMPLEMENTATION_CHECK.id, *CHRONOLOGY_STEPS, *NOTIFICATIONS})
# the records read once per case, whose corrections are applied to that one occurrence
check_once((RECORD_CONCERN.id, CLOSURE_LEARNING_REVIEW.id), "the governance audits")
CLOSURE_FIELDS = {SUBSTANTIATION_OUTCOME.name: "substantiation_outcome", ACTION_COMPLETION_RATE.name: "action_completion_rate",
                  LESSONS.name: "lessons"}  # closure review record field -> the closure document's


class GovernanceFacts(ReadModel):
    name = "governance_facts"
    handles = (ConcernRaised, StepOpened, StepCompleted, StepWithdrawn, Escalated, DevelopmentRecorded, StepAmended,
               DecisionReviewed)

    def keys(self, event: Recorded) -> Iterable[str]:
        return [event.stream]

    def apply(self, e: Recorded, docs: dict[str, Doc | None]) -> None:
        f = e.fact
        if isinstance(f, ConcernRaised):
            docs[e.stream] = {
                "case_id": f.case_id, "service_id": f.concern.service.id, "steps": {},
                "delayed_recognition_escalated_at": None, "concern_record": None, "controls_from": None,
                "incidents": [], "closure": None,
            }
            return
        case = docs.get(e.stream)
        if case is None:
            return  # not a case this model has seen raised
        steps = case["steps"]
        match f:
            case StepOpened() if f.step in TIMED_STEPS:
                steps[_key(f)] = {"step": f.step, "occurrence": f.occurrence, "due": iso(f.due),
                                  "completed_at": None, "on_time": None, "withdrawn_at": None, "implemented": None}
            case StepCompleted():
                _completed(case, f)
            case StepWithdrawn() if _key(f) in steps:
                steps[_key(f)]["withdrawn_at"] = iso(f.at)
            case Escalated():
                # "escalated after delayed recognition": the first record_concern deadline escalation
                if (f.step == RECORD_CONCERN.id and f.cause == "missed_deadline"
                        and case["delayed_recognition_escalated_at"] is None):
                    case["delayed_recognition_escalated_at"] = iso(f.at)
            case DevelopmentRecorded() if f.kind == "new_incident":
                case["incidents"].append(iso(f.at))
            case StepAmended() | DecisionReviewed():
                _amended(case, f)
        docs[e.stream] = case


def _key(f: Any) -> str:
    return f"{f.step}#{f.occurrence}"


def _completed(case: Doc, f: StepCompleted) -> None:
    steps = case["steps"]
    if _key(f) in steps:
        steps[_key(f)].update(completed_at=iso(f.at), on_time=f.on_time)
        if f.step == IMPLEMENTATION_CHECK.id:
            steps[_key(f)]["implemented"] = f.record.get(IMPLEMENTED.name) is True
    if f.step == RECORD_CONCERN.id and case["concern_record"] is None:
        case["concern_record"] = {"completed_at": iso(f.at), "targeting_gaps": targeting_gaps(f.record)}
    elif f.step == PROTECTION_PLAN.id and case["controls_from"] is None:
        case["controls_from"] = iso(f.at)
    elif f.step == CLOSURE_LEARNING_REVIEW.id:
        case["closure"] = {"completed_at": iso(f.at), **{key: f.record[field] for field, key in CLOSURE_FIELDS.items()}}


def _amended(case: Doc, f: StepAmended | DecisionReviewed) -> None:
    """A corrected record's values from now on: as `_completed` would have read the corrected record."""
    fixes, key = corrections(f), _key(f)
    if f.step == IMPLEMENTATION_CHECK.id and key in case["steps"] and IMPLEMENTED.name in fixes:
        case["steps"][key]["implemented"] = fixes[IMPLEMENTED.name] is True
    elif f.step == RECORD_CONCERN.id and case["concern_record"] and any(x in fixes for x in TARGETING_FIELDS):
        record = case["concern_record"]
        record["targeting_gaps"] = gaps_after(record["targeting_gaps"], fixes)
    elif f.step == CLOSURE_LEARNING_REVIEW.id and case["closure"]:
        case["closure"].update({key: fixes[field] for field, key in CLOSURE_FIELDS.items() if field in fixes})


class GovernanceAudits(ReadModel):
    name = "governance_audits"
    handles = (AuditCompleted,)

    def keys(self, event: Recorded) -> Iterable[str]:
        return [event.stream]

    def apply(self, e: Recorded, docs: dict[str, Doc | None]) -> None:
        doc = {"audit_id": e.stream, **e.fact.model_dump(mode="json", exclude={"type"})}
        if not doc["carried_actions"]:
            del doc["carried_actions"]  # audits before 2026.12.1 had none: their documents stay as they were
        docs[e.stream] = doc


class GovernanceActions(ReadModel):
    """Each action an audit raised, tracked to closure (issue 12): due, escalations, completion."""

    name = "governance_actions"
    handles = (GovernanceActionRaised, GovernanceActionEscalated, GovernanceActionCompleted)

    def keys(self, event: Recorded) -> Iterable[str]:
        return [event.stream]

    def apply(self, e: Recorded, docs: dict[str, Doc | None]) -> None:
        f = e.fact
        if isinstance(f, GovernanceActionRaised):
            docs[e.stream] = {**f.model_dump(mode="json", exclude={"type", "at"}), "raised_at": iso(f.at),
                              "escalations": [], "completed_at": None, "completed_by": None, "evidence": None,
                              "on_time": None}
            return
        doc = docs.get(e.stream)
        if doc is None:
            return
        if isinstance(f, GovernanceActionEscalated):
            doc["escalations"].append({"at": iso(f.at), "cause": f.cause, "to_role": f.to_role})
        elif isinstance(f, GovernanceActionCompleted):
            doc.update(completed_at=iso(f.at), completed_by=f.role, evidence=f.evidence, on_time=f.on_time)
        docs[e.stream] = doc


def action_state(doc: Doc, at: datetime) -> str:
    """open / overdue / completed, as the action stood at `at`."""
    if doc["completed_at"] and _instant(doc["completed_at"]) < at:
        return "completed"
    return "overdue" if _instant(doc["due"]) < at else "open"


def actions_as_at(doc: Doc, at: datetime) -> Doc:
    """The action as it stood at `at`: nothing recorded after it is shown."""
    done = doc["completed_at"] is not None and _instant(doc["completed_at"]) < at
    return {**doc, "state": action_state(doc, at),
            "escalations": [x for x in doc["escalations"] if _instant(x["at"]) < at],
            **({} if done else {"completed_at": None, "completed_by": None, "evidence": None, "on_time": None})}


def carried_actions(documents: Documents, kind: str, period_start: datetime, period_end: datetime) -> list[Doc]:
    """Actions of this kind an earlier audit raised that were still open at some point in the
    period, as they stood at its end: what the next audit of the kind reports (open, overdue,
    or completed in the period, with their escalations). Nothing recorded after the period counts."""
    out = []
    for _, doc in documents.scan(GovernanceActions.name):
        if doc["kind"] != kind or _instant(doc["raised_at"]) >= period_end:
            continue
        if doc["completed_at"] and _instant(doc["completed_at"]) < period_start:
            continue  # closed before this period: reported by the audit before
        out.append(actions_as_at(doc, period_end))
    return sorted(out, key=lambda d: (d["raised_at"], d["ref"]))


# --- figures ----------------------------------------------------------------------------------


def audit_figures(documents: Documents, kind: str, period_start: datetime, period_end: datetime) -> dict[str, Any]:
    """The audit's figures for [period_start, period_end), from GovernanceFacts documents. Pure."""
    audit_definition(kind)  # refuses an unknown kind
    cases = [doc for _, doc in documents.scan(GovernanceFacts.name)]
    cases.sort(key=lambda c: c["case_id"])
    inside = _Period(period_start, period_end)
    return {"weekly": _weekly, "fortnightly": _fortnightly, "monthly": _monthly}[kind](cases, inside)


class _Period:
    def __init__(self, start: datetime, end: datetime) -> None:
        self.start, self.end = start, end

    def __contains__(self, instant: str | None) -> bool:
        return instant is not None and self.start <= _instant(instant) < self.end


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _timed(case: Doc, step: str, period: _Period) -> list[Doc]:
    """Occurrences of `step` that fell due in the period (a withdrawal before due means it never did)."""
    return [s for s in case["steps"].values()
            if s["step"] == step and s["due"] in period and not (s["withdrawn_at"] and _instant(s["withdrawn_at"]) < _instant(s["due"]))]


def _by_due(s: Doc) -> bool:
    # done by its due instant (the workflow's on_time): known by then, so it never changes later
    return s["on_time"] is True


def _weekly(cases: list[Doc], period: _Period) -> dict[str, Any]:
    due, late, delayed, missing = 0, [], [], {}
    notifications, unmet = 0, []
    for c in cases:
        for step in NOTIFICATIONS:
            for s in _timed(c, step, period):
                notifications += 1
                if not _by_due(s):
                    unmet.append(f"{c['case_id']} {step}")
        for s in _timed(c, SERIOUSNESS_ASSESSMENT.id, period):
            due += 1
            if not _by_due(s):
                late.append(c["case_id"])
        if c["delayed_recognition_escalated_at"] in period:
            delayed.append(c["case_id"])
        record = c["concern_record"]
        if record and record["completed_at"] in period and record["targeting_gaps"]:
            missing[c["case_id"]] = record["targeting_gaps"]
    on_time = due - len(late)
    return {
        "seriousness_assessments_due": due,
        "seriousness_assessments_on_time": on_time,
        "same_day_seriousness_percent": percent(on_time, due),
        "escalated_after_delayed_recognition": len(delayed),
        "records_missing_targeting_detail": len(missing),
        "notifications_due": notifications,
        "notifications_missed": len(unmet),
        "cases": {"seriousness_not_same_day": late, "escalated_after_delayed_recognition": delayed,
                  "missing_targeting_detail": missing, "notifications_missed": sorted(unmet)},
    }


def _fortnightly(cases: list[Doc], period: _Period) -> dict[str, Any]:
    checked, not_on_time, gaps, repeats = 0, [], [], []
    for c in cases:
        for s in _timed(c, IMPLEMENTATION_CHECK.id, period):
            checked += 1
            if not (_by_due(s) and s["implemented"]):
                not_on_time.append(c["case_id"])
        for step in CHRONOLOGY_STEPS:
            gaps += [f"{c['case_id']} {s['step']}#{s['occurrence']}" for s in _timed(c, step, period) if not _by_due(s)]
        controls = c["controls_from"]
        repeats += [{"case_id": c["case_id"], "at": at} for at in c["incidents"]
                    if at in period and controls is not None and _instant(controls) < _instant(at)]
    implemented = checked - len(not_on_time)
    return {
        "protection_plans_checked": checked,
        "protection_plans_implemented_on_time": implemented,
        "separation_plans_on_time_percent": percent(implemented, checked),
        "chronology_gaps": len(gaps),
        "repeat_incidents_after_controls": len(repeats),
        "cases": {"separation_not_implemented_on_time": not_on_time, "chronology_gaps": sorted(gaps),
                  "repeat_incidents_after_controls": repeats},
    }


def _monthly(cases: list[Doc], period: _Period) -> dict[str, Any]:
    reviews = [(c["case_id"], c["closure"]) for c in cases if c["closure"] and c["closure"]["completed_at"] in period]
    outcomes = {o: 0 for o in SUBSTANTIATION_OUTCOMES}
    lessons, themes = [], {}
    for case_id, r in reviews:
        outcomes[r["substantiation_outcome"]] = outcomes.get(r["substantiation_outcome"], 0) + 1
        found = themes_in(r["lessons"])
        lessons.append({"case_id": case_id, "lessons": r["lessons"], "themes": found})
        for t in found:
            themes.setdefault(t, []).append(case_id)
    rates = [r["action_completion_rate"] for _, r in reviews]
    return {
        "closure_reviews": len(reviews),
        "substantiation_outcomes": outcomes,
        "action_completion_rate_mean": round(sum(rates) / len(rates), 2) if rates else None,
        "lessons": lessons,
        "themes": dict(sorted(themes.items())),
        "cases_sharing_a_theme": max((len(v) for v in themes.values()), default=0),
        "repeated_themes": sorted(t for t, v in themes.items() if len(v) >= 2),
    }


# --- the audits recorded ------------------------------------------------------------------------


def governance_view(documents: Documents) -> dict[str, Any]:
    """Every audit recorded, oldest period first, and the open actions: those raised by the
    latest audit of each kind (a later audit that no longer crosses the threshold closes them)."""
    audits = sorted((doc for _, doc in documents.scan(GovernanceAudits.name)),
                    key=lambda a: (a["period_end"], KINDS.index(a["kind"])))
    latest: dict[str, Doc] = {}
    for a in audits:
        latest[a["kind"]] = a
    open_actions = [{**action, "kind": a["kind"], "audit_id": a["audit_id"], "as_of": a["as_of"]}
                    for kind in KINDS if (a := latest.get(kind)) for action in a["actions"]]
    return {"audits": audits, "open_actions": open_actions}


def tracked_actions(documents: Documents, at: datetime) -> list[Doc]:
    """Every action raised by an audit, tracked to closure (issue 12), with its state at `at`."""
    docs = [doc for _, doc in documents.scan(GovernanceActions.name) if _instant(doc["raised_at"]) <= at]
    return sorted((actions_as_at(d, at) for d in docs), key=lambda d: (d["raised_at"], d["ref"]))
