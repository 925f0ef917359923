"""A case's steps as a task list, and who its alerts reached, projected from its stored facts (so
the case page shows them even when no worker answers). Each step occurrence that opened has a
status: done, open, overdue, escalated or withdrawn; the pathway's other steps have not opened."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.facts import AlertNotDelivered, AlertRaised, AlertSent, Escalated, EscalationAcknowledged, StepAmended, StepOpened
from domain.policy import Pathway
from eventstore.events import Recorded
from projections.case_history import escalations_ended, step_occurrences

DONE, OPEN, OVERDUE, ESCALATED, WITHDRAWN, NOT_YET_OPEN = "done", "open", "overdue", "escalated", "withdrawn", "not yet open"


def _escalated(facts: list[Recorded]) -> set[tuple[str, int]]:
    """The step occurrences with an escalation still outstanding (not acknowledged, not ended)."""
    acknowledged = {r.fact.escalation_id for r in facts if isinstance(r.fact, EscalationAcknowledged)}
    ended = escalations_ended(facts)
    return {(r.fact.step, r.fact.occurrence) for r in facts if isinstance(r.fact, Escalated)
            and r.fact.escalation_id not in acknowledged and r.fact.escalation_id not in ended}


def opened_by(facts: list[Recorded]) -> dict[tuple[str, int], StepAmended]:
    """Each review step occurrence (a decision that rested on a corrected record) -> the amendment
    that opened it, whose `review` is the step as the case asks it (its StepOpened follows it)."""
    out: dict[tuple[str, int], StepAmended] = {}
    last: StepAmended | None = None
    for r in facts:
        if isinstance(r.fact, StepAmended) and r.fact.review is not None:
            last = r.fact
        elif isinstance(r.fact, StepOpened) and last is not None and last.review is not None \
                and r.fact.step == last.review.id:
            out[(r.fact.step, r.fact.occurrence)] = last
            last = None
    return out


def tasks(facts: list[Recorded], pathway: Pathway, now: datetime) -> list[dict[str, Any]]:
    """Every step occurrence that opened, in the order it opened, with its status (overdue before
    escalated: a missed deadline is the more urgent thing to see)."""
    escalated = _escalated(facts)
    reviews = opened_by(facts)
    rows = []
    for o in step_occurrences(facts):
        opener = reviews.get((o["step"], o["occurrence"]))
        step = pathway.step(o["step"]) or (opener.review if opener else None)
        if o["completed_at"]:
            status = DONE
        elif o["withdrawn_at"]:
            status = WITHDRAWN
        elif o["missed_at"] or (o["due"] and datetime.fromisoformat(o["due"]) <= now):
            status = OVERDUE
        elif (o["step"], o["occurrence"]) in escalated:
            status = ESCALATED
        else:
            status = OPEN
        rows.append({**o, "title": step.title if step else o["step"], "status": status,
                     "escalated": (o["step"], o["occurrence"]) in escalated})
    return rows


def not_yet_open(facts: list[Recorded], pathway: Pathway) -> list[dict[str, str]]:
    """The pathway's steps that have not opened on this case (many open only if an answer calls for them)."""
    opened = {o["step"] for o in step_occurrences(facts)}
    return [{"step": s.id, "title": s.title} for s in pathway.steps if s.id not in opened]


def alerted(facts: list[Recorded]) -> list[dict[str, Any]]:
    """Who each alert reached, by the role it was for: [{to_role, told: [(user_id, channel)], nobody}]."""
    raised = {r.fact.alert_id: r.fact.to_role for r in facts if isinstance(r.fact, AlertRaised)}
    by_alert: dict[str, dict[str, Any]] = {a: {"to_role": role, "told": [], "nobody": False} for a, role in raised.items()}
    for r in facts:
        row = by_alert.get(getattr(r.fact, "alert_id", None) or "")
        if row is None:
            continue
        if isinstance(r.fact, AlertSent) and (r.fact.user_id, r.fact.channel) not in row["told"]:
            row["told"].append((r.fact.user_id, r.fact.channel))
        elif isinstance(r.fact, AlertNotDelivered):
            row["nobody"] = True
    return list(by_alert.values())
