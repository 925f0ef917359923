"""What a case does next: pure functions from (state, command, now) to the facts it records.

Each `decide_*` returns the facts a command (or the clock) sets in motion, or raises `Rejected`
naming what is wrong, and then nothing is recorded. They read the pathway, calendar and
threshold policy from the case's own policy (`state.policy`), never from globals, so a case
decides today as it did when it was raised. No I/O: the threshold tool's decision, which needs
earlier concerns from the store, comes in as an argument.

The facts of one command are decided one after another on a scratch state (`_Batch`), so each
sees what the ones before it did: an escalation's number, a step the batch has just opened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from domain.case.policy import CasePolicy
from domain.case.rejection import Rejected
from domain.case.alerting import decide_alert_ladder, decide_approaching, next_alert_wakeup, on_escalated, still_kept
from domain.case.review import check_review, reviewed
from domain.case.state import CaseState, OpenStep, evolve, new_case
from domain.concern import Acknowledgement, CaseNote, ConcernBody, Development, Recovery, StepCompletion
from domain.facts import (
    CaseRecovered,
    DecisionReviewed,
    NoteAdded,
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
from domain.amendments import REVIEW_STEP, THRESHOLD_LEVEL
from domain.inputs import as_input, describe
from domain.deadlines import DeadlineRule, WorkingDays
from domain.policy import AfterStep, AtStart, OnAmendment, OnDevelopment, OnThresholdDecision, Step, UntilRecorded
from domain.records import RecordError, validate_record
from domain.threshold import ThresholdDecision


class _Batch:
    """The facts decided so far for one command, and the state they lead to."""

    def __init__(self, state: CaseState) -> None:
        self.state, self.facts = state, []

    def add(self, *facts: Fact) -> None:
        for fact in facts:
            self.facts.append(fact)
            self.state = evolve(self.state, fact)
            for alert in on_escalated(self.state, fact, fact.at):  # a case that alerts tells the role at once
                self.facts.append(alert)
                self.state = evolve(self.state, alert)

    def next_escalation_id(self) -> str:
        return f"E{self.state.escalations_raised + 1}"  # E1, E2, ... per case

    def open(self, step: Step, occurrence: int, clock_from: datetime, reason: str, now: datetime) -> None:
        self.add(opened(self.state.policy, step, occurrence, clock_from, reason, now, deadline_rule(self.state, step)))


def deadline_rule(state: CaseState, step: Step) -> DeadlineRule | None:
    """The step's deadline rule: the pathway's, or the interval a record set (`Step.interval`)."""
    if step.interval is None:
        return step.deadline
    done = state.completed.get(step.interval.step)
    days = done.record.get(step.interval.field) if done else None
    return WorkingDays(days=days) if isinstance(days, int) and days > 0 else step.deadline


def opened(policy: CasePolicy, step: Step, occurrence: int, clock_from: datetime, reason: str, now: datetime,
           rule: DeadlineRule | None = None) -> StepOpened:
    """The step opened with its deadline computed, and recorded with the holiday table it used."""
    calendar = policy.working_calendar
    rule = rule or step.deadline
    return StepOpened(
        at=now, step=step.id, occurrence=occurrence, role=step.role, clock_from=clock_from,
        due=rule.due(clock_from, calendar) if rule else None,
        deadline=rule.describe() if rule else "no deadline",
        holiday_table=calendar.holiday_table() if rule else None, reason=reason,
    )


# ---- raising a concern ------------------------------------------------------------------


def decide_raise(case_id: str, concern: ConcernBody, policy: CasePolicy, now: datetime) -> list[Fact]:
    """The concern raised, and the steps that open with it, on clocks that run from identification."""
    b = _Batch(new_case(case_id, concern, policy))
    b.add(ConcernRaised(at=now, case_id=case_id, concern=concern, pathway=policy.pathway.name,
                        pathway_version=policy.pathway.version, calendar=policy.calendar,
                        threshold_profile=policy.threshold_profile, holidays=policy.holidays))
    for step in policy.pathway.steps:
        if isinstance(step.opens, AtStart):
            b.open(step, 1, concern.identified_at, "concern raised", now)
    return b.facts


def decide_service_history(state: CaseState, history: dict[str, Any] | None, now: datetime) -> list[Fact]:
    """The service's earlier concerns, attached once (004: "this record system will be interrogated")."""
    if state.history_attached or state.status == "closed":
        return []
    return [ServiceHistoryAttached(at=now, service_id=state.concern.service.id, history=history)]


