"""A small driver that runs real cases on the time-skipping server, for tests to read like a story."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from domain.concern import ConcernBody, Development, StepCompletion
from eventstore.application import SafeguardingRecords
from projections.case_history import escalations, step_occurrences
from casework.commands import raise_concern
from domain.case import CaseStatus, StepReceipt
from simulation.runner import CaseClock
from workflows.concern import SafeguardingConcernWorkflow

# One valid record per step: tests change only what they are about.
RECORDS: dict[str, dict[str, Any]] = {
    "record_concern": {"behaviour_observed": "blocked the lounge door", "initiated_by": "A-204", "presentation": "tearful"},
    "peer_risk_review": {"source_still_has_access": False, "repeated_or_targeted": True, "other_adult_affected": False},
    "seriousness_assessment": {"frequency_of_similar_incidents": 2, "power_imbalance": "significant", "fear_or_avoidance": True},
    "route_decision": {"abuse_category": "psychological", "humiliation": True, "coercion": False, "exploitation": False, "external_threshold_met": True},
    "protection_plan": {"separation_measures": "separate dining times", "shared_space_restrictions": "lounge supervised", "supervision_arrangements": "1:1 in communal areas"},
    "implementation_check": {"implemented": True},
    "chronology_update": {"prior_linked_incidents": "two on 3 and 9 Dec", "access_changes": "lounge supervised", "previous_interventions": "verbal prompts"},
    "pattern_impact_review": {"source_targeted_others_before": False, "routines_changed": True, "wellbeing_deteriorated": True},
    "service_risk_review": {"staffing_adequate": True, "environment_contributed": True, "more_than_one_adult_affected": False},
    "external_referral": {"referred_at": "2027-01-12T11:00:00+00:00", "receiving_authority": "LA safeguarding hub", "rationale": "repeated targeting with fear", "receipt_confirmed": True},
    "follow_up_plan": {"supervision_arrangements": "1:1 in communal areas", "contact_restrictions": "no unsupervised contact", "welfare_review_frequency": "daily"},
    "follow_up_review": {"stabilised": True},
    "chronology_development": {"development": "agency call", "agency_contact": "LA hub", "action_deadlines": "strategy meeting by Friday"},
    "live_case_oversight": {"unresolved_targeting_risk": False, "overdue_protective_actions": False, "supervision_weak": False},
    "conclude_case": {"reason": "enquiry concluded, protection stable"},
    "closure_learning_review": {"substantiation_outcome": "substantiated", "action_completion_rate": 100, "lessons": "recognise seat-changing as avoidance"},
}

ROLES = {
    "record_concern": "senior_support_worker", "peer_risk_review": "team_leader", "seriousness_assessment": "registered_manager",
    "route_decision": "designated_safeguarding_lead", "protection_plan": "team_leader", "implementation_check": "team_leader",
    "chronology_update": "safeguarding_administrator", "pattern_impact_review": "registered_manager",
    "service_risk_review": "operations_director", "external_referral": "designated_safeguarding_lead",
    "follow_up_plan": "registered_manager", "follow_up_review": "registered_manager",
    "chronology_development": "safeguarding_administrator", "live_case_oversight": "operations_director",
    "conclude_case": "designated_safeguarding_lead", "closure_learning_review": "quality_safeguarding_lead",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Case:
    def __init__(self, driver: "CaseDriver", handle: WorkflowHandle, clock: CaseClock) -> None:
        self.driver, self.handle, self.clock, self.id = driver, handle, clock, handle.id

    async def at(self, instant: str) -> "Case":
        await self.clock.advance_to(at(instant))
        return self

    async def complete(self, step: str, *, role: str | None = None, actor: str = "STAFF-1", **changes: Any) -> StepReceipt:
        record = {**RECORDS[step], **changes}
        c = StepCompletion(step=step, role=role or ROLES[step], actor=actor, record=record)
        return await self.handle.execute_update(SafeguardingConcernWorkflow.complete_step, c)

    async def attempt(self, step: str, role: str | None = None, record: Any = None, **kw: Any) -> StepReceipt:
        c = StepCompletion(step=step, role=role or ROLES.get(step, "team_leader"), actor="STAFF-1", record=RECORDS.get(step, {}) if record is None else record, **kw)
        return await self.handle.execute_update(SafeguardingConcernWorkflow.complete_step, c)

    async def development(self, kind: str = "agency_contact", summary: str = "LA hub called back") -> int:
        return await self.handle.execute_update(SafeguardingConcernWorkflow.record_development, Development(kind=kind, summary=summary))

    async def status(self) -> CaseStatus:
        return await self.handle.query(SafeguardingConcernWorkflow.status)

    def facts(self):
        return self.driver.records.stored_facts(self.id)

    def steps(self) -> list[dict[str, Any]]:
        return step_occurrences(self.facts())

    def step(self, step: str, occurrence: int = 1) -> dict[str, Any]:
        return next(r for r in self.steps() if r["step"] == step and r["occurrence"] == occurrence)

    def escalations(self) -> list[dict[str, Any]]:
        return escalations(self.facts())

    def types(self) -> list[str]:
        return [f.type for f in self.facts()]

    async def recorded(self, fact_type: str, within_s: float = 10.0) -> list[Any]:
        """The case's facts of a type, once one is stored (the service's history is attached after
        the raise answers, off the member of staff's path)."""
        for _ in range(int(within_s / 0.05)):
            if found := [f for f in self.facts() if f.type == fact_type]:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {fact_type} recorded on {self.id} within {within_s}s")


class CaseDriver:
    def __init__(self, env: WorkflowEnvironment, settings: Settings, records: SafeguardingRecords) -> None:
        self.env, self.settings, self.records = env, settings, records
        self.handles: list[WorkflowHandle] = []

    async def raise_concern(self, body: dict[str, Any], history_limit: int = 10_000) -> Case:
        concern = ConcernBody.model_validate(body)
        clock = CaseClock(self.env, concern.identified_at - await self.env.get_current_time())
        await raise_concern(self.env.client, self.settings.task_queue, concern, now=await clock.now(),
                            clock_offset=clock.offset, history_limit=history_limit)
        handle = self.env.client.get_workflow_handle(concern.case_id)
        self.handles.append(handle)
        return Case(self, handle, clock)

    async def terminate_open_cases(self) -> None:
        for h in self.handles:
            try:
                await h.terminate("test finished")
            except Exception:
                pass  # already closed
