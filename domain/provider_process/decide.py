"""What a provider-concern process does next: pure functions from (state, command, now) to facts.

Each `decide_*` returns the facts a command (or the clock) sets in motion, or raises `Rejected`
naming what is wrong, and then nothing is recorded. They read the process policy the process was
opened under (`state.process`), never today's. The service's commissioner record (the history
of concerns) is I/O's result and comes in as an argument.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from domain import values
from domain.case.rejection import Rejected
from domain.deadlines import HolidayTable, WorkingCalendar
from domain.facts import Fact
from domain.inputs import CLOCK_SKEW, describe
from domain.process_facts import (
    ProcessClosed,
    ProcessDeadlineMissed,
    ProcessDecided,
    ProcessEscalated,
    ProcessOpened,
    ProcessProposed,
    ProcessStepOpened,
    ProcessStepRecorded,
)
from domain.provider_concerns import (
    ACTION_ID,
    AllegationsUpheld,
    CasesOnRecord,
    DecisionCondition,
    PlanNotMet,
    Section42Invoked,
    TimescaleRunOut,
    ACTIONS_UNDERTAKEN,
    FROM_COMMISSIONER_RECORD,
    IMMEDIATE_ACTION_TAKEN,
    AfterStep,
    AnyTime,
    AtOpen,
    EvidenceItem,
    OnOutcome,
    Outcome,
    PROPOSAL_DEADLINE,
    ProcessStep,
    ProposalDeadline,
    ProviderConcernProcess,
    WhenEvidence,
)
from domain.provider_process.commands import Decide, DismissProposal, OpenProcess, ProposeProcess, RecordStep
from domain.provider_process.state import ACTION, PROPOSAL_ITEM, PlannedAction, ProcessState, evolve
from domain.records import RecordError, validate_record

_PLAN = TypeAdapter(list[PlannedAction])


class _Batch:
    def __init__(self, state: ProcessState) -> None:
        self.state, self.facts = state, []

    def add(self, *facts: Fact) -> None:
        for f in facts:
            self.facts.append(f)
            self.state = evolve(self.state, f)

    def open(self, step: ProcessStep, clock_from: datetime, reason: str, now: datetime, due: datetime | None = None) -> None:
        if step.id in self.state.opened_steps:
            return  # each tracked step opens once
        calendar = self.state.working_calendar()
        if step.deadline is not None:
            due, deadline = step.deadline.due(clock_from, calendar), step.deadline.describe()
        else:
            deadline = f"by the {step.due_field.replace('_', ' ')}" if due else "no deadline"
        self.add(ProcessStepOpened(at=now, step=step.id, role=step.role, clock_from=clock_from, due=due, deadline=deadline,
                                   holiday_table=calendar.holiday_table() if step.deadline else None, reason=reason))


# ---- proposing and opening ---------------------------------------------------------------


def decide_propose(state: ProcessState, p: ProposeProcess, now: datetime,
                   deadline: ProposalDeadline = PROPOSAL_DEADLINE) -> list[Fact]:
    """Recorded once: a process already proposed or open is left as it is. The proposal records by
    when a commissioner opens or dismisses it, and who hears if not."""
    if state.status != "new":
        return []
    return [ProcessProposed(at=now, process_id=state.process_id, service_id=state.service_id, appendix_a=p.appendix_a,
                            criteria=p.criteria, due=deadline.within.due(now, WorkingCalendar()),
                            deadline=f"opened or dismissed {deadline.within.describe()} of the proposal",
                            escalate_to=deadline.escalate_to)]


DISMISSED = "dismissed"


def not_recorded(state: ProcessState, request_id: str | None) -> None:
    """A request sent again with its request id is answered from what it recorded, never recorded twice."""
    if request_id and request_id in state.requests:
        raise Rejected(f"this request ({request_id}) is already recorded on process {state.process_id}", "already_recorded")


def check_dismiss(state: ProcessState, c: DismissProposal, opener: str) -> None:
    not_recorded(state, c.request_id)
    if state.status != "proposed":
        raise Rejected(f"only a proposed process can be dismissed; the process for service {state.service_id} is "
                       f"{state.status}" + (": decide it instead" if state.status == "open" else ""), "not_open")
    if c.role != opener:
        raise Rejected(f"role {c.role} cannot dismiss a proposed process: it is for {opener}", "not_permitted")
    _id(c.actor, "actor")


def decide_dismiss(state: ProcessState, c: DismissProposal, opener: str, now: datetime) -> list[Fact]:
    """A proposal not taken up, and why: it is proposed again only for concerns recorded after this."""
    check_dismiss(state, c, opener)
    return [ProcessClosed(at=now, outcome=DISMISSED, reason=c.reason, actor=c.actor, role=c.role, **({"request_id": c.request_id} if c.request_id else {}))]


def check_open(state: ProcessState, c: OpenProcess, opener: str) -> None:
    not_recorded(state, c.request_id)
    if state.status not in ("new", "proposed"):
        since = state.opened.at.isoformat() if state.opened else "?"
        raise Rejected(f"a provider-concern process is already {state.status} for service {state.service_id} "
                       f"({state.process_id}, opened {since})", "conflict")
    if c.role != opener:
        raise Rejected(f"role {c.role} cannot open a provider-concern process: it is for {opener}", "not_permitted")
    if c.service_id != state.service_id:
        raise Rejected(f"process {state.process_id} is for service {state.service_id}, not {c.service_id}")
    _id(c.actor, "actor")


def decide_open(state: ProcessState, c: OpenProcess, process: ProviderConcernProcess, calendar: WorkingCalendar,
                holidays: HolidayTable, history: dict[str, Any] | None, now: datetime) -> list[Fact]:
    """The process opened on the policy given, and the steps that open with it."""
    check_open(state, c, process.decided_by)
    basis = c.basis or (state.proposal.appendix_a if state.proposal else "commissioner")
    b = _Batch(state)
    b.add(ProcessOpened(at=now, process_id=state.process_id, service_id=state.service_id, basis=basis, actor=c.actor,
                        role=c.role, reason=c.reason, process=process, calendar=calendar, holidays=holidays, history=history,
                        **({"request_id": c.request_id} if c.request_id else {})))
    for step in process.steps:
        if isinstance(step.opens, AtOpen):
            b.open(step, now, "process opened", now)
    _set_in_motion(b, None, {}, "process opened", now, history)
    return b.facts


# ---- recording a step --------------------------------------------------------------------


def _live(state: ProcessState) -> None:
    if state.status in ("new", "proposed"):
        raise Rejected(f"the provider-concern process for service {state.service_id} is not open"
                       + (" (proposed: a commissioner opens it)" if state.status == "proposed" else ""), "not_open")
    if state.status == "closed":
        raise Rejected(f"the provider-concern process {state.process_id} is closed", "not_open")


def check_step(state: ProcessState, c: RecordStep, now: datetime) -> tuple[ProcessStep, dict[str, Any]]:
    """The step and its normalised record, or Rejected saying why not."""
    not_recorded(state, c.request_id)
    _live(state)
    _id(c.actor, "actor")
    p = state.process
    step = p.step(c.step)
    if step is None:
        raise Rejected(f"unknown step {c.step!r}; the process's steps are: {', '.join(s.id for s in p.steps)}")
    roles: tuple[str, ...] = step.roles()
    if isinstance(step.opens, AnyTime):
        if step.opens.after and step.opens.after not in state.recorded:
            raise Rejected(f"{step.id} is not yet available: it follows {step.opens.after}", "not_open")
        if not step.opens.repeats and step.id in state.recorded:
            raise Rejected(f"{step.id} is already recorded (at {state.recorded[step.id].at.isoformat()})", "already_done")
    else:
        item = state.find_open(step.id)
        if item is None:
            if step.id in state.recorded:
                raise Rejected(f"{step.id} is already recorded (at {state.recorded[step.id].at.isoformat()})", "already_done")
            raise Rejected(f"{step.id} is not yet open: {opens_when(step)}", "not_open")
        roles = (*roles, *item.escalated_to)
    if c.role not in roles:
        raise Rejected(f"role {c.role} cannot record {step.id}: it is for {' or '.join(dict.fromkeys(roles))}", "not_permitted")
    return step, _checked_record(state, step, c.record, now)


def opens_when(step: ProcessStep) -> str:
    o = step.opens
    if isinstance(o, AfterStep):
        return f"it opens when {o.step} is recorded"
    if isinstance(o, OnOutcome):
        return "it opens when a decision or an immediate action takes one of: " + ", ".join(o.outcomes)
    if isinstance(o, WhenEvidence):
        return "it opens when a decision or an immediate action records " + " and ".join(f"{f} true" for f in o.flags)
    return "it opens with the process"


def _checked_record(state: ProcessState, step: ProcessStep, record: Any, now: datetime) -> dict[str, Any]:
    p = state.process
    if not isinstance(record, dict):
        raise Rejected(f"record for {step.id} must be a JSON object, got {values.json_type(record)}")
    plan = None
    if step.id == _meeting(p):
        if not record.get(p.planned_actions_field):
            raise Rejected(f"record for {step.id}: missing field {p.planned_actions_field!r} (the action plan: a list of "
                           "{\"id\", \"action\", \"owner\", \"due\"})")
        plan = _plan(step, record[p.planned_actions_field])
        record = {k: v for k, v in record.items() if k != p.planned_actions_field}
    try:
        clean = validate_record(step, record)  # type: ignore[arg-type]  # a ProcessStep has what it reads: id, record
    except RecordError as e:
        raise Rejected(str(e)) from None
    problems = _instants_not_ahead(p, step, clean, now)
    if step.id == p.action_update and state.action(clean[ACTION_ID.name]) is None:
        problems.append(f"no action {clean['action_id']!r} in the plan (its actions: {', '.join(a.id for a in state.actions)})")
    if step.id == p.action_plan_review:
        problems += _every_action(state, clean.get(ACTIONS_UNDERTAKEN.name, {}))
    if p.wider_sharing_field in clean:
        problems += _wider_sharing(p, clean[p.wider_sharing_field])
    if plan is not None:
        clean[p.planned_actions_field] = [a.model_dump(mode="json") for a in plan]
        field = p.step(p.action_plan_review).due_field
        if field in clean and datetime.fromisoformat(clean[field]) <= now:
            problems.append(f"field {field!r} must be after now ({now.isoformat()}): it is the date progress is assessed")
    if problems:
        raise Rejected(f"record for {step.id}: " + "; ".join(problems))
    return clean


def _meeting(p: ProviderConcernProcess) -> str:
    review = p.step(p.action_plan_review)
    return review.opens.step if isinstance(review.opens, AfterStep) else ""


def _plan(step: ProcessStep, actions: Any) -> list[PlannedAction]:
    try:
        plan = _PLAN.validate_python(actions)
    except ValidationError as e:
        raise Rejected(describe(e, f"the action plan of {step.id}")) from None
    problems = [f"action {a.id!r}: owner {p}" for a in plan if (p := values.check("id", a.owner)[1])]
    problems += [f"action {a.id!r}: due must have a UTC offset" for a in plan if a.due.tzinfo is None]
    ids = [a.id for a in plan]
    problems += [f"action id {i!r} appears twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise Rejected(f"the action plan of {step.id}: " + "; ".join(problems))
    return plan


def _instants_not_ahead(p: ProviderConcernProcess, step: ProcessStep, clean: dict[str, Any], now: datetime) -> list[str]:
    return [f"field {f.name!r} is in the future: {clean[f.name]} is after now ({now.isoformat()})"
            for f in step.record if f.type == "instant" and f.name in clean and f.name not in p.future_instants
            and datetime.fromisoformat(clean[f.name]) > now + CLOCK_SKEW]


def _every_action(state: ProcessState, said: dict[str, Any]) -> list[str]:
    problems = [f"actions_undertaken: no action {k!r} in the plan" for k in said if state.action(k) is None]
    problems += [f"actions_undertaken: say whether action {a.id!r} ({a.action}) was undertaken" for a in state.actions
                 if a.id not in said]
    problems += [f"actions_undertaken: {k!r} expects true or false, got {values.show(v)}" for k, v in said.items()
                 if not isinstance(v, bool)]
    return problems


def _wider_sharing(p: ProviderConcernProcess, said: dict[str, Any]) -> list[str]:
    problems = [f"{p.wider_sharing_field}: unknown audience {k!r} (decide for: {', '.join(p.wider_sharing)})"
                for k in said if k not in p.wider_sharing]
    problems += [f"{p.wider_sharing_field}: decide for {k!r} (true: share, false: not)" for k in p.wider_sharing
                 if not isinstance(said.get(k), bool)]
    return problems


def decide_step(state: ProcessState, c: RecordStep, now: datetime) -> list[Fact]:
    """A step recorded, and what it sets in motion: the next steps, the plan's review by its date,
    informing others after an immediate action, and the process's close."""
    step, record = check_step(state, c, now)
    item = state.find_open(step.id)
    b = _Batch(state)
    due = item.due if item else None
    n = state.recorded[step.id].occurrences + 1 if step.id in state.recorded else 1
    b.add(ProcessStepRecorded(at=now, step=step.id, occurrence=n, role=c.role, actor=c.actor, record=record, due=due,
                              on_time=None if due is None else now <= due, **({"request_id": c.request_id} if c.request_id else {})))
    for nxt in state.process.steps:
        if isinstance(nxt.opens, AfterStep) and nxt.opens.step == step.id:
            clock_from = datetime.fromisoformat(record[nxt.opens.clock_field]) if nxt.opens.clock_field else now
            due_at = datetime.fromisoformat(record[nxt.due_field]) if nxt.due_field else None
            b.open(nxt, clock_from, f"{step.id} recorded", now, due_at)
    _set_in_motion(b, record.get(IMMEDIATE_ACTION_TAKEN.name), record, f"{step.id} recorded", now)
    _close_if_done(b, now)
    return b.facts


