"""Governance audits (001 step 5 of each example): `GovernanceAuditWorkflow` decides which
period an audit covers and hands the counting and recording to an activity. The Temporal
Schedules that start it are `schedules/audits.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.audit_activities import AuditActivities
    from domain.governance import AuditRecord, AuditRequest, audit_definition, local_date
    from domain.governance_actions import action_ref
    from workflows.governance_action import ActionInput, GovernanceActionWorkflow, action_workflow_id

# patch marker: an audit run before actions were tracked (issue 12) started no action workflows
TRACKED_ACTIONS = "tracked-governance-actions"

# set by Temporal on a workflow a schedule starts: the nominal time of that run, so a run
# that starts late (worker down, catch-up) still audits the period it was scheduled for
SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
ACTIVITY = dict(start_to_close_timeout=timedelta(minutes=10), retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)))


@workflow.defn(name="GovernanceAuditWorkflow")
class GovernanceAuditWorkflow:
    @workflow.run
    async def run(self, request: AuditRequest) -> AuditRecord:
        requested_at = self._nominal_start()
        as_of = request.as_of or local_date(requested_at)
        record = await workflow.execute_activity_method(
            AuditActivities.run_governance_audit,
            request.model_copy(update={"as_of": as_of, "requested_at": requested_at}), **ACTIVITY
        )
        if workflow.patched(TRACKED_ACTIONS):
            await self._track(record)
        return record

    async def _track(self, record: AuditRecord) -> None:
        """Each action the audit raised, kept by its own workflow until completed (it outlives this one)."""
        definition = audit_definition(record.kind)
        for action in record.actions:
            if definition.action(action.action).due is None:
                continue
            ref = action_ref(record, action)
            try:
                await workflow.start_child_workflow(GovernanceActionWorkflow.run, ActionInput(ref=ref), id=action_workflow_id(ref),
                                                    parent_close_policy=ParentClosePolicy.ABANDON)
            except WorkflowAlreadyStartedError:
                pass  # a re-run of the same audit: the action is already tracked

    def _nominal_start(self) -> datetime:
        return workflow.info().typed_search_attributes.get(SCHEDULED_START) or workflow.now()
