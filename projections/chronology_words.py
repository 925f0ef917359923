"""A chronology entry (projections/case_history.py `chronology`) in plain words, as the chronology
page shows it: what happened, by whom; what was recorded, in full; and apart, for whoever checks
the engine, its technical details (the fact's type, versions, tables, ids). An amendment and a
decision's review (issue 22) are worded by projections/amendment_words.py, and an entry they
corrected says so under its own words, which stay as they were."""

from __future__ import annotations

import re
from typing import Any, Callable

from domain.amendments import REVIEW_STEP
from domain.policy import Pathway
from domain.sources import plain_citations
from projections import amendment_words
from projections.engine_words import level_words, plain, record_words
from projections.wording import humanise, shown

# what only the engine's checkers need: kept out of the entry's words, shown under "Technical details"
TECHNICAL = ("case_id", "pathway", "pathway_version", "threshold_profile", "calendar", "holidays", "holiday_table",
             "clock_from", "request_id", "channel", "os_user", "run_id", "stopped_run_id", "alert_id",
             "escalation_id", "reference", "via", "rung", "next_escalation_due", "service_id", "policy", "cause",
             "from_role", "development", "note", "failed_attempts")
_DECISION_TECHNICAL = ("profile", "profile_version", "profile_digest", "category", "facts", "facts_from_prior",
                       "prior", "applied_rules", "rag")


def _role(role: str | None) -> str:
    return humanise(role).lower()


def _by(e: dict[str, Any]) -> str:
    if not e.get("actor"):
        return ""
    return f" by {e['actor']}" + (f" ({_role(e['role'])})" if e.get("role") else "")


def headline(e: dict[str, Any], title: Callable[[str | None], str]) -> str:
    """What happened, in a sentence."""
    d, step, kind = e["details"], title(e.get("step")), e["type"]
    again = f" (time {e['occurrence']})" if (e.get("occurrence") or 1) > 1 else ""
    words = {
        "ConcernRaised": lambda: "Concern raised" + _by(e),
        "ServiceHistoryAttached": lambda: "The service's earlier concerns were attached"
                                          if d.get("history") else "The service had no earlier concern",
        "StepOpened": lambda: f"{step}{again}: opened for the {_role(e.get('role'))}",
        "StepCompleted": lambda: f"{step}{again}: done" + _by(e),
        "DeadlineMissed": lambda: f"{step}{again}: its deadline was missed",
        "StepWithdrawn": lambda: f"{step}{again}: no longer needed",
        "Escalated": lambda: f"{step}{again}: escalated to the {_role(d.get('to_role'))}",
        "EscalationAcknowledged": lambda: "Escalation acknowledged" + _by(e),
        "DevelopmentRecorded": lambda: f"Development {d.get('development')} recorded" + _by(e),
        "NoteAdded": lambda: f"Note {d.get('note')} added" + _by(e),
        "ThresholdDecisionFiled": lambda: "Seriousness decided: " + level_words((d.get("decision") or {}).get("level")),
        "ThresholdDecisionOverridden": lambda: "The seriousness level was overridden" + _by(e),
        "CaseConcluded": lambda: "Case concluded" + _by(e),
        "CaseClosed": lambda: "Case closed" + _by(e),
        "CaseStopped": lambda: "The case stopped running: its deadlines were not kept until it was restarted",
        "CaseRecovered": lambda: "The case was restarted" + _by(e),
        "AlertPolicyAdopted": lambda: "Alert settings applied to the case",
        "AlertRaised": lambda: f"Alerting the {_role(d.get('to_role'))}",
        "DeadlineApproaching": lambda: f"{step}{again}: its deadline is near, alerting the {_role(d.get('to_role'))}",
        "AlertDelayed": lambda: "An alert was delayed",
        "AlertSent": lambda: f"{d.get('user_id')} was alerted by {'text message' if d.get('channel') == 'text' else 'email'}",
        "AlertNotDelivered": lambda: "An alert reached nobody",
        "StepAmended": lambda: amendment_words.headline(e, step, again, _by(e)),
        "DecisionReviewed": lambda: amendment_words.headline(e, step, again, _by(e)),
    }
    return words[kind]() if kind in words else "Recorded on the case"


