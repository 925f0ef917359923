"""The oversight dashboard: every live case, its open deadlines, escalations outstanding, and
the 72-hourly live-case oversight (001 example 3 step 4: unresolved targeting risk, overdue
protective actions, weak supervision). A closed case leaves the dashboard."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from domain.deadlines import WorkingCalendar
from projections.documents import Doc, Documents
from projections.feed import ReadModel, StoredEvent

OVERSIGHT_STEP = "live_case_oversight"
RISK_FLAGS = ("unresolved_targeting_risk", "overdue_protective_actions", "supervision_weak")


class LiveCases(ReadModel):
    name = "live_cases"
    handles = frozenset({
        "ConcernRaised", "StepOpened", "StepCompleted", "DeadlineMissed", "Escalated", "EscalationAcknowledged",
        "StepWithdrawn", "ThresholdDecisionFiled", "CaseConcluded", "CaseClosed",
    })

    def keys(self, event: StoredEvent) -> Iterable[str]:
        return [event.stream]

    def apply(self, e: StoredEvent, docs: dict[str, Doc | None]) -> None:
        d = e.data
        if e.type == "ConcernRaised":
            c = d["concern"]
            docs[e.stream] = {
                "case_id": d["case_id"], "service": c["service"], "adult_at_risk": c["adult_at_risk"]["id"],
                "alleged_source": c["alleged_source"]["id"], "identified_at": c["identified_at"], "raised_at": d["at"],
                "status": "open", "open_steps": {}, "escalations": {}, "oversight": None, "threshold_level": None,
            }
            return
        case = docs.get(e.stream)
        if case is None:
            return  # closed (or raised before the log began): nothing live to update
        key = f"{d.get('step')}#{d.get('occurrence')}"
        steps, escalations = case["open_steps"], case["escalations"]
        if e.type == "StepOpened":
            steps[key] = {"step": d["step"], "occurrence": d["occurrence"], "role": d["role"], "due": d["due"],
                          "deadline": d["deadline"], "missed": False, "escalated_to": []}
        elif e.type in ("StepCompleted", "StepWithdrawn"):
            steps.pop(key, None)
            for eid in [i for i, x in escalations.items() if x["cause"] != "trigger" and x["key"] == key]:
                del escalations[eid]
            if e.type == "StepCompleted" and d["step"] == OVERSIGHT_STEP:
                case["oversight"] = {"completed_at": d["at"], "by": d["actor"],
                                     "flags": [f for f in RISK_FLAGS if d["record"].get(f) is True]}
        elif e.type == "DeadlineMissed" and key in steps:
            steps[key]["missed"] = True
        elif e.type == "Escalated":
            escalations[d["escalation_id"]] = {"at": d["at"], "key": key, "step": d["step"], "cause": d["cause"],
                                               "reason": d["reason"], "to_role": d["to_role"]}
            if d["cause"] != "trigger" and key in steps:
                steps[key]["escalated_to"].append(d["to_role"])
        elif e.type == "EscalationAcknowledged":
            escalations.pop(d["escalation_id"], None)
        elif e.type == "ThresholdDecisionFiled":
            case["threshold_level"] = d["decision"]["level"]
        elif e.type == "CaseConcluded":
            case["status"] = "concluded"
        elif e.type == "CaseClosed":
            docs[e.stream] = None
            return
        docs[e.stream] = case


def dashboard(documents: Documents, now: datetime, calendar: WorkingCalendar) -> dict[str, Any]:
    """What a supervisor sees at `now`: overdue items first, then by due instant."""
    cases, deadlines = [], []
    for _, case in documents.scan(LiveCases.name):
        open_items = []
        for s in case["open_steps"].values():
            due = datetime.fromisoformat(s["due"]) if s["due"] else None
            overdue = bool(due and due <= now)
            item = {
                "case_id": case["case_id"], "service_id": case["service"]["id"], "step": s["step"],
                "occurrence": s["occurrence"], "role": s["role"], "escalated_to": s["escalated_to"],
                "due": s["due"], "overdue": overdue,
                # working time is what staff have left; once overdue, the clock time past due says more
                "working_time_left_s": None if due is None else 0 if overdue
                else int(calendar.working_time_between(now, due).total_seconds()),
                "time_left_s": int((due - now).total_seconds()) if due else None,
            }
            open_items.append(item)
        deadlines += [i for i in open_items if i["due"]]
        oversight_due = min((i["due"] for i in open_items if i["step"] == OVERSIGHT_STEP and i["due"]), default=None)
        overdue = [i for i in open_items if i["overdue"]]
        flags = (case["oversight"] or {}).get("flags", [])
        cases.append({
            "case_id": case["case_id"], "service": case["service"], "adult_at_risk": case["adult_at_risk"],
            "alleged_source": case["alleged_source"], "status": case["status"], "identified_at": case["identified_at"],
            "threshold_level": case["threshold_level"],
            "current_steps": sorted({i["step"] for i in open_items if i["step"] != OVERSIGHT_STEP}),
            "overdue": len(overdue), "escalations_outstanding": sorted(case["escalations"].values(), key=lambda x: x["at"]),
            "live_case_oversight": {"next_due": oversight_due, "last": case["oversight"]},
            "open_risk_beyond_timescale": bool(overdue) or bool(flags),
        })
    deadlines.sort(key=lambda i: (not i["overdue"], i["due"], i["case_id"]))
    cases.sort(key=lambda c: (-c["overdue"], c["case_id"]))
    return {
        "as_at": now.isoformat(),
        "live_cases": cases,
        "deadlines": deadlines,
        "cases_with_open_risk_beyond_timescale": [c["case_id"] for c in cases if c["open_risk_beyond_timescale"]],
    }
