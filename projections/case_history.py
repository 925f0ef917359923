"""Read models of one case, projected from its stored events (never from workflow state):
the chronology inspectors read, each step occurrence with its deadline, and the escalations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventstore.application import StoredFact

_WHO = ("actor", "role")
_SKIP_DETAIL = {"at", "step", "occurrence", "actor", "role", "due"}


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def step_occurrences(facts: list[StoredFact]) -> list[dict[str, Any]]:
    """One row per step occurrence: who owns it, when it was due and what became of it."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for f in facts:
        d = f.data
        key = (d.get("step"), d.get("occurrence"))
        if f.type == "StepOpened":
            rows[key] = {
                "step": d["step"], "occurrence": d["occurrence"], "role": d["role"], "opened_at": d["at"],
                "due": d["due"], "deadline": d["deadline"], "completed_at": None, "completed_by": None,
                "on_time": None, "missed_at": None, "withdrawn_at": None,
            }
        elif f.type == "StepCompleted" and key in rows:
            rows[key].update(completed_at=d["at"], completed_by={"actor": d["actor"], "role": d["role"]}, on_time=d["on_time"])
        elif f.type == "DeadlineMissed" and key in rows:
            rows[key]["missed_at"] = d["at"]
        elif f.type == "StepWithdrawn" and key in rows:
            rows[key]["withdrawn_at"] = d["at"]
    return list(rows.values())


def escalations(facts: list[StoredFact]) -> list[dict[str, Any]]:
    acknowledged = {f.data["escalation_id"]: f.data["at"] for f in facts if f.type == "EscalationAcknowledged"}
    return [
        {
            "escalation_id": f.data["escalation_id"], "at": f.data["at"], "step": f.data["step"],
            "occurrence": f.data["occurrence"], "cause": f.data["cause"], "reason": f.data["reason"],
            "from_role": f.data["from_role"], "to_role": f.data["to_role"],
            "acknowledged_at": acknowledged.get(f.data["escalation_id"]),
        }
        for f in facts if f.type == "Escalated"
    ]


def chronology(facts: list[StoredFact]) -> list[dict[str, Any]]:
    """Every event in order, with its time, actor, role, step, deadline and whether it was met."""
    outcome = {(r["step"], r["occurrence"]): r for r in step_occurrences(facts)}
    entries = []
    for f in facts:
        d = f.data
        step, occ = d.get("step"), d.get("occurrence")
        row = outcome.get((step, occ))
        deadline = d.get("due") or (row["due"] if row else None)
        met = None
        if row and deadline:
            if row["on_time"] is not None:
                met = row["on_time"]
            elif row["missed_at"]:
                met = False
        entry = {
            "seq": f.seq, "at": d["at"], "type": f.type, "recorded_at": f.recorded_at.isoformat(),
            "actor": d.get("actor"), "role": d.get("role"), "step": step, "occurrence": occ,
            "deadline": deadline, "deadline_met": met,
            "details": {k: v for k, v in d.items() if k not in _SKIP_DETAIL and k != "concern"},
        }
        if f.type == "ConcernRaised":
            c = d["concern"]
            entry["details"].update(
                identified_at=c["identified_at"], service=c["service"]["id"],
                adult_at_risk=c["adult_at_risk"]["id"], alleged_source=c["alleged_source"]["id"],
            )
        entries.append(entry)
    return entries
