"""The use cases on a case: raise it, complete a step, record a development, acknowledge an
escalation, add a note. Each takes (ports, principal, command, now) and returns an `Outcome`, or
raises a typed refusal (casework/refusals.py) having recorded nothing; every face calls these.

Each one: may this person see the case (an unseen case is answered as an unknown one) → was this
very request recorded already (answered from its facts) → may they do it, in which role → the
command, checked as input → the case's workflow decides and records → the access log.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from casework.access import acknowledgement_decision, allowed, audit, completion_decision, raised_by, visible_case
from casework.idempotency import Outcome, key_reused, one_at_a_time, recorded, request_id
from casework.inputs import validate
from casework.ports import Ports
from casework.refusals import AlreadyDone, AlreadyRecorded, Conflict, Gone, Invalid, NotOpen
from casework.services import record_from_concern
from casework.temporal import cases as temporal
from domain.access import Principal, may_act_at, may_add_note
from domain.case import CaseStatus, StepReceipt, recorded_receipt
from domain.concern import Acknowledgement, CaseNote, ConcernBody, Development, StepCompletion
from domain.facts import ConcernRaised, DevelopmentRecorded, EscalationAcknowledged, NoteAdded, StepCompleted
from domain.pathway import current_pathway
from domain.values import FILLER_WORDS
from domain.records import RecordError, checked_values, validate_record
from eventstore.events import Recorded
from eventstore.keys import Erased
from projections.case_history import escalation_endings, escalations
from projections.wording import uk_time


@dataclass(frozen=True)
class RaiseConcern:
    concern: Any  # the concern as sent (JSON): checked here under the input rules
    key: str | None = None  # the sender's idempotency key: the case id comes from it (unless the body names one)


@dataclass(frozen=True)
class CompleteStep:
    case_id: str
    step: str
    record: Any
    occurrence: int | None = None
    key: str | None = None  # the sender's idempotency key


@dataclass(frozen=True)
class RecordDevelopment:
    case_id: str
    development: Any  # {"kind": ..., "summary": ...} as sent
    key: str | None = None


@dataclass(frozen=True)
class AcknowledgeEscalation:
    case_id: str
    escalation_id: str
    note: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class AddNote:
    case_id: str
    text: Any
    key: str | None = None


@dataclass(frozen=True)
class Acknowledged:
    case_id: str
    escalation_id: str


@contextmanager
def erased_as_gone(case_id: str) -> Iterator[None]:
    try:
        yield
    except Erased as e:
        raise Gone(f"case {case_id}: erased under retention on {e.on}", case_id=case_id, on=e.on) from None


def case_facts(ports: Ports, case_id: str) -> list[Recorded]:
    return ports.records.stored_facts(case_id) if len(case_id) <= 64 else []


def _via(principal: Principal) -> dict[str, Any]:
    """What every command carries of how it came: the channel and, from the CLI, the OS user."""
    return {"channel": principal.channel, **({"os_user": principal.os_user} if principal.os_user else {})}


# ---- raising -------------------------------------------------------------------------------------------


def check_concern(ports: Ports, principal: Principal, c: RaiseConcern, now: datetime) -> ConcernBody:
    """A concern checked as raising it would, recording nothing: the principal may raise it there, and
    every value is what it must be (a page asks this before its check-your-answers page)."""
    data, decision = raised_by(principal, c.concern) if isinstance(c.concern, dict) else (c.concern, None)
    if decision is not None:
        claimed = data.get("case_id") if isinstance(data.get("case_id"), str) else None
        allowed(ports, principal, decision, claimed, data["service"]["id"])
    return validate(data, ConcernBody, "concern", ports.rules(now))


async def raise_concern(ports: Ports, principal: Principal, c: RaiseConcern, now: datetime) -> Outcome[CaseStatus]:
    """Raise a concern: recorded once its workflow answers. The same concern raised again (same case
    id; the same body, whose digest is its case id; or the same idempotency key, from which the case id
    comes) is answered with the case and starts nothing; a key sent again with another concern is refused."""
    concern = check_concern(ports, principal, c, now)
    request = request_id(principal, c.key)
    named = concern.case_id is not None
    case_id = concern.case_id or (temporal.case_id_for_request(concern, request) if request else temporal.case_id_for(concern))
    concern = concern.model_copy(update={"case_id": case_id})
    with erased_as_gone(case_id):
        first = ports.records.stored_facts(case_id, lte=1) if len(case_id) <= 64 else []
    earlier = first[0].fact if first and isinstance(first[0].fact, ConcernRaised) else None
    if earlier is not None:  # an id taken already: a case the asker may not see is answered as unknown
        visible_case(ports, principal, case_id, now, action=None, facts=first)
    client = await ports.temporal(worker=True)
    try:
        status = await temporal.raise_concern(client, ports.settings.task_queue, concern, now=now, within=ports.within)
    except Conflict:  # this case id was raised with another concern
        if request is not None and not named:  # the id came from the key: the key was sent with another concern
            raise key_reused(request) from None
        raise
    audit(ports, principal, "write", True, case_id=status.case_id, service=concern.service.id)
    record_from_concern(ports, principal, concern.service, status.case_id, now)  # a service new to Safeguard becomes data
    return Outcome(status, replayed=earlier is not None, at=earlier.at if earlier else None)


# ---- completing a step ---------------------------------------------------------------------------------


async def complete_step(ports: Ports, principal: Principal, c: CompleteStep, now: datetime) -> Outcome[StepReceipt]:
    request = request_id(principal, c.key)

    def completion_as(role: str | None) -> StepCompletion:
        completion = validate({"step": c.step, "role": role, "actor": principal.actor, "record": c.record,
                               "occurrence": c.occurrence, "request_id": request, **_via(principal)},
                              StepCompletion, "step completion", ports.rules(now))
        _check_record_values(ports, completion, now)
        return completion

    early = completion_as(principal.acting_as()) if principal.operator else None  # their role is theirs to name
    async with one_at_a_time(ports, request):
        with erased_as_gone(c.case_id):
            facts = case_facts(ports, c.case_id)
            service, _ = visible_case(ports, principal, c.case_id, now, action=None, facts=facts, by_workflow=True)
        if (answer := _completed(ports, c, request, facts)) is not None:
            return answer
        decision = completion_decision(ports.records, principal, c.case_id, service, c.step, c.occurrence, facts)
        completion = early or completion_as(allowed(ports, principal, decision, c.case_id, service))
        client = await ports.temporal(worker=True)
        try:
            receipt = await temporal.complete_step(client, c.case_id, completion, within=ports.within)
        except AlreadyRecorded:  # a twin from elsewhere recorded it first
            return _completed(ports, c, request, case_facts(ports, c.case_id))  # type: ignore[return-value]
        audit(ports, principal, "write", True, case_id=c.case_id, service=service)
        return Outcome(receipt)


def _completed(ports: Ports, c: CompleteStep, request: str | None, facts: list[Recorded]) -> Outcome[StepReceipt] | None:
    """The receipt the request was answered with, if it is recorded already (None if not)."""
    batch = recorded(facts, request, StepCompleted)
    if batch is None:
        return None
    done: StepCompleted = batch[0].fact  # type: ignore[assignment]
    if done.step != c.step or c.occurrence not in (None, done.occurrence) or not _same_record(done, c.record):
        raise key_reused(request)  # type: ignore[arg-type]
    until = [r.fact for r in facts if r.seq <= batch[-1].seq]
    return Outcome(recorded_receipt(c.case_id, until, [r.fact for r in batch]), replayed=True, at=done.at)


def _same_record(done: StepCompleted, record: Any) -> bool:
    step = current_pathway().step(done.step)
    try:
        return step is not None and validate_record(step, record) == done.record or record == done.record
    except RecordError:
        return False


def _check_record_values(ports: Ports, c: StepCompletion, now: datetime) -> None:
    """Before sending: the values the record gives, as the pathway in force types them (ids, bounds,
    no future instants). The case, which may run an earlier pathway, checks the whole record."""
    step = current_pathway().step(c.step)
    if step is not None and isinstance(c.record, dict):
        _, problems = checked_values(step, c.record, ports.settings.input_rules(), now)
        if problems:
            raise Invalid(f"record for {step.id}: " + "; ".join(problems))


# ---- developments, acknowledgements, notes -------------------------------------------------------------


async def record_development(ports: Ports, principal: Principal, c: RecordDevelopment, now: datetime) -> Outcome[int]:
    """A new incident, agency contact or other development on a live case: any staff role at its service."""
    request = request_id(principal, c.key)

    def development_as(role: str | None) -> Development:
        fields = c.development if isinstance(c.development, dict) else {}
        return validate({**fields, "actor": principal.actor, "role": role, "request_id": request, **_via(principal)},
                        Development, "development", ports.rules(now))

    early = development_as(principal.acting_as()) if principal.operator else None
    async with one_at_a_time(ports, request):
        with erased_as_gone(c.case_id):
            facts = case_facts(ports, c.case_id)
            service, _ = visible_case(ports, principal, c.case_id, now, action=None, facts=facts, by_workflow=True)
        development = early or development_as(
            allowed(ports, principal, may_act_at(principal, service, "record a development"), c.case_id, service))
        if batch := recorded(facts, request, DevelopmentRecorded):
            done: DevelopmentRecorded = batch[0].fact  # type: ignore[assignment]
            if (done.kind, done.summary) != (development.kind, development.summary):
                raise key_reused(request)  # type: ignore[arg-type]
            return Outcome(done.development, replayed=True, at=done.at)
        client = await ports.temporal(worker=True)
        n = await temporal.record_development(client, c.case_id, development, within=ports.within)
        audit(ports, principal, "write", True, case_id=c.case_id, service=service)
        return Outcome(n)


async def acknowledge_escalation(ports: Ports, principal: Principal, c: AcknowledgeEscalation,
                                 now: datetime) -> Outcome[Acknowledged]:
    """A trigger escalation acknowledged by the role it was raised to. One acknowledged already is
    AlreadyDone, saying when."""
    request = request_id(principal, c.key)
    answer = Acknowledged(c.case_id, c.escalation_id)

    def acknowledgement_as(role: str | None) -> Acknowledgement:
        return validate({"escalation_id": c.escalation_id, "role": role, "actor": principal.actor, "note": c.note,
                         "request_id": request, **_via(principal)}, Acknowledgement, "acknowledgement", ports.rules(now))

    early = acknowledgement_as(principal.acting_as()) if principal.operator else None
    async with one_at_a_time(ports, request):
        with erased_as_gone(c.case_id):
            facts = case_facts(ports, c.case_id)
            service, _ = visible_case(ports, principal, c.case_id, now, action=None, facts=facts, by_workflow=True)
        if batch := recorded(facts, request, EscalationAcknowledged):
            done_ack: EscalationAcknowledged = batch[0].fact  # type: ignore[assignment]
            if (done_ack.escalation_id, done_ack.note) != (c.escalation_id, c.note):
                raise key_reused(request)  # type: ignore[arg-type]
            return Outcome(answer, replayed=True, at=batch[0].fact.at)
        decision = acknowledgement_decision(ports.records, principal, c.case_id, service, c.escalation_id)
        role = allowed(ports, principal, decision, c.case_id, service)
        esc = next((e for e in escalations(facts) if e["escalation_id"] == c.escalation_id), None)
        if esc is not None and esc["acknowledged_at"]:
            raise AlreadyDone(f"{c.escalation_id} was already acknowledged at {esc['acknowledged_at']}",
                              acknowledged_at=esc["acknowledged_at"])
        if esc is not None and esc["cause"] != "trigger":  # the real reason first, not a missing note
            found = current_pathway().step(esc["step"])
            step = f"the step {found.title}" if found else esc["step"].replace("_", " ")
            if ended := escalation_endings(facts).get(c.escalation_id):  # the step was done (late): it ended then
                raise NotOpen(f"{c.escalation_id} ended when {step} was "
                              f"{'done late' if ended['how'] == 'done' else 'withdrawn'}, at {uk_time(ended['at'])}: "
                              "no acknowledgement was needed after that, so there is nothing to acknowledge",
                              ended_at=ended["at"])
            raise NotOpen(f"{c.escalation_id} ends when {step} is done: there is nothing to acknowledge")
        check_says_what_was_done(c.note)
        ack = early or acknowledgement_as(role)
        client = await ports.temporal(worker=True)
        try:
            await temporal.acknowledge_escalation(client, c.case_id, ack, within=ports.within)
        except AlreadyRecorded:
            return Outcome(answer, replayed=True)
        audit(ports, principal, "write", True, case_id=c.case_id, service=service)
        return Outcome(answer)


WORD = re.compile(r"[^\W_]+")
FILLERS = [WORD.findall(f) for f in FILLER_WORDS]


def check_says_what_was_done(note: Any) -> None:
    """An acknowledgement records what was done (issue 20): a note that says something. Asked here,
    not in the decider: histories from before it acknowledged without one, and replay as they were."""
    words = WORD.findall(note.lower()) if isinstance(note, str) else []
    if len(words) < 2 or words in FILLERS:  # "ok", "...", "n/a" say nothing of what was done
        raise Invalid("say what was done about the escalation, in a few words: acknowledging it records what was done",
                      field="note")


async def add_note(ports: Ports, principal: Principal, c: AddNote, now: datetime) -> Outcome[int]:
    """A note on a live case, by anyone who may read it; answers the note's number."""
    request = request_id(principal, c.key)
    async with one_at_a_time(ports, request):
        with erased_as_gone(c.case_id):
            facts = case_facts(ports, c.case_id)
            service, _ = visible_case(ports, principal, c.case_id, now, action=None, facts=facts, by_workflow=True)
        role = allowed(ports, principal, may_add_note(principal, c.case_id, service, now), c.case_id, service)
        note = validate({"text": c.text, "actor": principal.actor, "role": role,
                         "request_id": request, **_via(principal)}, CaseNote, "note", ports.rules(now))
        if batch := recorded(facts, request, NoteAdded):
            done: NoteAdded = batch[0].fact  # type: ignore[assignment]
            if done.text != note.text:
                raise key_reused(request)  # type: ignore[arg-type]
            return Outcome(done.note, replayed=True, at=done.at)
        client = await ports.temporal(worker=True)
        try:
            n = await temporal.add_note(client, c.case_id, note, within=ports.within)
        except AlreadyRecorded:
            return _noted(ports, c, request)
        audit(ports, principal, "write", True, case_id=c.case_id, service=service)
        return Outcome(n)


def _noted(ports: Ports, c: AddNote, request: str | None) -> Outcome[int]:
    batch = recorded(case_facts(ports, c.case_id), request, NoteAdded)
    if batch is None:
        raise Conflict(f"case {c.case_id} changed while the note was being recorded: check the case and try again")
    return Outcome(batch[0].fact.note, replayed=True, at=batch[0].fact.at)  # type: ignore[attr-defined]


def case_service_of(ports: Ports, case_id: str) -> str | None:
    """The service a case is at (None for an unknown one): which threshold tool its forms ask from."""
    from casework.access import case_service

    return case_service(ports.records, case_id)
