"""A commissioner's provider-concern process (004) as pure functions: its state, `evolve` and the
`decide_*` functions. The policy is `domain/provider_concerns.py`; the workflow
(`workflows/provider_process.py`) calls these under its lock and records the facts they return;
tests call them directly."""

from domain.case.rejection import Rejected
from domain.provider_process.commands import Decide, DismissProposal, OpenProcess, ProposeProcess, RecordStep
from domain.provider_process.decide import (
    check_decision,
    check_dismiss,
    check_open,
    check_step,
    decide_clock,
    decide_decision,
    decide_dismiss,
    decide_open,
    decide_propose,
    decide_step,
    next_wakeup,
)
from domain.provider_process.state import PlannedAction, ProcessState, evolve, new_process, replay
from domain.provider_process.views import ProcessStatus, status_of

__all__ = [
    "Decide", "DismissProposal", "OpenProcess", "PlannedAction", "ProcessState", "ProcessStatus", "ProposeProcess", "RecordStep", "Rejected",
    "check_decision", "check_dismiss", "check_open", "check_step", "decide_clock", "decide_decision", "decide_dismiss", "decide_open", "decide_propose",
    "decide_step", "evolve", "new_process", "next_wakeup", "replay", "status_of",
]