def recorded_as_decided(decided: list[Fact], stored: list[Fact]) -> bool:
    """Whether facts another attempt stored at these positions record the same staff request as
    `decided`: their first facts (what staff did; the rest follows from it) equal apart from the
    instant each attempt decided at, and whether that was on time. After a worker restart, the
    lost attempt of a workflow task has usually recorded the very request it is retrying."""
    timing = {"at", "on_time"}
    return bool(decided and stored) and decided[0].model_dump(exclude=timing) == stored[0].model_dump(exclude=timing)


# ---- staff actions ----------------------------------------------------------------------


def check_not_recorded(state: CaseState, request_id: str | None) -> None:
    """A request sent again with its request id (a retry after a lost answer): it is answered from
    what it recorded, never recorded twice."""
    if request_id and request_id in state.requests:
        raise Rejected(f"this request ({request_id}) is already recorded on case {state.case_id}", "already_recorded")


def check_open(state: CaseState, closed_too: bool = False) -> None:
    """The case is raised and, unless `closed_too` (a correction, a decision's review), not closed."""
    if state.seq == 0:
        raise Rejected(f"case {state.case_id} is still being raised; try again in a moment", "unavailable")
    if state.status == "closed" and not closed_too:
        raise Rejected(f"case {state.case_id} is closed", "not_open")


def checked_input(state: CaseState, command: BaseModel, what: str) -> None:
    """The command checked as input under the case's rules (ids, sizes, characters), or Rejected.
    A case raised before there were rules has none, and decides as it began (see domain/inputs.py)."""
    if state.policy.inputs is not None:
        try:
            as_input(command, state.policy.inputs)
        except ValidationError as e:
            raise Rejected(describe(e, what)) from None


def check_completion(state: CaseState, c: StepCompletion, now: datetime | None = None) -> tuple[OpenStep, Step, dict[str, Any]]:
    """The open occurrence, its step and the normalised record, or Rejected saying why not.
    `now` is the case's clock: a record's instants may not be after it. On a closed case, only a
    decision's review opened by a correction is completed (issue 22)."""
    check_open(state, closed_too=c.step == REVIEW_STEP)
    checked_input(state, c, "step completion")
    check_not_recorded(state, c.request_id)
    pathway = state.policy.pathway
    step = state.step(c.step, c.occurrence) or pathway.step(c.step)
    if step is None and c.step == REVIEW_STEP:  # no review open (by that occurrence)
        if c.step in state.completed:
            raise Rejected(f"{c.step} is already done (completed at {state.completed[c.step].at.isoformat()})", "already_done")
        raise Rejected(f"{c.step} is not open: it opens when a record a decision rested on is corrected", "not_open")
    if step is None:
        raise Rejected(f"unknown step {c.step!r}; the pathway's steps are: {', '.join(x.id for x in pathway.steps)}")
    occ = state.find_open(step.id, c.occurrence)
    if occ is None:
        if c.occurrence is not None and state.find_open(step.id):
            raise Rejected(f"{step.id} occurrence {c.occurrence} is not open", "not_open")
        if step.id in state.completed:
            raise Rejected(f"{step.id} is already done (completed at {state.completed[step.id].at.isoformat()})", "already_done")
        raise Rejected(f"{step.id} is not yet available: {opens_when(step)}", "not_open")
    if c.role not in occ.can_complete:
        raise Rejected(f"role {c.role} cannot complete {step.id}: it is for {' or '.join(occ.can_complete)}", "not_permitted")
    record = checked_record(state, step, c.record, now)
    if step.id == REVIEW_STEP:
        check_review(state, occ.occurrence, record)
    return occ, step, record


