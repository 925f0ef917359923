"""A live case's row on the board and its open steps' rows, as far as the clock does not change them:
one definition for the dashboard worked out from every document (`projections/dashboard.py`
`folded_dashboard`) and for the board that keeps them between queries (`projections/board.py`).
Each fills in what the instant changes: a step's time left, whether it is overdue, how many of the
case's are, and whether the case has open risk beyond its timescale."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from domain.pathway import LIVE_CASE_OVERSIGHT, counts_working_time
from projections.documents import Doc

OVERSIGHT_STEP = LIVE_CASE_OVERSIGHT.id
working_time_counted = lru_cache(maxsize=None)(counts_working_time)


def _only(row: Doc | None, key: str) -> Doc:
    """`row`'s `key` only where it has one (a decision review's recorded `title`): other rows keep their shape."""
    return {key: row[key]} if row and row.get(key) else {}


def escalation_row(escalation_id: str, e: dict[str, Any]) -> dict[str, Any]:
    """An escalation as the dashboard gives it: its alerts always (none, before alerts), and who
    acknowledged it (None while outstanding)."""
    return {"escalation_id": escalation_id, **e, "alerts": e.get("alerts", []), "acknowledged": e.get("acknowledged")}


def case_rows(case: Doc) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """The case's row, its open steps' rows (in the order the case keeps them), and whether it has open
    risk beyond its timescale whatever the instant (oversight flagged a risk, or its workflow stopped).
    The clock's parts are left as they are before anything falls due: nothing overdue, no time left."""
    stopped = case.get("stopped")  # its workflow is not running: its deadlines are not being kept
    case_id, service_id = case["case_id"], case["service"]["id"]
    items = [{
        "case_id": case_id, "service_id": service_id, "step": s["step"], "occurrence": s["occurrence"], "role": s["role"],
        "escalated_to": s["escalated_to"], "due": s["due"], "overdue": False,
        # working time is what staff have left; once overdue, the clock time past due says more
        "working_time_left_s": None,
        "working_time": working_time_counted(s["step"]),  # time left is told in working time, else clock time
        "time_left_s": None, "stopped": stopped, **_only(s, "title"),
    } for s in case["open_steps"].values()]
    oversight_due = min((i["due"] for i in items if i["step"] == OVERSIGHT_STEP and i["due"]), default=None)
    row = {
        "case_id": case_id, "service": case["service"], "adult_at_risk": case["adult_at_risk"],
        "alleged_source": case["alleged_source"], "status": case["status"], "identified_at": case["identified_at"],
        "threshold_level": case["threshold_level"],
        "current_steps": sorted({i["step"] for i in items if i["step"] != OVERSIGHT_STEP}),
        "overdue": 0,
        "escalations_outstanding": sorted((escalation_row(k, e) for k, e in case["escalations"].items()),
                                          key=lambda x: x["at"]),
        "escalations_acknowledged": sorted((escalation_row(k, e) for k, e in (case.get("acknowledged") or {}).items()),
                                           key=lambda x: x["acknowledged"]["at"]),
        # none open (the last done before it fell due): when the next opens, not that none is due
        "live_case_oversight": {"next_due": oversight_due, "last": case["oversight"],
                                "next_opens": None if oversight_due else case.get("oversight_opens")},
        "open_risk_beyond_timescale": False,
        "stopped": stopped,
    }
    return row, items, bool((case["oversight"] or {}).get("flags", [])) or bool(stopped)