def _set_in_motion(b: _Batch, outcome: str | None, record: dict[str, Any], reason: str, now: datetime,
                   history: dict[str, Any] | None = None) -> None:
    """Informing others (line 150) after a restricting outcome; CQC and police (lines 101, 103) when the
    evidence shows it, or (police) when the service's commissioner record says a crime may have been committed."""
    for step in b.state.process.steps:
        o = step.opens
        if isinstance(o, OnOutcome) and outcome in o.outcomes:
            b.open(step, now, f"{reason}: {outcome}", now)
        elif isinstance(o, WhenEvidence) and record and all(record.get(f) is True for f in o.flags):
            b.open(step, now, f"{reason}: " + " and ".join(o.flags), now)
        elif isinstance(o, WhenEvidence) and o.or_record and any(
                c.get(o.or_record) is True for c in _on_record(history).values()):
            cases = [k for k, c in _on_record(history).items() if c.get(o.or_record) is True]
            b.open(step, now, f"{reason}: the commissioner record says {o.or_record.replace('_', ' ')} ({', '.join(cases)})", now)


def _close_if_done(b: _Batch, now: datetime) -> None:
    s = b.state
    if s.status == "decided" and not s.open_items:
        b.add(ProcessClosed(at=now, outcome=s.decision.outcome, reason="decided, and every tracked step recorded"))