def said(e: dict[str, Any], instant: Callable[[str], str]) -> list[tuple[str, str]]:
    """What the entry recorded, field by field, in full (nothing cut); and which later entries
    corrected it, if any."""
    if e["type"] in amendment_words.AMENDMENT_TYPES:
        return [(label, plain_citations(text)) for label, text in amendment_words.said(e)]
    rows: list[tuple[str, str]] = []
    for k, v in e["details"].items():
        if k in TECHNICAL or v in (None, "", [], {}) or k in ("to_role", "user_id", "history"):
            continue
        if k == "record" and isinstance(v, dict):
            # each field by its label at its step and choices in words, as the step's page words them
            # (projections/field_words.txt); free text as written
            rows += record_words(v, step=e.get("step"))
        elif k == "decision" and isinstance(v, dict):
            rows.append(("Category", str(v.get("category_title", ""))))
            if v.get("matched"):
                rows.append(("Indicators matched", "; ".join(
                    f"{m.get('indicator')} ({humanise(m.get('level')).lower()})" for m in v["matched"])))
            rows += [(humanise(x), plain(shown(v[x], instant)))  # "the recorded fact x" in the tool's words
                     for x in ("rationale", "urgent_escalation", "required_notifications", "alternative_actions", "level_guidance")
                     if v.get(x) not in (None, "", [], {})]
        elif k == "deadline":
            rows.append(("Time allowed", str(v)))
        elif k == "on_time":
            rows.append(("On time", "yes" if v else "no, after its deadline"))
        else:
            rows.append((humanise(k), shown(v, instant)))
    if e.get("deadline") and e["type"] in ("StepOpened", "StepCompleted", "DeadlineMissed"):
        met = {True: ", met", False: ", missed"}.get(e.get("deadline_met"), "")
        rows.append(("Due", f"{instant(e['deadline'])}{met}"))
    rows += amendment_words.corrected(e, instant)
    return [(label, plain_citations(text)) for label, text in rows]  # a rationale's seed files named as documents


def technical(e: dict[str, Any], instant: Callable[[str], str]) -> list[tuple[str, str]]:
    """The engine's details of the entry: its fact type and number, when stored, versions, tables and ids."""
    d = e["details"]
    rows = [("Fact type", e["type"]), ("Number in the case's record", str(e["seq"])),
            ("Stored at", instant(e["recorded_at"]))]
    if e.get("step"):
        rows.append(("Step id", f"{e['step']} #{e.get('occurrence') or 1}"))
    for k in TECHNICAL:
        v = d.get(k)
        if v in (None, "", [], {}):
            continue
        if k == "holidays" and isinstance(v, dict):
            v = f"{v.get('source')} ({v.get('first_year')} to {v.get('last_year')})"
        rows.append((humanise(k), shown(v, instant)))
    decision = d.get("decision")
    if isinstance(decision, dict):
        rows += [(f"Decision {humanise(k).lower()}", shown(decision[k], instant)) for k in _DECISION_TECHNICAL
                 if decision.get(k) not in (None, "", [], {})]
    if e["type"] in amendment_words.AMENDMENT_TYPES:
        rows += amendment_words.technical(e)
    return rows


def worded(entries: list[dict[str, Any]], pathway: Pathway, instant: Callable[[str], str]) -> list[dict[str, Any]]:
    """Each entry with its `headline`, `said` (the record in full) and `technical` rows."""
    reviews = _review_titles(entries)

    def title(step: str | None) -> str:
        s = pathway.step(step) if step else None
        return s.title if s else humanise(step)

    def titled(e: dict[str, Any]) -> Callable[[str | None], str]:
        # a decision's review (issue 22) by the title its amendment recorded for it
        found = reviews.get(e.get("occurrence") or 0) if e.get("step") == REVIEW_STEP else None
        return (lambda step: found) if found else title  # type: ignore[return-value]
    steps = sorted((st.id for st in pathway.steps), key=len, reverse=True)
    ids = re.compile(r"\b(" + "|".join(map(re.escape, steps)) + r")\b") if steps else None

    def plain(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
        # a reason the engine wrote ("record_concern completed") names its steps by title
        return [(label, ids.sub(lambda m: title(m.group(1)).lower(), text) if ids else text) for label, text in rows]
    return [{**e, "headline": headline(e, titled(e)), "said": plain(said(e, instant)), "technical": technical(e, instant)}
            for e in entries]


def _review_titles(entries: list[dict[str, Any]]) -> dict[int, str]:
    """Each decision review's title by its occurrence: the review an amendment recorded, whose
    opening follows it."""
    titles: dict[int, str] = {}
    last = None
    for e in entries:
        review = e["details"].get("review") if e["type"] == "StepAmended" else None
        if isinstance(review, dict):
            last = review.get("title")
        elif e["type"] == "StepOpened" and e.get("step") == REVIEW_STEP and last:
            titles[e.get("occurrence") or 1], last = last, None
    return titles
