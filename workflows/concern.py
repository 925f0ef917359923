"""One safeguarding concern, kept as a durable workflow: the clerk of `domain/case/`.

The case's decisions are pure functions (`domain/case/decide.py`); this workflow holds the lock
they run under, the timer for the next deadline, and the I/O they need: opening the case (the
policy in force, and the raise decided under it, recorded), the threshold tool's decision, the
append to the event store. Each runs as a local activity, so a member of staff waits for one
task round trip, and its result is kept in history. The service's history of earlier concerns
is attached after the raise has answered. Staff act through updates whose validators reject a bad request before anything is
recorded; the handler decides again under the lock (the case may have moved on since).
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Iterator

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.alert_activities import AlertActivities, AlertOutcome, AlertRequest
    from activities.case_activities import CaseActivities
    from activities.models import FactBatch, HolidayRequest, OpenCase, RestartCheck, ServiceHistoryRequest
    from domain import case as decider
    from domain.case import CaseState, CaseStatus, Rejected, StepReceipt
    from domain.case.policy import YEARS_AHEAD, policy_from_text
    from domain.concern import Acknowledgement, CaseNote, ConcernBody, Development, StepAmendment, StepCompletion
    from domain.facts import Escalated, Fact, StepCompleted
    from domain.threshold import ThresholdDecision
    from workflows.case_input import CaseInput
    from workflows.legacy.case_v1 import LegacyCase
    from workflows.queues import background_queue

DECIDER = "decider"  # patch marker: a history without it began on workflows/legacy and finishes there
# A local activity retries until it succeeds (the event store failing: until it recovers). Past the
# first retry it waits on a timer, so the workflow task ends instead of being held open (and
# heartbeated every 8 s) while it retries: the case still takes updates, which wait under its lock
# and are accepted at once, and answers queries. Only failing attempts take this path, so
# histories where every local activity succeeded replay as before.
LOCAL = dict(start_to_close_timeout=timedelta(seconds=10), retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=10)),
             local_retry_threshold=timedelta(seconds=1))
ACTIVITY = dict(start_to_close_timeout=timedelta(seconds=30), retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)))
IDLE_WAKEUP = timedelta(days=30)  # a case with nothing due still wakes now and then
BACKGROUND = "background-queue"  # patch marker: from here the service's history is read on the background queue
ALERTS = "alerts"  # patch marker, with the fact count it began at: from there the case alerts (issue 20)
# patch marker at a run's first task: the run alerts from its start. A marker keyed by the fact
# count, asked for later in the run, could be asked for in replay in an earlier task than it was
# recorded in (found by the soak under load), so every run since asks once, before any activity
ALERTS_FROM_START = "alerts-from-start"
# patch marker at a run's first task: a new case adopts the alert policy as it opens, in the same
# append as its raise, rather than in two more local activities that the raise's answer waited on
ALERTS_AT_OPEN = "alerts-at-open"
# Sending an alert: tried again with back-off (an SMTP outage delays it, never loses it); after the
# last try it counts as not delivered, and the alert goes one role up. It beats before each message:
# a worker lost mid-send is retried after the heartbeat timeout (longer than one send may take)
DELIVER = dict(start_to_close_timeout=timedelta(seconds=60), heartbeat_timeout=timedelta(seconds=30),
               retry_policy=RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5),
                                        maximum_attempts=12))


@contextmanager
def rejections() -> Iterator[None]:
    try:
        yield
    except Rejected as e:
        raise ApplicationError(str(e), e.kind, type="Rejected", non_retryable=True) from None


@workflow.defn(name="SafeguardingConcernWorkflow")
class SafeguardingConcernWorkflow:
    @workflow.init
    def __init__(self, case: CaseInput) -> None:
        self.case = case
        self.state: CaseState | None = case.resume
        self.legacy: LegacyCase | None = None
        self._lock = asyncio.Lock()
        self._changed = False
        self._alerting = False
        self._from_start = False  # the run alerts from its start (no marker keyed by a fact count)
        self._alerts_asked_at: int | None = None  # escalations raised when this run last asked for the policy
        self._delivering: set[str] = set()  # alert ids being sent now
        # a closed case started again for a correction (issue 22): takes corrections, and the reviews
        # they open, once its start's seal is checked, until none is open
        self._correcting = case.correction
        self._checked = False

    # ---- the case, start to finish -------------------------------------------------------

    @workflow.run
    async def run(self, case: CaseInput) -> dict[str, Any]:
        if not workflow.patched(DECIDER):
            self.legacy = LegacyCase()
            return await self.legacy.run(case)
        self._from_start = self._alerting = workflow.patched(ALERTS_FROM_START)
        if self.state is None:
            await self._raise(workflow.patched(ALERTS_AT_OPEN))
        elif workflow.info().continued_run_id is None:  # started with a state, not continued: only a recovery may
            await workflow.execute_local_activity_method(CaseActivities.check_restart, RestartCheck(
                case_id=case.case_id, concern=case.concern, resume=self.state, recovery=case.recovery, seal=case.seal,
                **({"correction": True} if case.correction else {})), **LOCAL)
            if case.correction:  # a closed case, for the correction its start came with: recorded by its update
                self._correction_start()
            async with self._lock:  # who restarted it from the store's facts, and why, first
                await self._record(decider.decide_recovery(self.state, case.recovery, self._now()) if case.recovery else [])
        self._checked = True
        if case.correction:  # the correction sent with the start answered first: the review it opens keeps the run going
            await workflow.wait_condition(workflow.all_handlers_finished)
        # a closed case runs only for a correction, while a review it opened is open (no history
        # before issue 22 started one, so this changes nothing they replay)
        while self.state.status != "closed" or (self._correcting and self.state.open_steps):
            if not self.state.history_attached and self.state.status != "closed":
                await self._attach_service_history()
            await self._alert()
            if self._should_continue_as_new():
                await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self._delivering)
                workflow.continue_as_new(case.model_copy(update={"resume": self.state}))
            self._changed = False
            try:
                await workflow.wait_condition(lambda: self._changed, timeout=self._until_next_wakeup())
            except asyncio.TimeoutError:
                pass
            async with self._lock:
                now = self._now()
                await self._record(decider.decide_clock(await self._with_holidays(now), now))
        self._correcting = False  # from here a correction starts a run of its own
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self._delivering)
        return {"case_id": self.state.case_id, "status": "closed", "outcome": self.state.outcome, "events": self.state.seq}

    async def _raise(self, alerts_at_open: bool) -> None:
        now = self._now()
        async with self._lock:
            opened = await workflow.execute_local_activity_method(
                CaseActivities.open_case, OpenCase(case_id=self.case.case_id, concern=self.case.concern, at=now,
                                                   last_year=now.year + YEARS_AHEAD, seal=self.case.seal,
                                                   **({"alerts": True} if alerts_at_open else {})), **LOCAL)
            self.state = decider.replay(decider.new_case(self.case.case_id, self.case.concern,
                                                         policy_from_text(opened.policy)), opened.facts)
            if opened.alerts_asked:  # as `_alert` marks its own asking: asked again only at a new escalation
                self._alerts_asked_at = self.state.escalations_raised
            self._changed = True

    async def _attach_service_history(self) -> None:
        """Off the raise's path: the service's earlier concerns and outcomes, read from the commissioner records
        (on the background queue, a few at a time, once the case's history marks it: workflows/queues.py)."""
        queue = {"task_queue": background_queue(workflow.info().task_queue)} if workflow.patched(BACKGROUND) else {}
        history = await workflow.execute_activity_method(
            CaseActivities.service_history, ServiceHistoryRequest(case_id=self.state.case_id, service_id=self.state.concern.service.id),
            **ACTIVITY, **queue)
        async with self._lock:
            await self._record(decider.decide_service_history(self.state, history, self._now()))

    # ---- alerts (issue 20) ---------------------------------------------------------------

    async def _alert(self) -> None:
        """From the first task that runs with alerts (a new case at once; a running case from its
        next task after the upgrade, marked with the fact count then, so its history replays), the
        case adopts the alert policy and sends every alert raised and not yet delivered."""
        if not self._alerting:
            self._alerting = workflow.patched(f"{ALERTS}@{self.state.seq}")
            if not self._alerting:
                return
        if self.state.alert_policy is None:
            # asked once a run, and again at each escalation while no channel was set up (marked,
            # so a history from before asked once and replays so): a channel set up later reaches
            # the next escalation of a case already running
            asked = self._alerts_asked_at
            if asked is not None and not (self.state.escalations_raised > asked and (
                    self._from_start or workflow.patched(f"{ALERTS}-asked-again@{self.state.seq}"))):
                return
            self._alerts_asked_at = self.state.escalations_raised
            policy = await workflow.execute_local_activity_method(AlertActivities.alert_policy, **LOCAL)
            if policy is None:
                return
            async with self._lock:
                await self._record(decider.decide_alerts_adopted(self.state, policy, self._now()))
        for a in decider.pending_alerts(self.state):
            if a.alert_id not in self._delivering:
                self._delivering.add(a.alert_id)
                asyncio.create_task(self._deliver(a.alert_id))

    async def _deliver(self, alert_id: str) -> None:
        try:
            a = next(x for x in self.state.alerts if x.alert_id == alert_id)
            if a.step is not None:  # a deadline approaching
                request = AlertRequest(
                    case_id=self.state.case_id, service_id=self.state.concern.service.id, service_name=self.state.concern.service.name,
                    escalation_id=a.alert_id, rung=a.rung, to_role=a.to_role, step_title=self._title(a.step, a.occurrence),
                    reason="deadline approaching", due=a.due, at=self._now(), kind="approaching")
            else:
                esc = next((e for e in self.state.escalations if e.escalation_id == a.escalation_id), None)
                step = self.state.step(esc.step, esc.occurrence) if esc else None
                due = next((o.due for o in self.state.open_steps if esc and (o.step, o.occurrence) == (esc.step, esc.occurrence)), None)
                request = AlertRequest(
                    case_id=self.state.case_id, service_id=self.state.concern.service.id, service_name=self.state.concern.service.name,
                    escalation_id=a.escalation_id, rung=a.rung, to_role=a.to_role, step_title=step.title if step else "the case",
                    reason=esc.reason if esc else "escalation", due=due, at=self._now(),
                    top_of_ladder=self.state.policy.pathway.role_above(a.to_role) is None,
                    cause=esc.cause if esc else "trigger", acknowledge_by=a.acknowledge_by)
            try:
                outcome: AlertOutcome = await workflow.execute_activity_method(AlertActivities.deliver, request, **DELIVER)
                sent = [(s.user_id, s.channel, s.via, s.reference) for s in outcome.sent]
                nobody, why = outcome.nobody, "nobody who would be alerted could be reached"
            except ActivityError:
                outcome = AlertOutcome()
                sent, nobody, why = [], True, "not sent after every retry"
            async with self._lock:
                await self._record(decider.decide_alert_outcome(self.state, alert_id, sent, nobody, why, self._now(),
                                                                outcome.failures, outcome.attempt))
        finally:
            self._delivering.discard(alert_id)
            self._changed = True

    # ---- staff actions -------------------------------------------------------------------

    @workflow.update
    async def concern_raised(self, concern: ConcernBody) -> CaseStatus:
        """Answers once the concern is recorded: raise with update-with-start, never by polling."""
        await workflow.wait_condition(lambda: self._ready() is not None)
        return self.status()

    @concern_raised.validator
    def _validate_raise(self, concern: ConcernBody) -> None:
        if concern != self.case.concern:
            raise ApplicationError(f"case {self.case.case_id} already exists, raised with a different concern",
                                   "conflict", type="Rejected", non_retryable=True)

    @workflow.update
    async def complete_step(self, c: StepCompletion) -> StepReceipt:
        if self.legacy:
            return await self.legacy.complete_step(c)
        await self._start_checked()
        async with self._lock:
            now = self._now()
            with rejections():
                _, step, record = decider.check_completion(self._raised(), c, now)
            request = decider.threshold_request(self.state, step, record)
            decision = await self._assess(request) if request else None
            state = await self._clock_first(now)
            with rejections():
                facts = decider.decide_completion(state, c, now, decision)
            stored = await self._record(facts, answering=True)
        return decider.receipt_of(self.state, stored)

    @complete_step.validator
    def _validate_completion(self, c: StepCompletion) -> None:
        if self.legacy:
            return self.legacy.validate_completion(c)
        with rejections():
            _, step, record = decider.check_completion(self._raised(), c, self._now())
            decider.check_threshold_facts(self.state, step, record)

    @workflow.update
    async def record_development(self, d: Development) -> int:
        if self.legacy:
            return await self.legacy.record_development(d)
        async with self._lock:
            now = self._now()
            state = await self._clock_first(now)
            with rejections():
                await self._record(decider.decide_development(state, d, now), answering=True)
        return self.state.development_requests.get(d.request_id or "", self.state.developments)

    @record_development.validator
    def _validate_development(self, d: Development) -> None:
        if self.legacy:
            return self.legacy.validate_development(d)
        with rejections():
            decider.check_development(self._raised(), d)

    @workflow.update
    async def acknowledge_escalation(self, a: Acknowledgement) -> None:
        if self.legacy:
            return await self.legacy.acknowledge_escalation(a)
        async with self._lock:
            now = self._now()
            if self.state is not None:
                await self._clock_first(now)
            with rejections():
                await self._record(decider.decide_acknowledgement(self._raised(), a, now), answering=True)

    @acknowledge_escalation.validator
    def _validate_acknowledgement(self, a: Acknowledgement) -> None:
        if self.legacy:
            return self.legacy.validate_acknowledgement(a)
        with rejections():
            decider.check_acknowledgement(self._raised(), a)

    @workflow.update
    async def add_note(self, n: CaseNote) -> int:
        """A note on the case; answers its number."""
        async with self._lock:
            now = self._now()
            state = await self._clock_first(now)
            with rejections():
                facts = await self._record(decider.decide_note(state, n, now), answering=True)
        return facts[0].note

    @add_note.validator
    def _validate_note(self, n: CaseNote) -> None:
        if self.legacy:
            raise ApplicationError(f"case {self.case.case_id} began before notes could be added to a case",
                                   "not_open", type="Rejected", non_retryable=True)
        with rejections():
            decider.check_note(self._raised(), n)

    @workflow.update
    async def amend_step(self, a: StepAmendment) -> int:
        """A completed step's record corrected (issue 22); answers the amendment's number. A closed
        case's run takes it only while it runs for corrections (`_correcting`)."""
        await self._start_checked()
        async with self._lock:
            now = self._now()
            state = await self._clock_first(now)
            with rejections():
                self._check_correctable()
                facts = await self._record(decider.decide_amendment(state, a, now), answering=True)
        return facts[0].amendment

    @amend_step.validator
    def _validate_amendment(self, a: StepAmendment) -> None:
        if self.legacy:
            raise ApplicationError(f"case {self.case.case_id} began before records could be corrected",
                                   "not_open", type="Rejected", non_retryable=True)
        with rejections():
            self._check_correctable()
            decider.check_amendment(self._raised(), a, self._now())

    @workflow.query
    def status(self) -> CaseStatus:
        if self.legacy:
            return self.legacy.status()
        if self._ready() is None:
            raise ApplicationError("the case is still being raised")
        return decider.status_of(self.state)

    # ---- a closed case corrected (issue 22) ---------------------------------------------

    def _correction_start(self) -> None:
        """A correction's run starts from a closed case's facts, and records no recovery."""
        if self.state.status != "closed" or self.case.recovery is not None:
            raise ApplicationError(f"case {self.case.case_id}: a correction's run starts only from a closed case",
                                   "not_permitted", type="Rejected", non_retryable=True)

    async def _start_checked(self) -> None:
        """In a correction's run, staff's updates wait until its start's seal is checked."""
        if self.case.correction and not self._checked:
            await workflow.wait_condition(lambda: self._checked)

    def _check_correctable(self) -> None:
        """A closed case is corrected by a run of its own (casework starts it), never by the run that
        closed it, which ends (nor by a correction's run once no review keeps it going)."""
        if self.state is not None and self.state.status == "closed" and not self._correcting:
            raise Rejected(f"case {self.case.case_id} has just closed, or its correction has just been recorded: "
                           "send the correction again in a moment", "unavailable")

    # ---- plumbing ----------------------------------------------------------------------

    def _title(self, step: str, occurrence: int | None) -> str:
        found = self.state.step(step, occurrence)  # a decision's review: as its amendment recorded it, while open
        return found.title if found else step.replace("_", " ")

    def _ready(self) -> CaseState | None:
        state = self.legacy.state if self.legacy else self.state
        return state if state is not None and state.seq > 0 else None

    def _raised(self) -> CaseState:
        if self.state is None:
            raise Rejected(f"case {self.case.case_id} is still being raised; try again in a moment")
        return self.state

    def _now(self) -> datetime:
        # whole seconds: a chronology does not need microseconds, and deadlines stay readable
        return (workflow.now() + self.case.clock_offset).replace(microsecond=0)

    async def _with_holidays(self, now: datetime) -> CaseState:
        """The state, its holiday table reaching the year after `now` (taken once a year, at most)."""
        years = self.state.policy.holiday_years_needed(now)
        if years is not None:
            table = await workflow.execute_local_activity_method(
                CaseActivities.holiday_table, HolidayRequest(calendar=self.state.policy.calendar, first_year=years[0],
                                                             last_year=years[1]), **LOCAL)
            self.state = self.state.model_copy(update={"policy": self.state.policy.with_holidays(table)})
        return self.state

    async def _clock_first(self, now: datetime) -> CaseState:
        """The state at `now`, every deadline that fell due by then recorded first. After an outage
        (no worker, or no server) a deadline's timer and a late request reach the worker in one
        task, and update handlers run before timers: the request is still decided after the missed
        deadline, as it is when the timer is on time."""
        await self._record(decider.decide_clock(await self._with_holidays(now), now))
        return self.state

    async def _assess(self, request: decider.ThresholdRequest) -> ThresholdDecision:
        try:
            return await workflow.execute_local_activity_method(CaseActivities.assess_case_threshold, request, **LOCAL)
        except ActivityError as e:
            raise ApplicationError(f"record for {self.state.policy.pathway.threshold.assessed_at}: "
                                   f"{getattr(e.cause, 'message', e.cause)}", type="Rejected", non_retryable=True) from None

    async def _record(self, facts: list[Fact], answering: bool = False) -> list[Fact]:
        """Append the facts to the event store (idempotently, all or nothing), then evolve by what it
        holds: if an earlier attempt of this workflow task stored other facts before it was lost (a
        worker stopped after a local activity), the case follows the store. `answering` a member of
        staff: if those facts record their request, that is their answer; if not, they are told so."""
        if not facts:
            return []
        stored = await workflow.execute_local_activity_method(
            CaseActivities.append_facts, FactBatch(case_id=self.state.case_id, first_seq=self.state.seq + 1, facts=facts), **LOCAL)
        for fact in stored.facts:
            self.state = decider.evolve(self.state, fact)
            self._log(fact)
        self._changed = True
        if stored.superseded and answering and not decider.recorded_as_decided(facts, stored.facts):
            raise ApplicationError(f"case {self.state.case_id} changed while this was being recorded (a worker restarted): "
                                   "this request was not recorded as sent; check the case's status and try again",
                                   "conflict", type="Rejected", non_retryable=True)
        return stored.facts  # a lost attempt may have recorded this very request: it stands, and is the answer

    def _log(self, fact: Fact) -> None:
        if isinstance(fact, StepCompleted):
            workflow.logger.info("step completed", extra={"case_id": self.state.case_id, "step": fact.step, "on_time": fact.on_time})
        elif isinstance(fact, Escalated):
            workflow.logger.warning("escalated", extra={"case_id": self.state.case_id, "step": fact.step,
                                                        "to_role": fact.to_role, "cause": fact.cause})

    def _until_next_wakeup(self) -> timedelta:
        wake = decider.next_wakeup(self.state)
        return IDLE_WAKEUP if wake is None else max(wake - self._now(), timedelta(0))

    def _should_continue_as_new(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > self.case.history_limit