def checked_record(state: CaseState, step: Step, given: Any, now: datetime | None = None) -> dict[str, Any]:
    """The step's record normalised, checked as a completion checks it (its fields and values, the
    fields asked for only in some cases, its rules, instants in order, the route against the
    threshold decision), or Rejected naming each problem. An amendment checks the corrected record so."""
    pathway = state.policy.pathway
    standing_in = _source_without_id(state, step, given)
    try:
        rules = state.policy.inputs
        checked = step if not standing_in else step.model_copy(update={"record": tuple(
            f.model_copy(update={"required": False}) if f.name in standing_in else f for f in step.record)})
        given = {k: v for k, v in given.items() if k not in standing_in} if standing_in else given
        record = validate_record(checked, given, rules, now if rules else None)
    except RecordError as e:
        raise Rejected(str(e)) from None
    record.update(standing_in)
    check_requirements(state, step, record)
    t, decision = pathway.threshold, state.threshold_decision
    if t and step.id == t.decided_at and decision and decision.level == t.referral_level:
        if record.get(t.decision_field) is False and not record.get(t.override_reason_field):
            raise Rejected(
                f"the threshold decision ({decision.profile} {decision.profile_version}) is {decision.level}: "
                f"record {t.decision_field} true, or give {t.override_reason_field} to record the route below it"
            )
    return record


def check_requirements(state: CaseState, step: Step, record: dict[str, Any]) -> None:
    """The fields a step asks for only in some cases (`Step.requires`) and the rules its record must
    meet (`Step.checks`), or Rejected naming what is wrong."""
    problems = []
    pathway = state.policy.pathway
    fillers = {w.lower() for w in pathway.not_answers}
    for r in step.requires:
        on = record
        if r.on_step is not None:
            done = state.completed.get(r.on_step)
            on = done.record if done else {}
        if r.when.holds(on):
            missing = [f for f in r.fields if record.get(f) in (None, "")]
            if missing:
                problems.append(f"missing field {', '.join(map(repr, missing))}: {r.reason}")
            problems += [f"{f} says {record[f]!r}, which does not answer it: {r.reason}" for f in r.fields
                         if isinstance(record.get(f), str) and record[f].strip().lower() in fillers]
    problems += [c.reason for c in step.checks if not c.must.holds(record)]
    problems += _out_of_order(state, step, record)
    if problems:
        raise Rejected(f"record for {step.id}: " + "; ".join(problems))


def _source_without_id(state: CaseState, step: Step, record: Any) -> dict[str, str]:
    """The id fields naming, by the pathway's word, an alleged source who is not a service user."""
    word = state.policy.pathway.source_without_id
    if word is None or state.concern.alleged_source.is_service_user or not isinstance(record, dict):
        return {}
    return {f.name: word for f in step.record if f.type == "id" and record.get(f.name) == word}


def _out_of_order(state: CaseState, step: Step, record: dict[str, Any]) -> list[str]:
    """Instants out of the case's order (pathways from 2026.12.2): before the concern was identified,
    or before the instant they follow (`Step.in_order`)."""
    def instant(value: Any) -> datetime | None:
        return datetime.fromisoformat(value) if isinstance(value, str) else None

    problems = []
    if state.policy.pathway.instants_from_identification:
        identified = state.concern.identified_at
        for f in step.record:
            at = instant(record.get(f.name)) if f.type == "instant" else None
            if at is not None and at < identified:
                problems.append(f"{f.name} ({at.isoformat()}) is before the concern was identified "
                                f"({identified.isoformat()})")
    for o in step.in_order:
        done = state.completed.get(o.on_step) if o.on_step else None
        earlier = instant((done.record if done else {}).get(o.earlier) if o.on_step else record.get(o.earlier))
        later = instant(record.get(o.later))
        if earlier is not None and later is not None and later < earlier:
            problems.append(f"{o.later} ({later.isoformat()}) is before {o.earlier} ({earlier.isoformat()}): {o.reason}")
    return problems


