"""FROZEN: the case workflow as it ran before the decider (revision "service-history").

Cases whose history began before `workflows/concern.py` took the decider (no "decider" patch
marker in their history) finish on this code, so replaying them issues exactly the commands
they recorded: regular activities to load the policy, compute deadlines, assess the threshold
and record facts. `SafeguardingConcernWorkflow` delegates its run, updates and query here for
such a case. Do not change its behaviour; delete it (and `activities/legacy_activities.py`)
once no case begun before 2026-11-23 is running:
`temporal workflow list --query "ExecutionStatus='Running' AND StartTime < '2026-11-24'"`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.case_activities import CaseActivities
    from activities.legacy_activities import LegacyCaseActivities
    from activities.models import (
        CasePolicy,
        ComputedDeadline,
        DeadlineRequest,
        DeadlineRequests,
        FactBatch,
        ServiceHistoryRequest,
        ThresholdRequest,
    )
    from domain.case import CaseStatus, StepReceipt, StepView, merged_facts
    from domain.concern import Acknowledgement, Development, StepCompletion
    from domain.facts import (
        CaseClosed,
        CaseConcluded,
        ConcernRaised,
        DeadlineMissed,
        DevelopmentRecorded,
        Escalated,
        EscalationAcknowledged,
        Fact,
        ServiceHistoryAttached,
        StepCompleted,
        StepOpened,
        StepWithdrawn,
        ThresholdDecisionFiled,
        ThresholdDecisionOverridden,
    )
    from domain.policy import AfterStep, OnDevelopment, Step, UntilRecorded
    from domain.records import RecordError, validate_record
    from domain.threshold import assess, load_profile
    from workflows.legacy.state import CaseState, OpenStep, from_resumed, to_resumable

ACTIVITY = dict(start_to_close_timeout=timedelta(seconds=30), retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)))
IDLE_WAKEUP = timedelta(days=30)  # a case with nothing due still wakes now and then


def rejected(message: str, kind: str = "invalid") -> ApplicationError:
    return ApplicationError(message, kind, type="Rejected", non_retryable=True)


class LegacyCase:
    def __init__(self) -> None:
        self.state: CaseState | None = None
        self._lock = asyncio.Lock()
        self._changed = False

    # ---- the case, start to finish -------------------------------------------------------

    async def run(self, case: Any) -> dict[str, Any]:
        if case.resume is not None:
            self.state = from_resumed(case.resume, case.clock_offset, case.history_limit)
        else:
            policy = await workflow.execute_activity_method(
                LegacyCaseActivities.load_case_policy, case.concern.service.id, **ACTIVITY
            )
            self.state = CaseState(
                case_id=case.case_id, concern=case.concern, policy=policy,
                clock_offset=case.clock_offset, history_limit=case.history_limit,
            )
            await self._raise_concern(policy)

        while self.state.status != "closed":
            if self._should_continue_as_new():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(case.model_copy(update={"resume": to_resumable(self.state)}))
            self._changed = False
            try:
                await workflow.wait_condition(lambda: self._changed, timeout=self._time_to_next_wakeup())
            except asyncio.TimeoutError:
                pass
            async with self._lock:
                if self.state.status != "closed":
                    await self._keep_the_clock(self._now())

        await workflow.wait_condition(workflow.all_handlers_finished)
        return {"case_id": self.state.case_id, "status": "closed", "outcome": self.state.outcome, "events": self.state.seq}

    async def _raise_concern(self, policy: CasePolicy) -> None:
        s = self.state
        now = self._now()
        raised = ConcernRaised(
            at=now, case_id=s.case_id, concern=s.concern, pathway=policy.pathway.name,
            pathway_version=policy.pathway.version, calendar=policy.calendar.model_dump(mode="json"),
            threshold_profile=policy.threshold_profile,
        )
        facts: list[Fact] = [raised]
        if workflow.patched("service-history"):  # cases raised before this change did not attach it
            history = await workflow.execute_activity_method(
                CaseActivities.service_history,
                ServiceHistoryRequest(case_id=s.case_id, service_id=s.concern.service.id), **ACTIVITY,
            )
            facts.append(ServiceHistoryAttached(at=now, service_id=s.concern.service.id, history=history))
        first = policy.pathway.steps[0]  # record_concern: its clock runs from identification
        facts += await self._open([(first, 1, s.concern.identified_at, "concern raised")], now)
        async with self._lock:
            await self._commit(facts)

    # ---- staff actions -------------------------------------------------------------------

    async def complete_step(self, c: StepCompletion) -> StepReceipt:
        async with self._lock:
            occ, step, record = self._check_completion(c)  # again: the case may have moved on since validation
            now = self._now()
            on_time = None if occ.due is None else now <= occ.due
            facts: list[Fact] = [StepCompleted(
                at=now, step=step.id, occurrence=occ.occurrence, role=c.role, actor=c.actor,
                record=record, due=occ.due, on_time=on_time,
            )]
            facts += self._triggers(step, occ, record, now, facts)
            facts += await self._threshold(step, occ, record, now, c, facts)
            facts += await self._consequences(step, occ, record, now, c)
            await self._commit(facts)
        workflow.logger.info("step completed", extra={"case_id": self.state.case_id, "step": step.id, "on_time": on_time})
        return StepReceipt(
            case_id=self.state.case_id, step=step.id, occurrence=occ.occurrence, completed_at=now,
            due=occ.due, on_time=on_time,
            opened=[f"{f.step}#{f.occurrence}" for f in facts if isinstance(f, StepOpened)],
            escalations=[f"{f.reason} -> {f.to_role}" for f in facts if isinstance(f, Escalated)],
            status=self.state.status,
        )

    def validate_completion(self, c: StepCompletion) -> None:
        occ, step, record = self._check_completion(c)
        self._check_threshold_facts(step, record)

    async def record_development(self, d: Development) -> int:
        async with self._lock:
            self._check_open()
            now = self._now()
            n = self.state.developments + 1
            step = self._pathway_steps(OnDevelopment)[0]
            facts: list[Fact] = [DevelopmentRecorded(at=now, development=n, kind=d.kind, summary=d.summary, actor=d.actor, role=d.role)]
            facts += await self._open([(step, n, now, f"development {n} recorded")], now)
            await self._commit(facts)
        return n

    def validate_development(self, d: Development) -> None:
        self._check_open()

    async def acknowledge_escalation(self, a: Acknowledgement) -> None:
        async with self._lock:
            self._check_acknowledgement(a)
            await self._commit([EscalationAcknowledged(
                at=self._now(), escalation_id=a.escalation_id, role=a.role, actor=a.actor, note=a.note,
            )])

    def validate_acknowledgement(self, a: Acknowledgement) -> None:
        self._check_acknowledgement(a)

    def status(self) -> CaseStatus:
        s = self.state
        if s is None:
            raise ApplicationError("the case is still being raised")
        return CaseStatus(
            case_id=s.case_id, status=s.status, service_id=s.concern.service.id,
            pathway_version=s.policy.pathway.version, events_recorded=s.seq,
            open_steps=[
                StepView(step=o.step, occurrence=o.occurrence, role=o.role, due=o.due, deadline=o.deadline,
                         missed=o.missed, can_complete=[o.role, *o.escalated_to])
                for o in sorted(s.open_steps, key=lambda o: (o.due is None, o.due or o.opened_at))
            ],
            completed_steps=list(s.completed),
            escalations=[e.model_dump() for e in s.escalations],
            threshold_decision=s.threshold_decision,
            outcome=s.outcome,
        )

    # ---- checks shared by validators and handlers ---------------------------------------

    def _check_open(self) -> None:
        if self.state is None:
            raise rejected("the case is still being raised; try again in a moment", "unavailable")
        if self.state.seq == 0:
            raise rejected(f"case {self.state.case_id} is still being raised; try again in a moment", "unavailable")
        if self.state.status == "closed":
            raise rejected(f"case {self.state.case_id} is closed", "not_open")

    def _check_completion(self, c: StepCompletion) -> tuple[OpenStep, Step, dict[str, Any]]:
        self._check_open()
        s = self.state
        pathway = s.policy.pathway
        step = pathway.step(c.step)
        if step is None:
            raise rejected(f"unknown step {c.step!r}; the pathway's steps are: {', '.join(x.id for x in pathway.steps)}")
        occ = s.find_open(step.id, c.occurrence)
        if occ is None:
            if c.occurrence is not None and s.find_open(step.id):
                raise rejected(f"{step.id} occurrence {c.occurrence} is not open", "not_open")
            if step.id in s.completed:
                raise rejected(f"{step.id} is already done (completed at {s.completed[step.id]['at'].isoformat()})", "already_done")
            raise rejected(f"{step.id} is not yet available: {self._opens_when(step)}", "not_open")
        allowed = [occ.role, *occ.escalated_to]
        if c.role not in allowed:
            raise rejected(f"role {c.role} cannot complete {step.id}: it is for {' or '.join(allowed)}", "not_permitted")
        try:
            record = validate_record(step, c.record)
        except RecordError as e:
            raise rejected(str(e)) from None
        t = pathway.threshold
        decision = s.threshold_decision
        if t and step.id == t.decided_at and decision and decision["level"] == t.referral_level:
            if record.get(t.decision_field) is False and not record.get(t.override_reason_field):
                raise rejected(
                    f"the threshold decision ({decision['profile']} {decision['profile_version']}) is {decision['level']}: "
                    f"record {t.decision_field} true, or give {t.override_reason_field} to record the route below it"
                )
        return occ, step, record

    def _check_threshold_facts(self, step: Step, record: dict[str, Any]) -> None:
        """Validator only: the facts are checked against today's threshold tool for fast feedback.
        The handler does not repeat this (on replay the tool's data may have changed); the
        assessment activity checks again and its decision is what the case records."""
        t = self.state.policy.pathway.threshold
        if t is None or step.id != t.assessed_at:
            return
        request = self._threshold_request(record)
        try:
            profile = load_profile(request.profile)
            assess(profile, request.category, merged_facts(profile, request))
        except ValueError as e:
            raise rejected(f"record for {step.id}: {e}") from None

    def _check_acknowledgement(self, a: Acknowledgement) -> None:
        self._check_open()
        esc = next((e for e in self.state.escalations if e.escalation_id == a.escalation_id), None)
        if esc is None:
            raise rejected(f"no outstanding escalation {a.escalation_id!r} on case {self.state.case_id}", "not_open")
        if esc.cause != "trigger":
            raise rejected(f"escalation {a.escalation_id} ends when {esc.step} is completed, not by acknowledgement")
        if a.role != esc.to_role:
            raise rejected(f"escalation {a.escalation_id} was raised to {esc.to_role}, not {a.role}", "not_permitted")

    def _opens_when(self, step: Step) -> str:
        o = step.opens
        if isinstance(o, AfterStep):
            cond = f" records {o.when.describe()}" if o.when else " is completed"
            return f"it opens when {o.step}{cond}"
        if isinstance(o, OnDevelopment):
            return "it opens when a development is recorded on the case"
        return "it opens when the concern is raised"

    # ---- what a completion sets in motion -------------------------------------------------

    def _triggers(self, step: Step, occ: OpenStep, record: dict[str, Any], now: datetime, batch: list[Fact]) -> list[Fact]:
        out: list[Fact] = []
        for t in step.triggers:
            if t.when.holds(record):
                out.append(Escalated(
                    at=now, escalation_id=self._escalation_id([*batch, *out]), step=step.id, occurrence=occ.occurrence,
                    cause="trigger", reason=t.reason, from_role=step.role, to_role=t.to_role,
                ))
        return out

    async def _threshold(
        self, step: Step, occ: OpenStep, record: dict[str, Any], now: datetime, c: StepCompletion, batch: list[Fact]
    ) -> list[Fact]:
        """File the threshold decision (001 example 1 step 3) and act on it; record a downward override."""
        s = self.state
        t = s.policy.pathway.threshold
        if t is None:
            return []
        if step.id == t.decided_at and record.get(t.override_reason_field) and s.threshold_decision:
            return [ThresholdDecisionOverridden(at=now, actor=c.actor, role=c.role,
                                                tool_level=s.threshold_decision["level"], reason=record[t.override_reason_field])]
        if step.id != t.assessed_at:
            return []
        try:
            decision = await workflow.execute_activity_method(
                LegacyCaseActivities.assess_threshold, self._threshold_request(record), **ACTIVITY
            )
        except ActivityError as e:
            cause = e.cause
            raise rejected(f"record for {step.id}: {getattr(cause, 'message', cause)}") from None
        out: list[Fact] = [ThresholdDecisionFiled(at=now, decision=decision)]
        if decision["urgent_escalation"]:
            out.append(Escalated(
                at=now, escalation_id=self._escalation_id([*batch, *out]), step=step.id, occurrence=occ.occurrence,
                cause="trigger", reason=f"urgent escalation: threshold tool ({decision['profile']}) found two or more high-risk indicators",
                from_role=step.role, to_role=t.urgent_escalation_to,
            ))
        route = s.completed.get(t.decided_at)
        if (decision["level"] == t.referral_level and route and t.referral_step not in s.occurrences
                and not route["record"].get(t.decision_field)):
            referral = s.policy.pathway.step(t.referral_step)
            out += await self._open(
                [(referral, 1, now, f"threshold decision {decision['level']} ({decision['profile']} {decision['profile_version']})")], now
            )
        return out

    def _threshold_request(self, record: dict[str, Any]) -> ThresholdRequest:
        s, t = self.state, self.state.policy.pathway.threshold
        return ThresholdRequest(
            case_id=s.case_id, profile=s.policy.threshold_profile, category=t.category_of(record),
            facts=t.facts_given(record), answered_by_record=t.facts_answered(record),
            identified_at=s.concern.identified_at, adult_id=s.concern.adult_at_risk.id,
            source_id=s.concern.alleged_source.id, service_id=s.concern.service.id,
        )

    async def _consequences(self, step: Step, occ: OpenStep, record: dict[str, Any], now: datetime, c: StepCompletion) -> list[Fact]:
        s = self.state
        facts: list[Fact] = []
        to_open: list[tuple[Step, int, datetime, str]] = []
        if step.effect == "concludes_case":
            facts.append(CaseConcluded(at=now, actor=c.actor, role=c.role, reason=record["reason"]))
        if step.effect == "closes_case":
            for o in s.open_steps:
                if (o.step, o.occurrence) != (step.id, occ.occurrence):
                    facts.append(StepWithdrawn(at=now, step=o.step, occurrence=o.occurrence, reason="case closed"))
            facts.append(CaseClosed(at=now, outcome=record["substantiation_outcome"], actor=c.actor, role=c.role))
            return facts
        for nxt in s.policy.pathway.opened_by(step.id):
            if nxt.id not in s.occurrences and (nxt.opens.when is None or nxt.opens.when.holds(record)):
                to_open.append((nxt, 1, now, f"{step.id} completed"))
        if isinstance(step.repeat, UntilRecorded) and not step.repeat.condition.holds(record):
            clock_from = max(occ.due, now) if occ.due else now
            to_open.append((step, occ.occurrence + 1, clock_from, f"{step.id} not yet {step.repeat.condition.describe()}"))
        return facts + await self._open(to_open, now)

    # ---- the clock -----------------------------------------------------------------------

    async def _keep_the_clock(self, now: datetime) -> None:
        """Record every deadline that has passed, escalate what stays open, open what is scheduled."""
        s = self.state
        facts: list[Fact] = []
        requests: list[DeadlineRequest] = []
        pending: list[tuple[OpenStep, str, str, str]] = []  # (occurrence, cause, from_role, to_role)
        for o in s.open_steps:
            step = s.policy.pathway.step(o.step)
            if o.due and not o.missed and o.due <= now:
                facts.append(DeadlineMissed(at=now, step=o.step, occurrence=o.occurrence, role=o.role, due=o.due))
                cause, from_role = "missed_deadline", o.role
            elif o.next_escalation_due and o.next_escalation_due <= now:
                cause, from_role = "still_open", o.escalated_to[-1]
            else:
                continue
            to_role = s.policy.pathway.role_above(from_role)
            if to_role is None:
                continue  # already at the top: it stays open and overdue, in plain view
            pending.append((o, cause, from_role, to_role))
            if s.policy.pathway.role_above(to_role) is not None:
                requests.append(DeadlineRequest(step=o.step, occurrence=o.occurrence, rule=step.deadline, clock_from=now))
        next_due = {(d.step, d.occurrence): d.due for d in await self._compute(requests)}
        for o, cause, from_role, to_role in pending:
            facts.append(Escalated(
                at=now, escalation_id=self._escalation_id(facts), step=o.step, occurrence=o.occurrence, cause=cause,
                reason=f"{o.step} {'deadline missed' if cause == 'missed_deadline' else 'still open after escalation'}"
                       f" (due {o.due.isoformat()})",
                from_role=from_role, to_role=to_role, next_escalation_due=next_due.get((o.step, o.occurrence)),
            ))
            workflow.logger.warning("escalated", extra={"case_id": s.case_id, "step": o.step, "to_role": to_role, "cause": cause})
        due_now = [x for x in s.scheduled if x.at <= now]
        if due_now:
            facts += await self._open(
                [(s.policy.pathway.step(x.step), s.occurrences[x.step] + 1, x.at, "recurring review due") for x in due_now], now
            )
        if facts:
            await self._commit(facts)

    def _time_to_next_wakeup(self) -> timedelta:
        s = self.state
        instants = [x.at for x in s.scheduled]
        for o in s.open_steps:
            if o.due and not o.missed:
                instants.append(o.due)
            if o.next_escalation_due:
                instants.append(o.next_escalation_due)
        if not instants:
            return IDLE_WAKEUP
        return max(min(instants) - self._now(), timedelta(0))

    # ---- plumbing ----------------------------------------------------------------------

    def _now(self) -> datetime:
        # whole seconds: a chronology does not need microseconds, and deadlines stay readable
        return (workflow.now() + self.state.clock_offset).replace(microsecond=0)

    def _pathway_steps(self, opening: type) -> list[Step]:
        return [s for s in self.state.policy.pathway.steps if isinstance(s.opens, opening)]

    def _escalation_id(self, batch: list[Fact]) -> str:
        """Escalations are numbered E1, E2, ... per case, counting those in the batch being built."""
        return f"E{self.state.escalations_raised + sum(isinstance(f, Escalated) for f in batch) + 1}"

    async def _compute(self, requests: list[DeadlineRequest]) -> list[ComputedDeadline]:
        if not requests:
            return []
        return await workflow.execute_activity_method(
            LegacyCaseActivities.compute_deadlines,
            DeadlineRequests(case_id=self.state.case_id, calendar=self.state.policy.calendar, requests=requests),
            **ACTIVITY,
        )

    async def _open(self, items: list[tuple[Step, int, datetime, str]], now: datetime) -> list[Fact]:
        """StepOpened facts for (step, occurrence, clock_from, reason), with deadlines computed by activity."""
        timed = [DeadlineRequest(step=st.id, occurrence=n, rule=st.deadline, clock_from=frm) for st, n, frm, _ in items if st.deadline]
        computed = {(d.step, d.occurrence): d for d in await self._compute(timed)}
        facts: list[Fact] = []
        for st, n, frm, reason in items:
            d = computed.get((st.id, n))
            facts.append(StepOpened(
                at=now, step=st.id, occurrence=n, role=st.role, clock_from=frm, due=d.due if d else None,
                deadline=d.deadline if d else "no deadline", holiday_table=d.holiday_table if d else None, reason=reason,
            ))
        return facts

    async def _commit(self, facts: list[Fact]) -> None:
        """Append facts to the event store (idempotently, all or nothing), then apply them here."""
        s = self.state
        await workflow.execute_activity_method(
            LegacyCaseActivities.record_facts, FactBatch(case_id=s.case_id, first_seq=s.seq + 1, facts=facts), **ACTIVITY
        )
        for f in facts:
            s.apply(f)
        self._changed = True

    def _should_continue_as_new(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > self.state.history_limit