# ---- the decision ------------------------------------------------------------------------


def check_decision(state: ProcessState, c: Decide, history: dict[str, Any] | None, now: datetime,
                   history_known: bool = True) -> tuple[Outcome, dict[str, Any]]:
    """The outcome and its normalised record, or Rejected naming each missing evidence item.
    `history_known` False (an update validator, which cannot read the commissioner record):
    the history item is left to the handler, which reads the record and checks again."""
    not_recorded(state, c.request_id)
    _live(state)
    _id(c.actor, "actor")
    p = state.process
    if state.status == "decided":
        d = state.decision
        raise Rejected(f"the process is already decided: {d.outcome} at {d.at.isoformat()}", "already_done")
    outcome = p.outcome(c.outcome)
    if outcome is None:
        raise Rejected(f"unknown outcome {c.outcome!r}; the outcomes are: {', '.join(o.id for o in p.outcomes)}")
    if c.role != p.decided_by:
        raise Rejected(f"role {c.role} cannot decide: the decision is for {p.decided_by}", "not_permitted")
    needed = [s for s in p.decision_needs if s not in state.recorded]
    needed += [then for first, then in p.decision_needs_if_recorded.items() if first in state.recorded and then not in state.recorded]
    if needed:
        raise Rejected(f"cannot decide yet: record {' and '.join(needed)} first (004 line 140: the process must show the "
                       "concerns formally raised with the provider and the action plan reviewed)")
    record = _decision_record(p, outcome, c.record, now)
    _period_in_order(p, record)
    missing = [item for item in outcome.requires
               if not _evidenced(p, item, record, history) and (history_known or item.source != FROM_COMMISSIONER_RECORD)]
    unmet = [f"{cond.title} (004 line {cond.seed.line}): {why}"
             for cond, why in _conditions(state, outcome, record, history, now, history_known) if why]
    if missing or unmet:
        parts = (["the evidence trail lacks " + "; ".join(_missing(p, i, record) for i in missing)] if missing else [])
        parts += (["not met: " + "; ".join(unmet)] if unmet else [])
        raise Rejected(f"cannot {outcome.title}: " + ". ".join(parts))
    return outcome, record