def opens_when(step: Step) -> str:
    o = step.opens
    if isinstance(o, OnThresholdDecision):
        wanted = ([f"is {' or '.join(o.levels)}"] if o.levels else []) + ([f"requires {o.notification}"] if o.notification else [])
        return f"it opens when the threshold decision {' or '.join(wanted)}"
    if isinstance(o, AfterStep):
        return f"it opens when {o.step}" + (f" records {o.when.describe()}" if o.when else " is completed")
    if isinstance(o, OnDevelopment):
        return "it opens when a development is recorded on the case"
    if isinstance(o, OnAmendment):
        return "it opens when a record a decision rested on is corrected"
    return "it opens when the concern is raised"


def decide_completion(state: CaseState, c: StepCompletion, now: datetime,
                      threshold: ThresholdDecision | None = None) -> list[Fact]:
    """A step completed, and what it sets in motion: triggers, the threshold decision and its
    consequences, what opens next, the case's conclusion or closure. `threshold` is the tool's
    decision where the step files one (`domain/case/threshold.py` makes the request)."""
    occ, step, record = check_completion(state, c, now)
    b = _Batch(state)
    b.add(StepCompleted(at=now, step=step.id, occurrence=occ.occurrence, role=c.role, actor=c.actor, record=record,
                        due=occ.due, on_time=None if occ.due is None else now <= occ.due, **c.via(),
                        **({"request_id": c.request_id} if c.request_id else {})))
    for t in step.triggers:
        if t.when.holds(record):
            b.add(Escalated(at=now, escalation_id=b.next_escalation_id(), step=step.id, occurrence=occ.occurrence,
                            cause="trigger", reason=t.reason, from_role=step.role, to_role=t.to_role))
    _threshold(b, step, occ, record, c, threshold, now)
    _consequences(b, step, occ, record, c, now)
    if step.id == REVIEW_STEP:
        outcome = reviewed(b.state, occ.occurrence, record, c.actor, c.role, now)
        b.add(*outcome)
        if step.effect == "acts_on_new_decision":
            _act_on_new_decision(b, outcome, now)
    return b.facts


def _act_on_new_decision(b: _Batch, outcome: list[DecisionReviewed], now: datetime) -> None:
    """A decision changed on review opens what the new decision asks for, as the first one would have
    (a threshold level's route and notifications, the referral; a route's next steps). Nothing opened
    under the old decision is withdrawn: the review's reason says what follows, and staff close it.
    A closed case opens nothing (only its reviews run)."""
    t = b.state.policy.pathway.threshold
    for f in outcome:
        if f.outcome != "changed" or b.state.status == "closed":
            continue
        why = f"decision changed on review after amendment {f.amendment}"
        if f.decision == THRESHOLD_LEVEL and b.state.threshold_decision is not None:
            _act_on_level(b, b.state.threshold_decision, why, now)
        elif t is not None and f.step == t.decided_at and (route := b.state.completed.get(t.decided_at)):
            for nxt, o in b.state.policy.pathway.openings_after(t.decided_at):
                if nxt.id not in b.state.occurrences and (o.when is None or o.when.holds(route.record)):
                    b.open(nxt, 1, now, why, now)


def _threshold(b: _Batch, step: Step, occ: OpenStep, record: dict[str, Any], c: StepCompletion,
               decision: ThresholdDecision | None, now: datetime) -> None:
    """File the threshold decision (001 example 1 step 3) and act on it; record a downward override."""
    s = b.state
    t = s.policy.pathway.threshold
    if t is None:
        return
    if step.id == t.decided_at and record.get(t.override_reason_field) and s.threshold_decision:
        b.add(ThresholdDecisionOverridden(at=now, actor=c.actor, role=c.role, tool_level=s.threshold_decision.level,
                                          reason=record[t.override_reason_field]))
    if step.id != t.assessed_at:
        return
    if decision is None:
        raise ValueError(f"completing {step.id} files a threshold decision: pass the tool's decision")
    b.add(ThresholdDecisionFiled(at=now, decision=decision))
    if decision.urgent_escalation:
        b.add(Escalated(
            at=now, escalation_id=b.next_escalation_id(), step=step.id, occurrence=occ.occurrence, cause="trigger",
            reason=f"urgent escalation: threshold tool ({decision.profile}) found two or more high-risk indicators",
            from_role=step.role, to_role=t.urgent_escalation_to,
        ))
    _act_on_level(b, decision, f"threshold decision {decision.level} ({decision.profile} {decision.profile_version})", now)


