"""Amendments (issue 22) in plain words, for the chronology page and the evidence pack alike: what
an amendment corrected (each field by its label at its step, from its old value to its new one),
who, why, whether a decision rested on the original and which review that opened; a decision's
review, confirmed or changed and to what; and, on the original entry, which later entries
corrected it. The original entry's own words are never changed.

Pure: words from projections/field_words.py (labels, choices) and projections/engine_words.py
(levels, roles, instants in UK time)."""

from __future__ import annotations

from typing import Any, Callable

from domain.amendments import CLOSURE, CONFIRMED, ROUTE, THRESHOLD_LEVEL
from projections.engine_words import level_words, role_words, value_words
from projections.field_words import words_for

AMENDMENT_TYPES = ("StepAmended", "DecisionReviewed")
# as a step's page names them (web/pages/amended.py), without the article
DECISION_WORDS = {THRESHOLD_LEVEL: "threshold level", ROUTE: "decision on whether to refer",
                  CLOSURE: "case's closure and its outcome"}


def decision_words(decision: str | None) -> str:
    return DECISION_WORDS.get(decision or "") or (decision or "").replace("_", " ")


def _value(field: str, value: Any) -> str:
    return level_words(value) if field == THRESHOLD_LEVEL else value_words(value, name=field)


def change_words(field: str, old: Any, new: Any, step: str | None) -> tuple[str, str]:
    """A field's correction: its label at `step`, and what it said then and says now."""
    label = words_for(field, step).label  # worded as a step's page words its corrections (web/pages/amended.py)
    if old in (None, "", [], {}):
        return label, f"added ({_value(field, new)})"
    if new in (None, "", [], {}):
        return label, f"taken away (it was {_value(field, old)})"
    return label, f"changed from {_value(field, old)} to {_value(field, new)}"


def headline(e: dict[str, Any], title: str, again: str, by: str) -> str:
    d = e["details"]
    if e["type"] == "StepAmended":
        return f"{title}{again}: record corrected (amendment {d.get('amendment')})" + by
    stands = "it stands" if d.get("outcome") == CONFIRMED else "changed"
    return f"{decision_words(d.get('decision')).capitalize()} reviewed after amendment {d.get('amendment')}{by}: {stands}"


def said(e: dict[str, Any]) -> list[tuple[str, str]]:
    """What an amendment or a review recorded, in words."""
    d, step = e["details"], e.get("step")
    changes = [change_words(c["field"], c.get("old"), c.get("new"), step) for c in d.get("changes") or ()]
    if e["type"] == "StepAmended":
        rows = [("Corrects", f"entry {e['about']}, the record as first made, which is kept as it was")] if e.get("about") else []
        rows += changes + [("Reason", str(d.get("reason") or ""))]
        decisions = ", ".join(decision_words(x) for x in d.get("decisions") or ())
        rows.append(("Decisions made on the original record", decisions or "none"))
        review = d.get("review")
        if isinstance(review, dict):
            rows.append(("Review opened", f"{review.get('title')}, for the {role_words(review.get('role'))}"))
        return rows
    follows = f"amendment {d.get('amendment')}" + (f" (entry {e['about']})" if e.get("about") else "")
    outcome = "Confirmed: the decision stands" if d.get("outcome") == CONFIRMED else "Changed"
    return [("Decision reviewed", decision_words(d.get("decision")).capitalize()), ("Outcome", outcome), *changes,
            ("Reason", str(d.get("reason") or "")), ("After", follows)]


def corrected(e: dict[str, Any], instant: Callable[[str], str]) -> list[tuple[str, str]]:
    """On an entry later amendments corrected (or whose decision was reviewed): which, and when."""
    amended = [f"amendment {c['amendment']} (entry {c['seq']}), {instant(c['at'])}"
               for c in e.get("corrected_by") or () if c["type"] == "StepAmended"]
    reviewed = [f"after amendment {c['amendment']} (entry {c['seq']}), {instant(c['at'])}: "
                f"{'it stands' if c.get('outcome') == CONFIRMED else 'changed'}"
                for c in e.get("corrected_by") or () if c["type"] == "DecisionReviewed"]
    return ([("Corrected later", "; ".join(amended))] if amended else []) + \
        ([("Decision reviewed later", "; ".join(reviewed))] if reviewed else [])


def technical(e: dict[str, Any]) -> list[tuple[str, str]]:
    """The engine's names of what an amendment or review changed, for whoever checks the engine."""
    d = e["details"]
    rows = [("Fields", ", ".join(c["field"] for c in d.get("changes") or ()))]
    if d.get("decisions"):
        rows.append(("Decisions", ", ".join(d["decisions"])))
    if isinstance(d.get("review"), dict):
        rows.append(("Review step id", str(d["review"].get("id"))))
    if d.get("decision"):
        rows.append(("Decision", str(d["decision"])))
    return [(label, text) for label, text in rows if text]


def changes_line(changes: list[Any], step: str | None) -> list[str]:
    """Each change of an amendment or review (objects or dicts with field, old, new) as 'Label: changed from X to Y'."""
    def get(c: Any, k: str) -> Any:
        return c.get(k) if isinstance(c, dict) else getattr(c, k)
    return [": ".join(change_words(get(c, "field"), get(c, "old"), get(c, "new"), step)) for c in changes]


def review_line(outcome: str, changes: list[Any], step: str | None) -> str:
    """A review's result: 'confirmed: the decision stands' or 'changed. <Label>: Y; it was X'."""
    if outcome == CONFIRMED:
        return "confirmed: the decision stands"

    def get(c: Any, k: str) -> Any:
        return c.get(k) if isinstance(c, dict) else getattr(c, k)
    return "changed. " + ". ".join(f"{words_for(get(c, 'field'), step).label}: {_value(get(c, 'field'), get(c, 'new'))}; "
                                   f"it was {_value(get(c, 'field'), get(c, 'old'))}" for c in changes)