def _period_in_order(p: Any, record: dict[str, Any]) -> None:
    """The period the allegations cover runs forwards (found by a trial: a suspension was recorded
    with it the wrong way round). Processes opened under policies before 2026.12.1 decide as they did."""
    if tuple(int(n) for n in p.version.split(".")) < (2026, 12, 1):
        return
    start, end = record.get("period_from"), record.get("period_to")
    if isinstance(start, str) and isinstance(end, str) and datetime.fromisoformat(end) < datetime.fromisoformat(start):
        raise Rejected(f"period_to ({end}) is before period_from ({start}): the period the allegations cover runs forwards")


# ---- the decision's conditions (004 lines 121-140) --------------------------------------------


def _conditions(state: ProcessState, outcome: Outcome, record: dict[str, Any], history: dict[str, Any] | None,
                now: datetime, history_known: bool = True) -> list[tuple[DecisionCondition, str | None]]:
    """Each condition of the outcome with what is wrong (None: met, or waived by the immediate route).
    Without the commissioner record (`history_known` False) none is checked: the handler, which reads
    the record, checks them all at once, so a refusal names every condition not met."""
    if not history_known:
        return []
    p = state.process
    out: list[tuple[Any, str | None]] = []
    route = p.immediate_route
    waived: tuple[str, ...] = ()
    if route is not None and outcome.conditions and _given(p, record.get(route.justification_field)):
        if route.step in state.recorded:
            waived = route.waives
        else:
            out.append((route, f"the immediate route needs the immediate action recorded on the process first (record "
                               f"{route.step}, with the serious risk)"))
    for cond in outcome.conditions:
        if cond.id in waived:
            continue
        out.append((cond, _unmet(state, cond, record, history, now)))
    return out


