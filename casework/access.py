"""Who may do what, for every use case: which role a principal acts as (through
`domain/access.py`, never a copy of it), each refusal audited and raised as a typed refusal, and
the access log's line for what was allowed.

Who may complete an open step (its role and any role it has escalated to) and the role each
escalation was raised to are read from the case's own facts in the event store, folded by the
`live_cases` read model (the one the dashboard and deadlines use) in memory: current, as every
fact is stored before the request that made it is answered, and with no round trip to a worker.
A step not open there takes its role from the pathway in force. The case's decider checks the
role again when it records, so a stale answer can only refuse, never let a wrong role through.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from casework.ports import Ports
from casework.refusals import Invalid, NotFound, NotPermitted
from domain.access import (
    COMMISSIONER,
    CONTRACT_MANAGER,
    Decision,
    Principal,
    may_acknowledge,
    may_act_at,
    may_act_in_organisation,
    may_complete,
    may_read_case,
)
from domain.facts import ConcernRaised
from domain.governance_actions import replay_action
from domain.pathway import current_pathway
from eventstore.application import SafeguardingRecords
from eventstore.audit import action_stream
from eventstore.events import Recorded
from projections.dashboard import LiveCases
from projections.documents import MemoryDocuments
from projections.feed import fold

PROCESS_ROLES = (COMMISSIONER, CONTRACT_MANAGER)


def case_service(records: SafeguardingRecords, case_id: str, facts: list[Recorded] | None = None) -> str | None:
    """The service a case is at, from its first fact (of `facts`, when already read); None for an unknown case."""
    first = facts[:1] if facts is not None else records.stored_facts(case_id, lte=1) if len(case_id) <= 64 else []
    return first[0].fact.concern.service.id if first and isinstance(first[0].fact, ConcernRaised) else None


def live_case(facts: list[Recorded]) -> dict[str, Any] | None:
    """The case as `live_cases` holds it, folded from its own facts (closed: nothing open on it but a
    decision's review a correction opened, and None once none is)."""
    if not facts:
        return None
    docs = MemoryDocuments()
    fold(LiveCases(), docs, facts, None)
    return docs.read(LiveCases.name, [facts[0].stream]).get(facts[0].stream)


def completion_decision(records: SafeguardingRecords, principal: Principal, case_id: str, service: str, step: str,
                        occurrence: int | None, facts: list[Recorded] | None = None) -> Decision:
    facts = records.stored_facts(case_id) if facts is None else facts
    case = live_case(facts)
    open_steps = sorted((s for s in (case or {}).get("open_steps", {}).values()
                         if s["step"] == step and occurrence in (None, s["occurrence"])), key=lambda s: s["occurrence"])
    pathway_step = current_pathway().step(step)
    if open_steps:  # the earliest open occurrence, as the case takes it
        holders = [open_steps[0]["role"], *open_steps[0]["escalated_to"]]
    elif pathway_step is not None:
        # done already: whoever did it (perhaps in a role it had escalated to) may send it again, and be
        # answered "already done" (or, with its Idempotency-Key, with the first answer), not refused
        holders = [pathway_step.role, *(r.fact.role for r in facts if r.type == "StepCompleted" and r.fact.step == step)]
    else:  # an unknown step: let the case name its steps, to anyone allowed to act there
        holders = list(principal.roles_at(service))[:1]
    return may_complete(principal, service, step, holders)


def acknowledgement_decision(records: SafeguardingRecords, principal: Principal, case_id: str, service: str,
                             escalation_id: str) -> Decision:
    case = live_case(records.stored_facts(case_id))
    escalation = (case or {}).get("escalations", {}).get(escalation_id)
    # an escalation the case does not hold: let the case say so, to anyone allowed to act there
    to_role = escalation["to_role"] if escalation else (principal.roles_at(service) or ("",))[0]
    return may_acknowledge(principal, service, escalation_id, to_role)


def raised_by(principal: Principal, data: dict[str, Any]) -> tuple[dict[str, Any], Decision | None]:
    """A concern body with `raised_by` set to the principal, in the first role they hold at its
    service, and that decision (None while the body names no service: validation says so).
    A body giving its own `raised_by` is Invalid (the local operator names it with --actor and --as)."""
    if "raised_by" in data and not principal.operator:
        raise Invalid("raised_by comes from who you are signed in as: leave it out of the concern")
    service = data["service"].get("id") if isinstance(data.get("service"), dict) else None
    if not isinstance(service, str):
        return data, None
    decision = may_act_at(principal, service, "raise a concern")
    if decision and not principal.operator:
        data = {**data, "raised_by": {"actor": principal.user_id, "role": decision.role}}
    return data, decision


def process_step_decision(principal: Principal, status: Any, process: Any, step: str) -> Decision:
    """Who may record a step of a provider-concern process (004): the roles the open step names
    (its own and any it has escalated to, as the process's status says), else those the process
    definition gives it; for an unknown step, any process role held, so the process names its steps."""
    open_step = next((o for o in status.open_steps if o.step == step), None)
    defined = process.step(step)
    roles = list(open_step.can_record) if open_step else list(defined.roles()) if defined else \
        [a.role for a in principal.assignments if a.role in PROCESS_ROLES][:1] or list(PROCESS_ROLES)
    return may_act_in_organisation(principal, roles, f"record {_titled(defined, step)} for {status.service_id}")


def _titled(defined: Any, step: str) -> str:
    """A process step by its title ('the step Proposal review'), else its id in words."""
    title = getattr(defined, "title", "") or step.replace("_", " ")
    return f"the step {title}"


def action_decision(records: SafeguardingRecords, principal: Principal, ref: str) -> Decision | None:
    """Who may complete an action a governance audit raised: its owner's role or one it escalated
    to, as the action's own facts say (None: no such action)."""
    state = replay_action([r.fact for r in records.stream(action_stream(ref))]) if len(ref) <= 200 else None
    if state is None:
        return None
    return may_act_in_organisation(principal, state.can_complete, f"complete action {ref}")


# ---- the access log, and refusals ------------------------------------------------------------------


def audit(ports: Ports, principal: Principal | None, action: str, allowed: bool, case_id: str | None = None,
          service: str | None = None, reason: str | None = None, target: str | None = None) -> None:
    """One line of the access log: who (and from where, by which route or command), what, allowed or not.
    The local operator's reads are not logged: they hold the store's files, and a read must answer
    while the store cannot be written (their writes and exports are logged)."""
    if principal is not None and principal.operator and action == "read":
        return
    ports.accounts.audit(
        principal.user_id if principal else None, action, (principal.request if principal else None) or "",
        allowed, case_id=case_id, service=service or None, target=target, reason=reason,
        address=principal.address if principal else None, channel=principal.channel if principal else "api",
        token_id=principal.token_id if principal else None)


def audit_reads(ports: Ports, principal: Principal, lines: list[dict[str, Any]]) -> None:
    """Several reads in the access log at once (each a dict of `audit`'s case_id, service, target): one write."""
    if principal.operator:
        return
    ports.accounts.audit_lines([{
        "user_id": principal.user_id, "action": "read", "what": principal.request or "", "allowed": True,
        "address": principal.address, "channel": principal.channel, "token_id": principal.token_id,
        **line} for line in lines])


def allowed(ports: Ports, principal: Principal, decision: Decision, case_id: str | None = None,
            service: str | None = None) -> str | None:
    """The role to act as, or NotPermitted (audited) saying what is missing."""
    if not decision:
        audit(ports, principal, "refused", False, case_id=case_id, service=service, reason=decision.reason)
        raise NotPermitted(decision.reason)
    return decision.role


def visible_case(ports: Ports, principal: Principal, case_id: str, now: datetime, action: str | None = "read",
                 facts: list[Recorded] | None = None, by_workflow: bool = False) -> tuple[str, Decision]:
    """The case's service if the principal may read the case (audited as `action`, when given); else
    NotFound, as an unknown case is answered (the refusal, with its reason, is audited). The local
    operator asking the case's workflow (`by_workflow`: a command, its status) about a case the store
    does not hold (yet) is answered by the workflow (service "")."""
    service = case_service(ports.records, case_id, facts)
    if service is None and principal.operator and by_workflow:  # not in the store (yet): the case's workflow answers
        return "", Decision(True, role=principal.acting_as())
    if service is None:
        audit(ports, principal, "refused", False, case_id=case_id, reason=f"no case {case_id}")
        raise NotFound(f"no case {case_id}")
    decision = may_read_case(principal, case_id, service, now)
    if not decision:
        audit(ports, principal, "refused", False, case_id=case_id, service=service, reason=decision.reason)
        raise NotFound(f"no case {case_id}")
    if action:
        audit(ports, principal, action, True, case_id=case_id, service=service)
    return service, decision
