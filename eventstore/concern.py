"""The Concern aggregate: one per safeguarding case, changed only by its events.

Each method is named after what happened and takes the fact's fields as JSON-ready
values (instants as ISO 8601 strings), so stored events read back exactly as written.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, NAMESPACE_URL, uuid5

from eventsourcing.domain import Aggregate, event

CASE_NAMESPACE = uuid5(NAMESPACE_URL, "https://safeguard.invalid/case")


def concern_id(case_id: str) -> UUID:
    return uuid5(CASE_NAMESPACE, case_id)


class Concern(Aggregate):
    @staticmethod
    def create_id(case_id: str, **_: Any) -> UUID:
        return concern_id(case_id)

    @event("ConcernRaised")
    def __init__(
        self,
        case_id: str,
        at: str,
        concern: dict[str, Any],
        pathway: str,
        pathway_version: str,
        calendar: dict[str, Any],
        threshold_profile: str,
    ) -> None:
        self.case_id = case_id
        self.service_id = concern["service"]["id"]
        self.status = "open"
        self.open_steps: dict[str, str | None] = {}

    @event("ServiceHistoryAttached")
    def service_history_attached(self, at: str, service_id: str, history: dict[str, Any] | None) -> None:
        pass

    @event("StepOpened")
    def step_opened(
        self, at: str, step: str, occurrence: int, role: str, clock_from: str,
        due: str | None, deadline: str, holiday_table: str | None, reason: str,
    ) -> None:
        self.open_steps[f"{step}#{occurrence}"] = due

    @event("StepCompleted")
    def step_completed(
        self, at: str, step: str, occurrence: int, role: str, actor: str,
        record: dict[str, Any], due: str | None, on_time: bool | None,
    ) -> None:
        self.open_steps.pop(f"{step}#{occurrence}", None)

    @event("DeadlineMissed")
    def deadline_missed(self, at: str, step: str, occurrence: int, role: str, due: str) -> None:
        pass

    @event("Escalated")
    def escalated(
        self, at: str, escalation_id: str, step: str, occurrence: int, cause: str, reason: str,
        from_role: str, to_role: str, next_escalation_due: str | None,
    ) -> None:
        pass

    @event("EscalationAcknowledged")
    def escalation_acknowledged(self, at: str, escalation_id: str, role: str, actor: str, note: str | None) -> None:
        pass

    @event("DevelopmentRecorded")
    def development_recorded(
        self, at: str, development: int, kind: str, summary: str, actor: str | None, role: str | None
    ) -> None:
        pass

    @event("ThresholdDecisionFiled")
    def threshold_decision_filed(self, at: str, decision: dict[str, Any]) -> None:
        pass

    @event("ThresholdDecisionOverridden")
    def threshold_decision_overridden(self, at: str, actor: str, role: str, tool_level: str, reason: str) -> None:
        pass

    @event("CaseConcluded")
    def concluded(self, at: str, actor: str, role: str, reason: str) -> None:
        self.status = "concluded"

    @event("StepWithdrawn")
    def step_withdrawn(self, at: str, step: str, occurrence: int, reason: str) -> None:
        self.open_steps.pop(f"{step}#{occurrence}", None)

    @event("CaseClosed")
    def closed(self, at: str, outcome: str, actor: str, role: str) -> None:
        self.status = "closed"


# fact type -> the aggregate method that records it (ConcernRaised creates the aggregate)
RECORDERS = {
    "ServiceHistoryAttached": Concern.service_history_attached,
    "StepOpened": Concern.step_opened,
    "StepCompleted": Concern.step_completed,
    "DeadlineMissed": Concern.deadline_missed,
    "Escalated": Concern.escalated,
    "EscalationAcknowledged": Concern.escalation_acknowledged,
    "DevelopmentRecorded": Concern.development_recorded,
    "ThresholdDecisionFiled": Concern.threshold_decision_filed,
    "ThresholdDecisionOverridden": Concern.threshold_decision_overridden,
    "CaseConcluded": Concern.concluded,
    "StepWithdrawn": Concern.step_withdrawn,
    "CaseClosed": Concern.closed,
}
