"""Which role a principal acts as on a case, asked of the case itself: the API, the pages and the
CLI in production mode all decide through here and `domain/access.py`, never a copy of either.

The case's status (its workflow's query) names who can complete each open step (its role and any
role it has escalated to) and the role each escalation was raised to; the pathway in force names
the role of a step not yet open. The case's decider checks the role again when it records.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client

from casework import queries
from domain.access import Decision, Principal, may_acknowledge, may_complete
from domain.facts import ConcernRaised
from domain.pathway import current_pathway
from eventstore.application import SafeguardingRecords


def case_service(records: SafeguardingRecords, case_id: str) -> str | None:
    """The service a case is at, from its first fact; None for an unknown case."""
    first = records.stored_facts(case_id, lte=1) if len(case_id) <= 64 else []
    return first[0].fact.concern.service.id if first and isinstance(first[0].fact, ConcernRaised) else None


async def completion_decision(client: Client, principal: Principal, case_id: str, service: str, step: str,
                              occurrence: int | None, task_queue: str, within: timedelta | None) -> Decision:
    status = await queries.case_status(client, case_id, within, task_queue)
    open_step = next((s for s in status.open_steps if s.step == step and occurrence in (None, s.occurrence)), None)
    pathway_step = current_pathway().step(step)
    if open_step is not None:
        holders = list(open_step.can_complete)
    elif pathway_step is not None:
        holders = [pathway_step.role]
    else:  # an unknown step: let the case name its steps, as it does to anyone allowed to act there
        holders = list(principal.roles_at(service))[:1]
    return may_complete(principal, service, step, holders)


async def acknowledgement_decision(client: Client, principal: Principal, case_id: str, service: str, escalation_id: str,
                                   task_queue: str, within: timedelta | None) -> Decision:
    status = await queries.case_status(client, case_id, within, task_queue)
    escalation = next((e for e in status.escalations if e.escalation_id == escalation_id), None)
    # an escalation the case does not hold: let the case say so to anyone allowed to act there
    to_role = escalation.to_role if escalation else (principal.roles_at(service) or ("",))[0]
    return may_acknowledge(principal, service, escalation_id, to_role)
