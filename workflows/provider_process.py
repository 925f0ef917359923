"""One provider service's concern process (004), kept as a durable workflow: the clerk of
`domain/provider_process/`.

The decisions are pure functions; this workflow holds the lock they run under, one timer for the
next due instant (a written notice, a review date, informing neighbouring commissioners, an
action of the plan), and the I/O they need as local activities: the policy in force and the
service's commissioner record (when opening and deciding), and the append to the event store,
keyed on the process's version so a retry never duplicates a fact. Commissioners and contract
managers act through updates whose validators reject a bad request before anything is recorded.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.alert_activities import AlertActivities, AlertRequest
    from activities.case_activities import CaseActivities
    from activities.models import HolidayRequest
    from activities.process_activities import ContextRequest, ProcessActivities, ProcessBatch
    from domain.case.policy import YEARS_AHEAD
    from domain import provider_process as decider
    from domain.case.decide import recorded_as_decided
    from domain.facts import Fact
    from domain.process_facts import ProcessDeadlineMissed, ProcessEscalated, ProcessStepRecorded
    from domain.provider_concerns import COMMISSIONER
    from domain.provider_process import (
        Decide,
        DismissProposal,
        OpenProcess,
        ProcessState,
        ProcessStatus,
        ProposeProcess,
        RecordStep,
    )

# the case workflow's: local activities retried on a timer, a rare idle wake-up, Rejected as the client sees it
from workflows import work_alerts  # noqa: E402
from workflows.concern import ALERTS_FROM_START, IDLE_WAKEUP, LOCAL, rejections  # noqa: E402



class ProcessInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    process_id: str
    service_id: str
    clock_offset: timedelta = timedelta(0)  # tests run a process on a scenario's clock
    history_limit: int = 10_000
    resume: ProcessState | None = None  # set by continue-as-new


@workflow.defn(name="ProviderConcernProcessWorkflow")
class ProviderConcernProcessWorkflow:
    @workflow.init
    def __init__(self, p: ProcessInput) -> None:
        self.input = p
        self.state: ProcessState = p.resume or decider.new_process(p.process_id, p.service_id)
        self._lock = asyncio.Lock()
        self._changed = False
        self._alerting: bool | None = None  # None: not yet asked this run (issue 20)
        self._from_start = False  # the run alerts from its start (set by its first task)

    @workflow.run
    async def run(self, p: ProcessInput) -> dict[str, Any]:
        self._from_start = workflow.patched(ALERTS_FROM_START)  # before any activity (workflows/concern.py)
        while self.state.status != "closed":
            await self._tell()
            if self._should_continue_as_new():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(p.model_copy(update={"resume": self.state}))
            self._changed = False
            try:
                await workflow.wait_condition(lambda: self._changed, timeout=self._until_next_wakeup())
            except asyncio.TimeoutError:
                pass
            async with self._lock:
                await self._clock_first(self._now())
        await workflow.wait_condition(workflow.all_handlers_finished)
        return {"process_id": self.state.process_id, "status": "closed",
                "decision": self.state.decision.outcome if self.state.decision else None, "events": self.state.seq}

    # ---- requests --------------------------------------------------------------------------

    @workflow.update
    async def propose(self, p: ProposeProcess) -> ProcessStatus:
        async with self._lock:
            await self._record(decider.decide_propose(self.state, p, self._now()))
        return self.status()

    @propose.validator
    def _validate_propose(self, p: ProposeProcess) -> None:
        """Nothing to refuse (a proposal already made is left as it is): the seal is checked here."""

    @workflow.update
    async def open_process(self, c: OpenProcess) -> ProcessStatus:
        async with self._lock:
            now = self._now()
            with rejections():
                decider.check_open(self.state, c, COMMISSIONER)
            ctx = await self._context(now)
            with rejections():
                facts = decider.decide_open(self.state, c, ctx.process, ctx.calendar, ctx.holidays, ctx.history, now)
            await self._record(facts, answering=True)
        return self.status()

    @open_process.validator
    def _validate_open(self, c: OpenProcess) -> None:
        with rejections():
            decider.check_open(self.state, c, COMMISSIONER)

    @workflow.update
    async def dismiss(self, c: DismissProposal) -> ProcessStatus:
        async with self._lock:
            with rejections():
                facts = decider.decide_dismiss(self.state, c, COMMISSIONER, self._now())
            await self._record(facts, answering=True)
        return self.status()

    @dismiss.validator
    def _validate_dismiss(self, c: DismissProposal) -> None:
        with rejections():
            decider.check_dismiss(self.state, c, COMMISSIONER)

    @workflow.update
    async def record_step(self, c: RecordStep) -> ProcessStatus:
        async with self._lock:
            now = self._now()
            await self._clock_first(now)  # what fell due before it, first
            with rejections():
                facts = decider.decide_step(self.state, c, now)
            await self._record(facts, answering=True)
        return self.status()

    @record_step.validator
    def _validate_step(self, c: RecordStep) -> None:
        with rejections():
            decider.check_step(self.state, c, self._now())

    @workflow.update
    async def decide(self, c: Decide) -> ProcessStatus:
        async with self._lock:
            now = self._now()
            with rejections():
                decider.check_decision(self.state, c, None, now, history_known=False)
            history = (await self._context(now)).history  # the commissioner record as it stands now
            await self._clock_first(now)
            with rejections():
                facts = decider.decide_decision(self.state, c, history, now)
            await self._record(facts, answering=True)
        return self.status()

    @decide.validator
    def _validate_decide(self, c: Decide) -> None:
        with rejections():
            decider.check_decision(self.state, c, None, self._now(), history_known=False)

    @workflow.query
    def status(self) -> ProcessStatus:
        return decider.status_of(self.state)

    # ---- plumbing --------------------------------------------------------------------------

    async def _tell(self) -> None:
        """Each escalation of the process told to the role it went to (issue 20), as a governance
        action's is: from the first task that runs with alerts, when a channel is set up; the
        process's own re-escalation is the ladder."""
        if self._alerting is None:
            if not (self._from_start or workflow.patched(f"alerts@{self.state.seq}")):
                return
            self._alerting = await workflow.execute_local_activity_method(AlertActivities.alert_policy, **LOCAL) is not None
        if not self._alerting:
            return
        for alert_id, role, item in self.state.escalations_to_tell():
            request = AlertRequest(case_id=self.state.process_id, service_id=self.state.service_id,
                                   service_name=self.state.service_id, escalation_id=alert_id, rung=1, to_role=role,
                                   step_title=item.replace("_", " ").replace(":", ": "), reason="deadline missed", due=None,
                                   at=self._now(), kind="work", what="provider concern process",
                                   path=f"/commissioner/services/{self.state.service_id}")
            fact = await work_alerts.tell(request, self._now)
            async with self._lock:
                await self._record([fact])

    def _now(self) -> datetime:
        return (workflow.now() + self.input.clock_offset).replace(microsecond=0)

    async def _clock_first(self, now: datetime) -> None:
        """Every deadline that fell due by `now` recorded, on a holiday table reaching the year after
        `now`: a process running past the years it opened with takes more (as a case does), the
        table kept in its state and, through the local activity's marker, in its history."""
        table = self.state.holidays
        if table is not None and not (table.covers(now.year) and table.covers(now.year + 1)):
            more = await workflow.execute_local_activity_method(
                CaseActivities.holiday_table, HolidayRequest(calendar=self.state.opened.calendar, first_year=table.first_year,
                                                             last_year=now.year + YEARS_AHEAD), **LOCAL)
            self.state = self.state.model_copy(update={"opened": self.state.opened.model_copy(update={"holidays": more})})
        await self._record(decider.decide_clock(self.state, now))

    async def _context(self, now: datetime):
        return await workflow.execute_local_activity_method(
            ProcessActivities.context, ContextRequest(service_id=self.state.service_id, at=now), **LOCAL)

    async def _record(self, facts: list[Fact], answering: bool = False) -> list[Fact]:
        """Append to the event store at the process's next positions, then evolve by what it holds (as the
        case workflow does: a lost attempt's facts stand; if they record this very request, they answer it)."""
        if not facts:
            return []
        stored = await workflow.execute_local_activity_method(
            ProcessActivities.append, ProcessBatch(process_id=self.state.process_id, first_seq=self.state.seq + 1,
                                                   facts=facts), **LOCAL)
        for fact in stored.facts:
            self.state = decider.evolve(self.state, fact)
            self._log(fact)
        self._changed = True
        if stored.superseded and answering and not recorded_as_decided(facts, stored.facts):
            raise ApplicationError(f"process {self.state.process_id} changed while this was being recorded (a worker "
                                   "restarted): this request was not recorded as sent; check its status and try again",
                                   "conflict", type="Rejected", non_retryable=True)
        return stored.facts

    def _log(self, fact: Fact) -> None:
        ids = {"process_id": self.state.process_id, "service_id": self.state.service_id}
        if isinstance(fact, ProcessStepRecorded):
            workflow.logger.info("process step recorded", extra={**ids, "step": fact.step, "on_time": fact.on_time})
        elif isinstance(fact, ProcessDeadlineMissed):
            workflow.logger.warning("process deadline missed", extra={**ids, "step": fact.item})
        elif isinstance(fact, ProcessEscalated):
            workflow.logger.warning("process escalated", extra={**ids, "step": fact.item, "to_role": fact.to_role})

    def _until_next_wakeup(self) -> timedelta:
        wake = decider.next_wakeup(self.state)
        return IDLE_WAKEUP if wake is None else max(wake - self._now(), timedelta(0))

    def _should_continue_as_new(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > self.input.history_limit
