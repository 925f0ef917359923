"""Read models of one case, projected from its stored facts (never from workflow state): the
chronology inspectors read, each step occurrence with its deadline, and the escalations.
Answers are JSON-ready (instants in ISO 8601), as they are printed and served."""

from __future__ import annotations

from typing import Any

from domain.facts import (
    ConcernRaised,
    DeadlineMissed,
    Escalated,
    EscalationAcknowledged,
    StepCompleted,
    StepOpened,
    StepWithdrawn,
)
from eventstore.events import Recorded
from projections.jsonable import iso

_SKIP_DETAIL = {"at", "step", "occurrence", "actor", "role", "due", "concern"}


def step_occurrences(facts: list[Recorded]) -> list[dict[str, Any]]:
    """One row per step occurrence: who owns it, when it was due and what became of it."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for r in facts:
        match r.fact:
            case StepOpened() as f:
                rows[(f.step, f.occurrence)] = {
                    "step": f.step, "occurrence": f.occurrence, "role": f.role, "opened_at": iso(f.at),
                    "due": iso(f.due), "deadline": f.deadline, "completed_at": None, "completed_by": None,
                    "on_time": None, "missed_at": None, "withdrawn_at": None,
                }
            case StepCompleted() as f if (f.step, f.occurrence) in rows:
                rows[(f.step, f.occurrence)].update(
                    completed_at=iso(f.at), completed_by={"actor": f.actor, "role": f.role}, on_time=f.on_time)
            case DeadlineMissed() as f if (f.step, f.occurrence) in rows:
                rows[(f.step, f.occurrence)]["missed_at"] = iso(f.at)
            case StepWithdrawn() as f if (f.step, f.occurrence) in rows:
                rows[(f.step, f.occurrence)]["withdrawn_at"] = iso(f.at)
    return list(rows.values())


def escalations(facts: list[Recorded]) -> list[dict[str, Any]]:
    acknowledged = {r.fact.escalation_id: iso(r.at) for r in facts if isinstance(r.fact, EscalationAcknowledged)}
    return [
        {
            "escalation_id": f.escalation_id, "at": iso(f.at), "step": f.step, "occurrence": f.occurrence,
            "cause": f.cause, "reason": f.reason, "from_role": f.from_role, "to_role": f.to_role,
            "acknowledged_at": acknowledged.get(f.escalation_id),
        }
        for f in (r.fact for r in facts) if isinstance(f, Escalated)
    ]


def escalation_endings(facts: list[Recorded]) -> dict[str, dict[str, str]]:
    """How each missed deadline's escalation ended: when, and whether its step was done (late, as
    its deadline had been missed) or withdrawn. A trigger's ends when acknowledged instead."""
    ended = {(r.fact.step, r.fact.occurrence): {"at": iso(r.at), "how": "done" if isinstance(r.fact, StepCompleted)
                                                else "withdrawn"}
             for r in facts if isinstance(r.fact, (StepCompleted, StepWithdrawn))}
    return {f.escalation_id: ended[(f.step, f.occurrence)] for f in (r.fact for r in facts)
            if isinstance(f, Escalated) and f.cause != "trigger" and (f.step, f.occurrence) in ended}


def escalations_ended(facts: list[Recorded]) -> dict[str, str]:
    """When each missed deadline's escalation ended (escalation_endings, the instant only)."""
    return {k: v["at"] for k, v in escalation_endings(facts).items()}


def chronology(facts: list[Recorded]) -> list[dict[str, Any]]:
    """Every fact in order, with its time, actor, role, step, deadline and whether it was met."""
    outcome = {(r["step"], r["occurrence"]): r for r in step_occurrences(facts)}
    entries = []
    for r in facts:
        # what the event recorded, field by field (a fact read from the store has set the fields it stored)
        d = r.fact.model_dump(mode="json", exclude={"type"}, exclude_unset=True)
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
            "seq": r.seq, "at": d["at"], "type": r.type, "recorded_at": r.recorded_at.isoformat(),
            "actor": d.get("actor"), "role": d.get("role"), "step": step, "occurrence": occ,
            "deadline": deadline, "deadline_met": met,
            "details": {k: v for k, v in d.items() if k not in _SKIP_DETAIL},
        }
        if isinstance(r.fact, ConcernRaised):
            c = r.fact.concern
            entry["details"].update(
                identified_at=iso(c.identified_at), service=c.service.id,
                adult_at_risk=c.adult_at_risk.id, alleged_source=c.alleged_source.described(),
            )
            # the summary is not repeated here: `concern status` shows it, the chronology tells no story
            if c.reported_by:  # first reported by someone other than the staff member recording it
                entry["details"]["reported_by"] = c.reported_by.kind
            if c.raised_by:  # who raised it (concerns recorded before 2026-11-23 do not say)
                entry["actor"], entry["role"] = c.raised_by.actor, c.raised_by.role
        entries.append(entry)
    return entries
