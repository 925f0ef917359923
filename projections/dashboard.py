"""The oversight dashboard: every live case, its open deadlines, escalations outstanding, and
the 72-hourly live-case oversight (001 example 3 step 4: unresolved targeting risk, overdue
protective actions, weak supervision). A closed case leaves the dashboard. A case whose workflow
stopped without closing says so on every row of it (`stopped`): its deadlines are not being kept.

Each escalation carries its alerts (issue 20), from the case's stream: each one raised (to which
role, on which rung of the ladder, to be acknowledged by when), who it reached and by which channel
(staff ids, never an address), or that nobody could be reached. An escalation acknowledged leaves
the outstanding ones and is kept, with who acknowledged it and when, among the case's last few
acknowledged (`acknowledged`) until its step is done. Both keys are added only when there is
something to keep, so the documents of a store without alerts are as they were.

A threshold level decided anew on review (issue 22: the record it rested on was corrected) is the
case's level from then on; the oversight's risk flags are never amendable (checked at import). The
review's open step and its escalations carry the title its amendment recorded (`title`).

A live case's document is keyed by its stream's id (a UUID: 0-9, a-f and -). A closed case keeps what
identifies it under "~closed/" and that id, after every live key (keys compare byte by byte), so the
readers' scan (`live_documents`) stops before the closed cases, however many there are. A correction
of a closed case's record can open a decision's review on it (issue 22): its live document is made
again from what it kept, shows the review as its open step, with its deadline and escalations, and
is dropped when nothing is open on it. A store folded while closed cases were kept under their own
key (status "closed", nothing open) reads the same: `live` leaves those out until a rebuild of
`live_cases` (or the case's next fact) moves them. (A store whose closed cases were dropped before
that learns of them by a rebuild.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Iterator

from domain.deadlines import WorkingCalendar
from domain.facts import (
    AlertNotDelivered, AlertRaised, AlertSent, CaseClosed, CaseConcluded, CaseRecovered, CaseStopped, ConcernRaised,
    DeadlineMissed, DecisionReviewed, Escalated, EscalationAcknowledged, StepAmended, StepCompleted, StepOpened,
    StepWithdrawn, ThresholdDecisionFiled,
)
from domain.pathway import LIVE_CASE_OVERSIGHT, OVERSIGHT_RISK_FLAGS
from domain.policy import Cadence
from eventstore.events import Recorded
from projections.amended import check_never_amended, new_level
from projections.board_rows import OVERSIGHT_STEP, _only, case_rows, escalation_row  # noqa: F401 (the pages read escalation_row here)
from projections.documents import Doc, Documents
from projections.feed import ReadModel
from projections.jsonable import iso

# on a cadence, the next oversight opens when the one before falls due, done or not (domain/policy.py)
OVERSIGHT_ON_CADENCE = isinstance(LIVE_CASE_OVERSIGHT.repeat, Cadence)
ACKNOWLEDGED_KEPT = 5  # a case keeps its last few escalations acknowledged (who, when), for the board
check_never_amended(OVERSIGHT_STEP, (f.name for f in OVERSIGHT_RISK_FLAGS), "the board")  # kept as the flags raised only


class LiveCases(ReadModel):
    name = "live_cases"
    handles = (ConcernRaised, StepOpened, StepCompleted, DeadlineMissed, Escalated, EscalationAcknowledged,
               StepWithdrawn, ThresholdDecisionFiled, CaseConcluded, CaseClosed, CaseStopped, CaseRecovered,
               AlertRaised, AlertSent, AlertNotDelivered, DecisionReviewed, StepAmended)

    def keys(self, event: Recorded) -> Iterable[str]:
        """The case's live document, and (bar its raising) what it keeps once closed."""
        return [event.stream] if isinstance(event.fact, ConcernRaised) else [event.stream, CLOSED + event.stream]

    def apply(self, e: Recorded, docs: dict[str, Doc | None]) -> None:
        f = e.fact
        if isinstance(f, ConcernRaised):
            c = f.concern
            docs[e.stream] = {
                "case_id": f.case_id, "service": c.service.model_dump(mode="json"), "adult_at_risk": c.adult_at_risk.id,
                "alleged_source": c.alleged_source.described(), "identified_at": iso(c.identified_at), "raised_at": iso(f.at),
                "status": "open", "open_steps": {}, "escalations": {}, "oversight": None, "threshold_level": None,
            }
            return
        case = docs.get(e.stream)
        if case is None:
            kept = docs.get(CLOSED + e.stream)
            if kept is None:
                return  # raised before the log began (or closed before closed cases were kept)
            case = {**kept, "open_steps": {}, "escalations": {}, "oversight": None}  # closed: live while a step is open
        steps, escalations = case["open_steps"], case["escalations"]
        if isinstance(f, StepAmended) and f.review is not None:  # its review opens next, by the title recorded here
            case["reviewing"] = {"id": f.review.id, "title": f.review.title}
        match f:
            case StepOpened():
                steps[_key(f)] = {"step": f.step, "occurrence": f.occurrence, "role": f.role, "due": iso(f.due),
                                  "deadline": f.deadline, "missed": False, "escalated_to": []}
                if (reviewing := case.pop("reviewing", None)) and reviewing["id"] == f.step:  # a decision's review
                    steps[_key(f)]["title"] = reviewing["title"]
                if f.step == OVERSIGHT_STEP and f.due and OVERSIGHT_ON_CADENCE:
                    case["oversight_opens"] = iso(f.due)  # the next one's opening, once this one is done early
            case StepCompleted() | StepWithdrawn():
                key = _key(f)
                steps.pop(key, None)
                for eid in [i for i, x in escalations.items() if x["cause"] != "trigger" and x["key"] == key]:
                    del escalations[eid]
                done = case.get("acknowledged") or {}
                for eid in [i for i, x in done.items() if x["cause"] != "trigger" and x["key"] == key]:
                    del done[eid]
                if isinstance(f, StepCompleted) and f.step == OVERSIGHT_STEP:
                    case["oversight"] = {"completed_at": iso(f.at), "by": f.actor,
                                         "flags": [x.name for x in OVERSIGHT_RISK_FLAGS if f.record.get(x.name) is True]}
            case DeadlineMissed() if _key(f) in steps:
                steps[_key(f)]["missed"] = True
            case Escalated():
                escalations[f.escalation_id] = {"at": iso(f.at), "key": _key(f), "step": f.step, "cause": f.cause,
                                                "reason": f.reason, "to_role": f.to_role, **_only(steps.get(_key(f)), "title")}
                if f.cause != "trigger" and _key(f) in steps:
                    steps[_key(f)]["escalated_to"].append(f.to_role)
            case EscalationAcknowledged():
                x = escalations.pop(f.escalation_id, None)
                if x is not None:
                    done = case.setdefault("acknowledged", {})
                    done[f.escalation_id] = {**x, "acknowledged": {"by": f.actor, "role": f.role, "at": iso(f.at)}}
                    for old in sorted(done, key=lambda i: (done[i]["acknowledged"]["at"], i))[:-ACKNOWLEDGED_KEPT]:
                        del done[old]
            case AlertRaised():
                x = escalations.get(f.escalation_id) or (case.get("acknowledged") or {}).get(f.escalation_id)
                if x is not None and not any(a["alert_id"] == f.alert_id for a in x.get("alerts", [])):
                    x.setdefault("alerts", []).append({
                        "alert_id": f.alert_id, "rung": f.rung, "to_role": f.to_role, "at": iso(f.at),
                        "acknowledge_by": iso(f.acknowledge_by), "sent": [], "not_delivered": None})
            case AlertSent():
                a = _alert(case, f.alert_id)
                if a is not None:
                    a["sent"].append({"user_id": f.user_id, "channel": f.channel, "via": f.via, "at": iso(f.at)})
            case AlertNotDelivered():
                a = _alert(case, f.alert_id)
                if a is not None:
                    a["not_delivered"] = {"reason": f.reason, "at": iso(f.at)}
            case ThresholdDecisionFiled():
                case["threshold_level"] = f.decision.level
            case DecisionReviewed() | StepAmended() if new_level(f)[0]:  # decided anew on review (issue 22)
                case["threshold_level"] = new_level(f)[1]
            case CaseConcluded():
                case["status"] = "concluded"
            case CaseStopped():  # its workflow ended without it closing: nothing keeps its deadlines
                case["stopped"] = {"at": iso(f.at), "status": f.status, "run_id": f.run_id}
            case CaseRecovered():
                case["stopped"] = None
            case CaseClosed():  # what identifies it is kept, for a review a correction may open
                case.update(status="closed", closed_at=iso(f.at), open_steps={}, escalations={}, oversight=None)
        if live(case):
            docs[e.stream] = case
        else:  # closed, nothing open on it: out of the live keys, what identifies it kept
            docs[e.stream], docs[CLOSED + e.stream] = None, {**{k: case.get(k) for k in KEPT_CLOSED}, **_only(case, "reviewing")}


