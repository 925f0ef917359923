"""Recovering a case whose workflow stopped without the case closing (terminated, failed, timed
out or cancelled from outside Safeguard): restarted from the event store's facts, as who and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from casework.access import allowed, audit, visible_case
from casework.cases import erased_as_gone
from casework.inputs import validate
from casework.ports import Ports
from casework.refusals import NotOpen, Refusal, Unavailable
from casework.temporal import stopped
from domain.access import Principal, may_recover_case
from domain.concern import Recovery
from domain.facts import CaseClosed
from encryption.seal import sealing_key
from workflows.case_input import CaseInput


@dataclass(frozen=True)
class RecoverCase:
    case_id: str
    reason: Any


@dataclass(frozen=True)
class Recovered:
    case_id: str
    stopped_run_id: str
    stopped_status: str
    run_id: str


async def recover_case(ports: Ports, principal: Principal, c: RecoverCase, now: datetime) -> Recovered:
    """Restart a stopped case's workflow from the store's facts, with the policy it decided under;
    the restarted case records who recovered it and why before anything else, then keeps its
    deadlines (any missed while it was stopped is recorded, and escalated, at once)."""
    with erased_as_gone(c.case_id):
        facts = ports.records.stored_facts(c.case_id) if len(c.case_id) <= 64 else []
        service, _ = visible_case(ports, principal, c.case_id, now, action=None, facts=facts)
    role = allowed(ports, principal, may_recover_case(principal, c.case_id, service), c.case_id, service)
    recovery = validate({"actor": principal.actor, "role": role, "reason": c.reason, "channel": principal.channel,
                         **({"os_user": principal.os_user} if principal.os_user else {})},
                        Recovery, "recovery", ports.rules(now))
    try:
        if any(isinstance(r.fact, CaseClosed) for r in facts):
            raise NotOpen(f"case {c.case_id} is closed: there is nothing to recover")
        client = await ports.temporal(worker=True)
        halted = await stopped.stopped(client, c.case_id)
        if halted is None:
            raise NotOpen(f"case {c.case_id} is running: there is nothing to recover")
        setup = await stopped.run_setup(client, halted, sealing_key(ports.settings)) or stopped.setup_from_store(
            ports.settings, c.case_id, facts[0].fact)
        if setup is None:
            raise Unavailable(f"case {c.case_id} cannot be recovered by this version of Safeguard: its stopped run "
                              f"({halted.run_id}) cannot say what policy the case decided under, and the pathway it "
                              f"was raised under ({facts[0].fact.pathway_version}) is no longer the one in force")
    except Refusal as e:
        audit(ports, principal, "write", False, case_id=c.case_id, service=service, reason=f"recovery refused: {e.message}")
        raise
    state = stopped.state_from_store(ports.records, c.case_id, setup.policy)
    start = CaseInput(case_id=c.case_id, concern=state.concern, clock_offset=setup.start.clock_offset,
                      history_limit=setup.start.history_limit, resume=state,
                      recovery=recovery.model_copy(update={"stopped_run_id": halted.run_id}))
    handle = await stopped.restart(client, ports.settings.task_queue, start)
    audit(ports, principal, "write", True, case_id=c.case_id, service=service, reason=f"recovered ({halted.status})")
    return Recovered(c.case_id, halted.run_id, halted.status, handle.result_run_id or "")
