"""Read models of one case, projected from its stored facts (never from workflow state): the
chronology inspectors read, each step occurrence with its deadline, and the escalations.
Answers are JSON-ready (instants in ISO 8601), as they are printed and served.

An amended record (issue 22) is never rewritten: its entry stays as it was made, with
`corrected_by` naming each later amendment (and each review of a decision made on it), and the
amendment's entry says which entry it corrects (`about`), as a decision's review names the
amendment it followed."""

from __future__ import annotations

from typing import Any

from domain.amendments import CLOSURE, THRESHOLD_LEVEL
from domain.facts import (
    CaseClosed,
    ConcernRaised,
    DeadlineMissed,
    DecisionReviewed,
    Escalated,
    EscalationAcknowledged,
    StepAmended,
    StepCompleted,
    StepOpened,
    StepWithdrawn,
    ThresholdDecisionFiled,
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


def _cross_references(facts: list[Recorded]) -> tuple[dict[int, list[dict[str, Any]]], dict[int, int]]:
    """Which entries later amendments and reviews correct (seq -> each correction), and which entry
    each amendment or review is about (its seq -> the corrected record's, or the amendment's)."""
    done: dict[tuple[str, int], int] = {}
    decided: dict[str, int] = {}  # the entries that recorded a decision on their own: its level, the outcome
    amendments: dict[int, int] = {}
    corrected: dict[int, list[dict[str, Any]]] = {}
    about: dict[int, int] = {}
    for r in facts:
        f = r.fact
        if isinstance(f, StepCompleted):
            done[(f.step, f.occurrence)] = r.seq
        elif isinstance(f, (ThresholdDecisionFiled, CaseClosed)):
            decided[THRESHOLD_LEVEL if isinstance(f, ThresholdDecisionFiled) else CLOSURE] = r.seq
        elif isinstance(f, (StepAmended, DecisionReviewed)):
            original = done.get((f.step, f.occurrence))
            later = {"amendment": f.amendment, "seq": r.seq, "at": iso(f.at), "type": r.type,
                     **({"outcome": f.outcome} if isinstance(f, DecisionReviewed) else {})}
            for seq in {original, decided.get(f.decision) if isinstance(f, DecisionReviewed) else None} - {None}:
                corrected.setdefault(seq, []).append(later)  # type: ignore[arg-type]
            if isinstance(f, StepAmended):
                amendments[f.amendment] = r.seq
                if original is not None:
                    about[r.seq] = original
            elif f.amendment in amendments:
                about[r.seq] = amendments[f.amendment]
    return corrected, about


def chronology(facts: list[Recorded]) -> list[dict[str, Any]]:
    """Every fact in order, with its time, actor, role, step, deadline and whether it was met; an
    amended record's entry with the amendments that corrected it, and each amendment's with the
    entry it corrects (keys present only where there is one)."""
    outcome = {(r["step"], r["occurrence"]): r for r in step_occurrences(facts)}
    corrected, about = _cross_references(facts)
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
        if r.seq in corrected:
            entry["corrected_by"] = corrected[r.seq]
        if r.seq in about:
            entry["about"] = about[r.seq]
        entries.append(entry)
    return entries