CLOSED = "~closed/"  # a closed case's key: this and its stream's id
LIVE_BELOW = "~"  # every live key sorts before it; every closed case's from it
KEPT_CLOSED = ("case_id", "service", "adult_at_risk", "alleged_source", "identified_at", "raised_at", "threshold_level",
               "status", "closed_at")


def live(case: Doc) -> bool:
    """An open case, or a closed one with a step open on it (a decision's review after a correction)."""
    return case["status"] != "closed" or bool(case["open_steps"])


def live_documents(documents: Documents) -> Iterator[Doc]:
    """The live cases' documents, for every reader of the board's cases: the scan stops before the
    closed cases' keys; a closed case a store folded earlier kept under its own key is left out."""
    return (case for _, case in documents.scan(LiveCases.name, below=LIVE_BELOW) if live(case))


def _key(f: Any) -> str:
    return f"{f.step}#{f.occurrence}"


def _alert(case: Doc, alert_id: str) -> dict[str, Any] | None:
    """The alert of the case's escalations (outstanding or acknowledged) with this id."""
    for e in [*case["escalations"].values(), *(case.get("acknowledged") or {}).values()]:
        for a in e.get("alerts", []):
            if a["alert_id"] == alert_id:
                return a
    return None


def dashboard(documents: Documents, now: datetime, calendar: WorkingCalendar) -> dict[str, Any]:
    """What a supervisor sees at `now`: overdue items first, then by due instant. From the store's
    board (`projections/board.py`), which keeps what the clock does not change; folded from the
    documents as they are for documents kept in memory (as at an instant)."""
    from projections.board import LiveBoard, board_of, left_unwalked  # it reads this module's helpers

    board = board_of(documents, lambda: LiveBoard(LiveCases.name, LIVE_BELOW, live))
    if board is None:
        return folded_dashboard(documents, now, calendar)
    with board.lock, left_unwalked():  # 30,000 new rows, no cycles: not worth the cycle collector's walk
        board.refresh(documents)
        return board.answer(now, calendar)


def folded_dashboard(documents: Documents, now: datetime, calendar: WorkingCalendar) -> dict[str, Any]:
    """The dashboard worked out from every live document at once (what the board's answer equals)."""
    cases, deadlines = [], []
    for case in live_documents(documents):
        row, items, flagged = case_rows(case)
        for i in items:
            if i["due"]:
                due = datetime.fromisoformat(i["due"])
                i["overdue"] = due <= now
                i["working_time_left_s"] = 0 if i["overdue"] else int(calendar.working_time_between(now, due).total_seconds())
                i["time_left_s"] = int((due - now).total_seconds())
                deadlines.append(i)
                row["overdue"] += i["overdue"]
        row["open_risk_beyond_timescale"] = bool(row["overdue"]) or flagged
        cases.append(row)
    deadlines.sort(key=lambda i: (not i["overdue"], i["due"], i["case_id"]))
    cases.sort(key=lambda c: (-c["overdue"], c["case_id"]))
    return {
        "as_at": now.isoformat(),
        "live_cases": cases,
        "deadlines": deadlines,
        "cases_with_open_risk_beyond_timescale": [c["case_id"] for c in cases if c["open_risk_beyond_timescale"]],
    }
