"""A governance action an audit raised (001 lines 17, 31, 45), kept as tracked work until it is
completed with its evidence (issue 12): the clerk of `domain/governance_actions.py`.

The decisions are pure; the activities that record them (`activities/audit_activities.py`) read
the action's stream and append to it, idempotently. This workflow holds the lock they run under,
the timer for the due instant and each re-escalation, and the update staff complete it through.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.alert_activities import AlertActivities, AlertRequest
    from activities.audit_activities import ActionAlert, ActionClock, ActionCommand, AuditActivities
    from domain.case.rejection import Rejected
    from domain.governance_actions import ActionCompletion, ActionState, check_action_completion, escalations_to_tell

ACTIVITY = dict(start_to_close_timeout=timedelta(seconds=60), retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)))

# an escalation told as a case tells one (workflows/work_alerts.py)
from workflows import work_alerts  # noqa: E402


class ActionInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: str
    clock_offset: timedelta = timedelta(0)  # a rehearsal's or test's clock, as a case's


def action_workflow_id(ref: str) -> str:
    return f"governance-action-{ref}"


@workflow.defn(name="GovernanceActionWorkflow")
class GovernanceActionWorkflow:
    @workflow.init
    def __init__(self, action: ActionInput) -> None:
        self.action = action
        self.state: ActionState | None = None
        self._lock = asyncio.Lock()
        self._changed = False
        self._alerting: bool | None = None  # None: not yet asked this run (issue 20)
        self._from_start = False  # the run alerts from its start (set by its first task)

    @workflow.run
    async def run(self, action: ActionInput) -> ActionState:
        self._from_start = workflow.patched(work_alerts.ALERTS_FROM_START)  # before any activity (workflows/concern.py)
        await self._clock()
        while self.state.status != "completed":
            await self._tell()
            self._changed = False
            wake = self.state.next_wakeup()
            timeout = None if wake is None else max(wake - self._now(), timedelta(0))
            try:
                await workflow.wait_condition(lambda: self._changed, timeout=timeout)
            except asyncio.TimeoutError:
                pass
            if self.state.status != "completed":
                await self._clock()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    @workflow.update
    async def complete(self, c: ActionCompletion) -> ActionState:
        async with self._lock:
            try:
                self.state = await workflow.execute_activity_method(
                    AuditActivities.complete_governance_action, ActionCommand(ref=self.action.ref, now=self._now(), completion=c),
                    **ACTIVITY)
            except ActivityError as e:
                raise ApplicationError(getattr(e.cause, "message", str(e.cause)), *getattr(e.cause, "details", ()), type="Rejected",
                                       non_retryable=True) from None
            self._changed = True
        return self.state

    @complete.validator
    def _validate(self, c: ActionCompletion) -> None:
        if self.state is None:
            raise ApplicationError(f"action {self.action.ref} is still being opened; try again in a moment",
                                   "unavailable", type="Rejected", non_retryable=True)
        try:
            check_action_completion(self.state, c)
        except Rejected as e:
            raise ApplicationError(str(e), e.kind, type="Rejected", non_retryable=True) from None

    @workflow.query
    def status(self) -> ActionState:
        if self.state is None:
            raise ApplicationError("the action is still being opened")
        return self.state

    async def _clock(self) -> None:
        async with self._lock:
            self.state = await workflow.execute_activity_method(
                AuditActivities.governance_action_clock, ActionClock(ref=self.action.ref, now=self._now()), **ACTIVITY)
            self._changed = True

    async def _tell(self) -> None:
        """Each escalation of the action told to the role it went to (issue 20), from the first task
        that runs with alerts (marked with the action's fact count then, so older histories replay),
        when a channel is set up. Its own re-escalation, as the rule elapses again, is the ladder."""
        if self._alerting is None:
            if not (self._from_start or workflow.patched(f"alerts@{self.state.seq}")):
                return
            self._alerting = await workflow.execute_local_activity_method(
                AlertActivities.alert_policy, start_to_close_timeout=timedelta(seconds=10)) is not None
        if not self._alerting:
            return
        for alert_id, role in escalations_to_tell(self.state):
            service = self.state.service or ""
            request = AlertRequest(case_id=self.state.ref, service_id=service, service_name=service,
                                   escalation_id=alert_id, rung=1, to_role=role, step_title=self.state.title,
                                   reason="deadline missed", due=self.state.due, at=self._now(), kind="work",
                                   what="governance action", path="/governance")
            fact = await work_alerts.tell(request, self._now)
            async with self._lock:
                self.state = await workflow.execute_activity_method(
                    AuditActivities.record_action_alert, ActionAlert(ref=self.action.ref, fact=fact), **ACTIVITY)

    def _now(self) -> datetime:
        return (workflow.now() + self.action.clock_offset).replace(microsecond=0)
