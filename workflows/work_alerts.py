"""Telling an escalation of tracked work other than a case (a governance action, a provider
process), as both their workflows do (issue 20): the alert sent as a case's is, and its outcome
as the one `WorkAlerted` fact the work's stream records. Runs inside the workflow that escalated."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.alert_activities import AlertActivities, AlertOutcome, AlertRequest
    from domain.facts import Told, WorkAlerted

from workflows.concern import ALERTS_FROM_START, DELIVER  # noqa: E402,F401  (DELIVER: tried with back-off; after the last try, not delivered)


async def tell(request: AlertRequest, now: Callable[[], datetime]) -> WorkAlerted:
    alert_id, role = request.escalation_id, request.to_role
    try:
        outcome: AlertOutcome = await workflow.execute_activity_method(AlertActivities.deliver, request, **DELIVER)
    except ActivityError:
        return WorkAlerted(at=now(), alert_id=alert_id, to_role=role, not_delivered="not sent after every retry")
    return WorkAlerted(at=now(), alert_id=alert_id, to_role=role, told=tuple(Told(**s.model_dump()) for s in outcome.sent),
                       not_delivered="nobody who would be alerted could be reached" if outcome.nobody else None)
