"""A small driver that runs real cases on the time-skipping server, for tests to read like a story."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings
from domain.concern import ConcernBody, Development, StepAmendment, StepCompletion
from eventstore.application import SafeguardingRecords
from projections.case_history import escalations, step_occurrences
from casework.temporal.cases import raise_concern
from domain.case import CaseStatus, StepReceipt
from simulation.runner import CaseClock
from workflows.concern import SafeguardingConcernWorkflow

# One valid record per step: tests change only what they are about.
RECORDS: dict[str, dict[str, Any]] = {
    "record_concern": {"behaviour_observed": "blocked the lounge door", "initiated_by": "A-204", "presentation": "tearful"},
    "peer_risk_review": {"source_still_has_access": False, "repeated_or_targeted": True, "other_adult_affected": False, "source_also_adult_at_risk": False},
    "seriousness_assessment": {"frequency_of_similar_incidents": 2, "power_imbalance": "significant", "fear_or_avoidance": True},
    "route_decision": {"abuse_category": "psychological", "location_of_risk": "care_home_residential", "source_of_risk": "other_known_to_individual", "humiliation": True, "coercion": False, "exploitation": False, "external_threshold_met": True},
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
    "closure_learning_review": {"substantiation_outcome": "substantiated", "action_completion_rate": 100, "lessons": "recognise seat-changing as avoidance", "outcomes_achieved": "fully", "risk_outcome": "reduced"},
    "views_and_wishes": {"asked_about_outcomes": "yes_outcomes_expressed", "outcomes_expressed": "to feel safe in the lounge"},
    "capacity_and_advocacy": {"decisions_in_hand": "seating and lounge use", "adult_may_lack_capacity": False, "source_may_lack_capacity": False},
    "inform_family": {"family_informed": True, "who_was_informed": "daughter (next of kin)", "informed_at": "2027-01-12T11:30:00+00:00"},
    "source_protection_plan": {"protection_measures": "1:1 support in the afternoons", "care_plan_updated": True},
    "mediation": {"mediation_offered": True, "mediation_by": "internal", "mediation_outcome": "both agreed separate lounge times"},
    "la_consultation": {"consulted": "LA Adult Social Care duty desk", "consulted_at": "2027-01-12T11:30:00+00:00", "advice": "manage internally with a plan", "decision": "lower_level_plan"},
    "intervention_plan": {"intervention": "seating plan and staff prompts", "added_to_care_plan": True, "review_interval_days": 5},
    "intervention_review": {"no_longer_needed": True, "review": "no further incidents"},
    "notify_police": {"reference": "CAD-1234", "contacted": "police 101 desk", "contacted_at": "2027-01-12T11:10:00+00:00", "response": "officer to visit"},
    "notify_emergency_services": {"reference": "AMB-77", "contacted": "999 ambulance", "contacted_at": "2027-01-12T11:05:00+00:00", "response": "crew attended"},
    "notify_childrens_services": {"reference": "CS-9", "contacted": "children's services front door", "contacted_at": "2027-01-12T11:20:00+00:00", "response": "referral accepted"},
    "la_response": {"referral_received_at": "2027-01-12T11:20:00+00:00", "la_decision": "section_42_enquiry", "la_decided_at": "2027-01-13T15:00:00+00:00"},
    "la_enquiry_outcome": {"enquiry_concluded_at": "2027-02-20T12:00:00+00:00", "risk_assessment_outcome": "risk_identified_action_taken", "enquiry_risk_outcome": "reduced", "lacked_capacity": "no"},
    "notify_regulator": {"reference": "CQC-INC-1", "source_reference": "CQC-INC-2", "contacted": "CQC online notification", "contacted_at": "2027-01-12T10:00:00+00:00", "response": "acknowledged"},
}

ROLES = {
    "record_concern": "senior_support_worker", "peer_risk_review": "team_leader", "seriousness_assessment": "registered_manager",
    "route_decision": "designated_safeguarding_lead", "protection_plan": "team_leader", "implementation_check": "team_leader",
    "chronology_update": "safeguarding_administrator", "pattern_impact_review": "registered_manager",
    "service_risk_review": "operations_director", "external_referral": "designated_safeguarding_lead",
    "follow_up_plan": "registered_manager", "follow_up_review": "registered_manager",
    "chronology_development": "safeguarding_administrator", "live_case_oversight": "operations_director",
    "conclude_case": "designated_safeguarding_lead", "closure_learning_review": "quality_safeguarding_lead",
    "views_and_wishes": "registered_manager", "capacity_and_advocacy": "registered_manager",
    "source_protection_plan": "team_leader", "mediation": "registered_manager",
    "la_consultation": "designated_safeguarding_lead", "intervention_plan": "registered_manager",
    "intervention_review": "registered_manager", "notify_police": "designated_safeguarding_lead",
    "notify_emergency_services": "designated_safeguarding_lead", "notify_childrens_services": "designated_safeguarding_lead",
    "notify_regulator": "registered_manager", "la_response": "designated_safeguarding_lead",
    "la_enquiry_outcome": "designated_safeguarding_lead", "inform_family": "registered_manager",
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

    async def amend(self, step: str, reason: str = "recorded in error", *, occurrence: int = 1, role: str | None = None,
                    actor: str = "STAFF-1", request_id: str | None = None, **changes: Any) -> int:
        a = StepAmendment(step=step, occurrence=occurrence, changes=changes, reason=reason, actor=actor,
                          role=role or ROLES[step], request_id=request_id)
        return await self.handle.execute_update(SafeguardingConcernWorkflow.amend_step, a)

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

    async def alerts_settled(self, within_s: float = 120.0) -> None:
        """Once every alert raised has its outcome recorded (they are sent off the staff's path): a
        test counting facts then sees no alert still arriving. A bound for what never happens."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            facts = [f.fact for f in self.facts()]
            raised = {f.alert_id for f in facts if f.type == "AlertRaised"}
            done = {f.alert_id for f in facts if f.type in ("AlertSent", "AlertNotDelivered")}
            if raised <= done:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"alerts on {self.id} still unsent after {within_s}s")

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