def _act_on_level(b: _Batch, decision: ThresholdDecision, reason: str, now: datetime) -> None:
    """What a threshold level opens: the lower-level route and the notifications (pathways from
    2026.12.1), and the referral at the referral level when the route did not tick it."""
    t = b.state.policy.pathway.threshold
    for nxt in b.state.policy.pathway.steps:
        if (isinstance(nxt.opens, OnThresholdDecision) and nxt.id not in b.state.occurrences
                and nxt.opens.holds(decision.level, decision.required_notifications)):
            b.open(nxt, 1, now, reason, now)
    route = b.state.completed.get(t.decided_at)
    if (decision.level == t.referral_level and route and t.referral_step not in b.state.occurrences
            and not route.record.get(t.decision_field)):
        b.open(b.state.policy.pathway.step(t.referral_step), 1, now, reason, now)


def _consequences(b: _Batch, step: Step, occ: OpenStep, record: dict[str, Any], c: StepCompletion, now: datetime) -> None:
    if step.effect == "concludes_case":
        b.add(CaseConcluded(at=now, actor=c.actor, role=c.role, reason=record[step.effect_field]))
    if step.effect == "closes_case":
        b.add(*(StepWithdrawn(at=now, step=o.step, occurrence=o.occurrence, reason="case closed") for o in b.state.open_steps))
        b.add(CaseClosed(at=now, outcome=record[step.effect_field], actor=c.actor, role=c.role))
        return
    for nxt, opening in b.state.policy.pathway.openings_after(step.id):
        if nxt.id not in b.state.occurrences and (opening.when is None or opening.when.holds(record)):
            b.open(nxt, 1, now, f"{step.id} completed", now)
    if isinstance(step.repeat, UntilRecorded) and not step.repeat.condition.holds(record):
        clock_from = max(occ.due, now) if occ.due else now
        b.open(step, occ.occurrence + 1, clock_from, f"{step.id} not yet {step.repeat.condition.describe()}", now)


def check_development(state: CaseState, d: Development) -> None:
    check_open(state)
    checked_input(state, d, "development")


def decide_development(state: CaseState, d: Development, now: datetime) -> list[Fact]:
    """A new incident or agency contact, and the steps each development opens (001 example 3 step 3)."""
    check_development(state, d)
    if d.request_id and d.request_id in state.development_requests:
        return []  # sent again (a retry after a lost or late answer): recorded already, once
    b = _Batch(state)
    n = state.developments + 1
    b.add(DevelopmentRecorded(at=now, development=n, kind=d.kind, summary=d.summary, actor=d.actor, role=d.role,
                              **d.via(), **({"request_id": d.request_id} if d.request_id else {})))
    for step in state.policy.pathway.steps:
        if isinstance(step.opens, OnDevelopment):
            b.open(step, n, now, f"development {n} recorded", now)
    return b.facts


def check_acknowledgement(state: CaseState, a: Acknowledgement) -> None:
    check_open(state)
    checked_input(state, a, "acknowledgement")
    check_not_recorded(state, a.request_id)
    esc = next((e for e in state.escalations if e.escalation_id == a.escalation_id), None)
    if esc is None:
        raise Rejected(f"no outstanding escalation {a.escalation_id!r} on case {state.case_id}", "not_open")
    if esc.cause != "trigger":
        raise Rejected(f"escalation {a.escalation_id} ends when {esc.step} is completed, not by acknowledgement")
    paged = [x.to_role for x in state.alerts if x.escalation_id == a.escalation_id]  # anyone paged on its ladder
    if a.role != esc.to_role and a.role not in paged:
        raise Rejected(f"escalation {a.escalation_id} was raised to {' or '.join(dict.fromkeys([esc.to_role, *paged]))}, "
                       f"not {a.role}", "not_permitted")


