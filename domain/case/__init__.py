"""A safeguarding case as pure functions: its policy, its state, `evolve` (how a fact changes the
state) and the `decide_*` functions (what a command or the clock records). No I/O and no
Temporal: the workflow (`workflows/concern.py`) calls these under its lock and records the
facts they return; tests call them directly."""

from domain.case.amendment import check_amendment, decide_amendment
from domain.case.alerting import decide_alert_outcome, decide_alerts_adopted, pending as pending_alerts
from domain.case.decide import (
    check_acknowledgement,
    check_completion,
    check_requirements,
    check_development,
    check_note,
    check_open,
    decide_acknowledgement,
    decide_clock,
    decide_completion,
    decide_development,
    decide_note,
    decide_raise,
    decide_recovery,
    decide_service_history,
    next_wakeup,
    recorded_as_decided,
)
from domain.case.policy import CasePolicy
from domain.case.rejection import Rejected
from domain.case.state import CaseState, OpenEscalation, OpenStep, evolve, new_case, replay
from domain.case.threshold import (
    ThresholdRequest,
    check_threshold_facts,
    decide_threshold,
    merged_facts,
    threshold_request,
)
from domain.case.views import CaseStatus, StepReceipt, StepView, receipt_of, recorded_receipt, status_of

__all__ = [
    "CasePolicy", "CaseState", "CaseStatus", "OpenEscalation", "OpenStep", "Rejected", "StepReceipt", "StepView",
    "ThresholdRequest", "check_acknowledgement", "check_development", "check_threshold_facts", "check_completion", "check_requirements", "check_note", "check_open", "decide_acknowledgement",
    "decide_clock", "decide_completion", "decide_development", "decide_note", "decide_raise", "decide_recovery", "decide_service_history",
    "decide_threshold", "evolve", "merged_facts", "new_case", "next_wakeup", "receipt_of", "recorded_receipt", "replay", "status_of",
    "threshold_request", "decide_alert_outcome", "decide_alerts_adopted", "pending_alerts",
    "check_amendment", "decide_amendment",
]