def _case_list(record: dict[str, Any], field: str) -> list[str]:
    return [c for c in record.get(field) or [] if isinstance(c, str)]


def _on_record(history: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {c["case_id"]: c for c in (history or {}).get("earlier_concerns") or [] if isinstance(c, dict) and "case_id" in c}


def _unmet(state: ProcessState, cond: DecisionCondition, record: dict[str, Any], history: dict[str, Any] | None,
           now: datetime) -> str | None:
    match cond:
        case CasesOnRecord():
            known = _on_record(history)
            unknown = [c for c in _case_list(record, cond.cases_field) if c not in known]
            return (f"not on the commissioner record of service {state.service_id}: {', '.join(unknown)}" if unknown else None)
        case Section42Invoked():
            named = _case_list(record, cond.cases_field)
            if not named:
                return None  # the trail's cases item names what is missing
            known = _on_record(history)
            if any(known.get(c, {}).get("section_42") is True or c in state.section_42_cases for c in named):
                return None
            return (f"no case it rests on ({', '.join(named)}) records one: record the local authority's decision on the "
                    f"case, or record {cond.step} on this process for the case")
        case AllegationsUpheld():
            known = _on_record(history)
            wrong = [f"case {c} is {_outcome_of(known[c])}" for c in _case_list(record, cond.cases_field)
                     if c in known and known[c].get("outcome") != cond.outcome]
            return "; ".join(wrong) + f" (it must be closed as {cond.outcome})" if wrong else None
        case TimescaleRunOut():
            done = state.recorded.get(cond.step)
            given = done.record.get(cond.field) if done else None
            if given is None:
                return f"the {cond.step.replace('_', ' ')} records no end to the provider's timescale ({cond.field})"
            if datetime.fromisoformat(given) > now:
                return (f"the {cond.step.replace('_', ' ')} gave the provider until {given}; it is now {now.isoformat()}: "
                        "decide after the timescale has run out")
            return None
        case PlanNotMet():
            done = state.recorded.get(cond.step)
            if done is None:
                return f"no {cond.step.replace('_', ' ')} is recorded: agree an action plan with the provider and review it"
            if _plan_not_met(cond, done.record):
                return None
            return (f"the review at {done.at.isoformat()} recorded every action undertaken and risks "
                    f"{done.record.get(cond.risks_field)}: the provider has taken the steps agreed")
    return None


def _plan_not_met(cond: PlanNotMet, review: dict[str, Any]) -> bool:
    return (any(v is not True for v in (review.get(cond.actions_field) or {}).values())
            or review.get(cond.risks_field) == cond.risks_not_managed)


def _outcome_of(concern: dict[str, Any]) -> str:
    if concern.get("status") == "closed":
        return f"closed as {concern.get('outcome') or 'no outcome'}"
    return "concluded, not yet closed" if concern.get("status") == "concluded" else "still open"


def _met(state: ProcessState, outcome: Outcome, record: dict[str, Any], history: dict[str, Any] | None,
         now: datetime) -> dict[str, Any] | None:
    """What met each condition, as recorded with the decision (None: the outcome has none)."""
    if not outcome.conditions:
        return None
    p, met = state.process, {}
    route = p.immediate_route
    waived = route.waives if route and _given(p, record.get(route.justification_field)) else ()
    if waived:
        met["immediate_route"] = {"line": route.seed.line, "justification": record[route.justification_field],
                                  "immediate_action_at": state.recorded[route.step].at.isoformat(), "waives": list(waived)}
    known = _on_record(history)
    for cond in outcome.conditions:
        if cond.id in waived:
            continue
        match cond:
            case CasesOnRecord():
                met[cond.id] = _case_list(record, cond.cases_field)
            case Section42Invoked():
                named = _case_list(record, cond.cases_field)
                met[cond.id] = {"on_cases": [c for c in named if known.get(c, {}).get("section_42") is True],
                                "on_process": [c for c in named if c in state.section_42_cases]}
            case AllegationsUpheld():
                met[cond.id] = {c: known[c].get("outcome") for c in _case_list(record, cond.cases_field) if c in known}
            case TimescaleRunOut():
                met[cond.id] = state.recorded[cond.step].record.get(cond.field)
            case PlanNotMet():
                met[cond.id] = state.recorded[cond.step].at.isoformat()
    return met


def _decision_record(p: ProviderConcernProcess, outcome: Outcome, record: Any, now: datetime) -> dict[str, Any]:
    if record is None:
        record = {}
    if not isinstance(record, dict):
        raise Rejected(f"the decision's record must be a JSON object, got {values.json_type(record)}")
    lists = {k: record[k] for k in p.id_lists if k in record}
    fields = p.record_fields(outcome)
    plain = {k: v for k, v in record.items() if k not in lists}
    shape = ProcessStep(id=f"decision {outcome.id}", title="", seed=(outcome.seed,), role=p.decided_by, opens=AtOpen(),
                        record=tuple(f for f in fields if f.name not in p.id_lists))
    try:
        clean = validate_record(shape, plain, None, now)  # type: ignore[arg-type]
    except RecordError as e:
        raise Rejected(str(e)) from None
    problems = []
    for name, given in lists.items():
        if not isinstance(given, list) or not given:
            problems.append(f"field {name!r} expects a non-empty JSON list of ids, got {values.show(given)}")
            continue
        problems += [f"field {name!r}: {why}" for v in given if (why := values.check("id", v)[1])]
        clean[name] = [v.strip() for v in given if isinstance(v, str)]
    if problems:
        raise Rejected(f"record for decision {outcome.id}: " + "; ".join(problems))
    return clean


def _given(p: ProviderConcernProcess, value: Any) -> bool:
    """A value that says something: not empty, and not a filler such as "none recorded" (policy 2026.12.1 on)."""
    if value in (None, "", []):
        return False
    return not (isinstance(value, str) and value.strip().lower().rstrip(".") in p.not_evidence)


def _evidenced(p: ProviderConcernProcess, item: EvidenceItem, record: dict[str, Any], history: dict[str, Any] | None) -> bool:
    if item.source == FROM_COMMISSIONER_RECORD:
        return bool(history and history.get("concerns"))
    return all(_given(p, record.get(f.name)) for f in item.fields)


def _missing(p: ProviderConcernProcess, item: EvidenceItem, record: dict[str, Any]) -> str:
    where = f"004 line {item.seed.line}"
    if item.source == FROM_COMMISSIONER_RECORD:
        return f"{item.title} ({where}): the commissioner record holds no concern for this service"
    fillers = [f"{f.name} says {record[f.name]!r}, which is not evidence" for f in item.fields
               if record.get(f.name) not in (None, "", []) and not _given(p, record.get(f.name))]
    return f"{item.title} ({where}): give {', '.join(f.name for f in item.fields)}" + (f" ({'; '.join(fillers)})" if fillers else "")


def decide_decision(state: ProcessState, c: Decide, history: dict[str, Any] | None, now: datetime) -> list[Fact]:
    """The decision with its evidence, and what it sets in motion (informing others, CQC, police)."""
    outcome, record = check_decision(state, c, history, now)
    b = _Batch(state)
    met = _met(state, outcome, record, history, now)
    b.add(ProcessDecided(at=now, outcome=outcome.id, actor=c.actor, role=c.role, record=record,
                         evidence=tuple(i.id for i in outcome.requires), history=history,
                         **({"request_id": c.request_id} if c.request_id else {}), **({"conditions": met} if met else {})))
    _set_in_motion(b, outcome.id, record, f"decided {outcome.id}", now, history)
    _close_if_done(b, now)
    return b.facts


# ---- the clock ---------------------------------------------------------------------------


def decide_clock(state: ProcessState, now: datetime) -> list[Fact]:
    """Every tracked step past its due instant recorded missed once, and escalated (a missed
    review, a late informing of neighbouring commissioners); every action of the plan past due
    and not reported undertaken recorded missed (the review weighs it)."""
    if state.status in ("new", "closed"):
        return []
    b = _Batch(state)
    for o in state.open_items:
        if o.due and not o.missed and o.due <= now:
            b.add(ProcessDeadlineMissed(at=now, item=o.step, role=o.role, due=o.due))
            if o.step == PROPOSAL_ITEM:
                to = state.proposal.escalate_to if state.proposal else None
            else:
                to = state.process.escalates_to.get(o.role)
            if to:
                what = (f"the proposed process was neither opened nor dismissed (due {o.due.isoformat()})"
                        if o.step == PROPOSAL_ITEM else f"{o.step} not recorded {o.deadline} (due {o.due.isoformat()})")
                b.add(ProcessEscalated(at=now, item=o.step, from_role=o.role, to_role=to, reason=what))
    for a in state.actions:
        if a.undertaken is not True and not a.missed and a.due <= now:
            b.add(ProcessDeadlineMissed(at=now, item=ACTION + a.id, role="provider", due=a.due))
    return b.facts


def next_wakeup(state: ProcessState) -> datetime | None:
    dues = [o.due for o in state.open_items if o.due and not o.missed]
    dues += [a.due for a in state.actions if a.undertaken is not True and not a.missed]
    return min(dues, default=None)


def _id(value: str, what: str) -> None:
    problem = values.check("id", value)[1]
    if problem:
        raise Rejected(f"{what} {problem}")