def decide_acknowledgement(state: CaseState, a: Acknowledgement, now: datetime) -> list[Fact]:
    check_acknowledgement(state, a)
    return [EscalationAcknowledged(at=now, escalation_id=a.escalation_id, role=a.role, actor=a.actor, note=a.note,
                                   **a.via(), **({"request_id": a.request_id} if a.request_id else {}))]


def decide_recovery(state: CaseState, r: Recovery, now: datetime) -> list[Fact]:
    """Who recovered the case and why, recorded once for the run it was recovered from."""
    if (r.stopped_run_id or "") in state.recovered or state.status == "closed":
        return []
    return [CaseRecovered(at=now, actor=r.actor, role=r.role, reason=r.reason, stopped_run_id=r.stopped_run_id,
                          **r.via())]


def check_note(state: CaseState, n: CaseNote) -> None:
    check_open(state)
    checked_input(state, n, "note")
    check_not_recorded(state, n.request_id)


def decide_note(state: CaseState, n: CaseNote, now: datetime) -> list[Fact]:
    """A note on the record, by whoever may read the case (the application layer decides who may)."""
    check_note(state, n)
    return [NoteAdded(at=now, note=state.notes + 1, text=n.text, actor=n.actor, role=n.role, **n.via(),
                      **({"request_id": n.request_id} if n.request_id else {}))]


# ---- the clock --------------------------------------------------------------------------


def decide_clock(state: CaseState, now: datetime) -> list[Fact]:
    """Every deadline passed by `now` recorded once and escalated one role up; a step still open
    after its escalation escalates again, one role higher, each time its own deadline rule
    elapses; recurring reviews that have fallen due open. A closed case keeps only the deadlines of
    the decisions' reviews a correction opened (nothing else is open on it), and their alerts."""
    if state.status == "closed" and not state.open_steps:
        return []
    pathway = state.policy.pathway
    b = _Batch(state)
    climbing: list[tuple[OpenStep, str, str]] = []  # (occurrence, cause, from_role)
    for o in state.open_steps:
        if o.due and not o.missed and o.due <= now:
            b.add(DeadlineMissed(at=now, step=o.step, occurrence=o.occurrence, role=o.role, due=o.due))
            climbing.append((o, "missed_deadline", o.role))
        elif o.next_escalation_due and o.next_escalation_due <= now:
            climbing.append((o, "still_open", o.escalated_to[-1]))
    for o, cause, from_role in climbing:
        to_role = pathway.role_above(from_role)
        if to_role is None:
            continue  # already at the top: it stays open and overdue, in plain view
        rule = deadline_rule(b.state, b.state.step(o.step, o.occurrence))
        again = rule.due(now, state.policy.working_calendar) if rule and pathway.role_above(to_role) else None
        what = "deadline missed" if cause == "missed_deadline" else "still open after escalation"
        b.add(Escalated(at=now, escalation_id=b.next_escalation_id(), step=o.step, occurrence=o.occurrence, cause=cause,
                        reason=f"{o.step} {what} (due {o.due.isoformat()})", from_role=from_role, to_role=to_role,
                        next_escalation_due=again))
    for x in state.scheduled:
        if x.at <= now:
            b.open(pathway.step(x.step), b.state.occurrences[x.step] + 1, x.at, "recurring review due", now)
    b.add(*decide_alert_ladder(still_kept(b.state), now))
    b.add(*decide_approaching(b.state, now))
    return b.facts


def next_wakeup(state: CaseState) -> datetime | None:
    """The next instant the clock has something to decide: a deadline, a re-escalation, a recurring review."""
    instants = [x.at for x in state.scheduled]
    for o in state.open_steps:
        if o.due and not o.missed:
            instants.append(o.due)
        if o.next_escalation_due:
            instants.append(o.next_escalation_due)
    if (alert := next_alert_wakeup(still_kept(state))) is not None:
        instants.append(alert)
    return min(instants, default=None)
