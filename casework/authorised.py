"""Which role a principal acts as on a case: the API, the pages and the CLI in production mode
all decide through here and `domain/access.py`, never a copy of either.

Who may complete an open step (its role and any role it has escalated to) and the role each
escalation was raised to are read from the case's own facts in the event store, folded by the
`live_cases` read model (the one the dashboard and deadlines use) in memory: current, as every
fact is stored before the request that made it is answered, and with no round trip to a worker.
A step not open there takes its role from the pathway in force. The case's decider checks the
role again when it records, so a stale answer can only refuse, never let a wrong role through.
"""

from __future__ import annotations

from typing import Any

from domain.access import Decision, Principal, may_acknowledge, may_complete
from domain.facts import ConcernRaised
from domain.pathway import current_pathway
from eventstore.application import SafeguardingRecords
from eventstore.events import Recorded
from projections.dashboard import LiveCases
from projections.documents import MemoryDocuments
from projections.feed import fold


def case_service(records: SafeguardingRecords, case_id: str) -> str | None:
    """The service a case is at, from its first fact; None for an unknown case."""
    first = records.stored_facts(case_id, lte=1) if len(case_id) <= 64 else []
    return first[0].fact.concern.service.id if first and isinstance(first[0].fact, ConcernRaised) else None


def live_case(facts: list[Recorded]) -> dict[str, Any] | None:
    """The case as `live_cases` holds it, folded from its own facts; None once closed."""
    if not facts:
        return None
    docs = MemoryDocuments()
    fold(LiveCases(), docs, facts, None)
    return docs.read(LiveCases.name, [facts[0].stream]).get(facts[0].stream)


def completion_decision(records: SafeguardingRecords, principal: Principal, case_id: str, service: str, step: str,
                        occurrence: int | None) -> Decision:
    case = live_case(records.stored_facts(case_id))
    open_steps = sorted((s for s in (case or {}).get("open_steps", {}).values()
                         if s["step"] == step and occurrence in (None, s["occurrence"])), key=lambda s: s["occurrence"])
    pathway_step = current_pathway().step(step)
    if open_steps:  # the earliest open occurrence, as the case takes it
        holders = [open_steps[0]["role"], *open_steps[0]["escalated_to"]]
    elif pathway_step is not None:
        holders = [pathway_step.role]
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
