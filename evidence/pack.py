"""A case's evidence pack: what happened, when, who did it, whether the deadlines were met, and
the proof that the record is untouched. One model (`EvidencePack`), built from the case's
stored facts alone, written three ways from the same data: JSON (its schema is
docs/evidence-pack.schema.json, `EvidencePack.model_json_schema()`), HTML, and a PDF rendered
from that HTML by WeasyPrint.

"As at" an instant, the pack holds the facts that had happened by then (`fact.at`), as the
read models' as-at answers do; its verification is of the whole stream as it stands, with the
hash of the last event the pack includes.

An amended record (issue 22) is shown as it was made and beside it its amendments
(`amendments`, evidence/corrections.py): each chronology entry names the later entries that
corrected it (`corrected_by`) and an amendment's entry the record it corrects (`about`). These
fields were added to schema version 1 with defaults, so a pack written before them still reads.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.facts import (
    CaseClosed,
    CaseConcluded,
    ConcernRaised,
    DevelopmentRecorded,
    EscalationAcknowledged,
    StepCompleted,
    ThresholdDecisionFiled,
    ThresholdDecisionOverridden,
)
from domain.pathway import FOLLOW_UP_REVIEW, current_pathway
from eventstore.application import SafeguardingRecords
from eventstore.events import Recorded, case_stream
from eventstore.keys import Erased
from evidence.corrections import Amendment, CorrectedBy, amended_by, amendments
from evidence.store import EvidenceError, streams
from evidence.streams import check_stream
from evidence.verify import verify
from projections.case_history import chronology, escalation_endings, escalations, step_occurrences
from projections.case_tasks import opened_by
from projections.documents import Documents

SCHEMA_VERSION = "1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Actor(_Model):
    actor: str | None = Field(description="staff id")
    role: str | None


class Concern(_Model):
    case_id: str
    raised_at: datetime = Field(description="when the concern was recorded (the case's clock)")
    identified_at: datetime
    raised_by: Actor | None = Field(description="absent for concerns recorded before raised_by was required")
    service: dict[str, Any]
    adult_at_risk: str = Field(description="the adult at risk's id")
    alleged_source: str = Field(description="the alleged source's id, or what kind of person if not a service user")
    summary: str
    late_report_reason: str | None


class Step(_Model):
    step: str
    title: str
    occurrence: int
    role: str = Field(description="the role that owned the step")
    opened_at: datetime
    due: datetime | None
    deadline: str = Field(description="the deadline rule in words")
    completed_at: datetime | None
    completed_by: Actor | None
    missed_at: datetime | None
    withdrawn_at: datetime | None
    result: Literal["met", "missed", "completed late", "pending", "withdrawn", "no deadline"]


class Escalation(_Model):
    escalation_id: str
    at: datetime
    step: str
    occurrence: int
    cause: str
    reason: str
    from_role: str
    to_role: str = Field(description="who it went to")
    acknowledged_at: datetime | None
    acknowledged_by: Actor | None
    note: str | None
    # a missed deadline's escalation ends when its step is done (late) or withdrawn: nobody acknowledges it
    ended_at: datetime | None = Field(None, description="when its step was done late or withdrawn, ending it "
                                      "(a missed deadline's escalation; a trigger's ends when acknowledged)")
    ended_by: Literal["step done late", "step withdrawn"] | None = None


class ThresholdDecision(_Model):
    at: datetime
    level: str
    rag: str
    category: str
    matched: list[dict[str, Any]] = Field(description="the indicators matched, as the tool recorded them")
    rationale: str
    profile: str
    profile_version: str
    profile_digest: str
    urgent_escalation: bool


class Override(_Model):
    at: datetime
    actor: str
    role: str
    tool_level: str
    reason: str


class StepRecord(_Model):
    at: datetime
    step: str
    occurrence: int
    actor: str
    role: str
    on_time: bool | None
    record: dict[str, Any] = Field(description="what the step recorded, field by field, as it was made")
    amended_by: list[int] = Field([], description="the amendments that corrected it later, by number (see amendments)")


class DevelopmentEntry(_Model):
    at: datetime
    development: int
    kind: str
    summary: str
    actor: str | None
    role: str | None


class Closure(_Model):
    concluded_at: datetime | None
    concluded_by: Actor | None
    conclusion_reason: str | None
    closed_at: datetime | None
    closed_by: Actor | None
    outcome: str | None
    closure_review: StepRecord | None


class Calendar(_Model):
    working_calendar: dict[str, Any]
    holiday_source: str | None
    holidays: list[date] = Field(description="the bank holidays the case's deadlines counted")


class Verification(_Model):
    intact: bool
    verified_at: datetime
    events_in_store: int
    events_in_pack: int
    chain_head: str = Field(description="SHA-256 (hex) of the case's last stored event: the head of its hash chain")
    last_included_hash: str = Field(description="SHA-256 (hex) of the last event this pack includes")
    checkpoint: dict[str, Any] | None = Field(description="the latest checkpoint of chain heads: seq, taken_at, hash")
    breaks: list[str]


class ChronologyEntry(_Model):
    seq: int
    at: datetime
    recorded_at: datetime
    type: str
    actor: str | None
    role: str | None
    step: str | None
    occurrence: int | None
    deadline: datetime | None
    deadline_met: bool | None
    details: dict[str, Any]
    corrected_by: list[CorrectedBy] = Field([], description="later entries that amended its record or reviewed its decision")
    about: int | None = Field(None, description="an amendment's: the entry whose record it corrects; a review's: "
                                                "its amendment's entry")


class EvidencePack(_Model):
    """A case's evidence pack (schema version 1)."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    case_id: str
    as_at: datetime | None = Field(description="facts up to this instant; none: every fact recorded")
    generated_at: datetime
    generated_by: str
    status: Literal["open", "closed"]
    pathway: str
    pathway_version: str
    threshold_profile: str
    calendar: Calendar
    concern: Concern
    steps: list[Step]
    escalations: list[Escalation]
    threshold_decisions: list[ThresholdDecision]
    overrides: list[Override]
    route_decisions: list[StepRecord]
    referrals: list[StepRecord]
    follow_up_reviews: list[StepRecord]
    developments: list[DevelopmentEntry]
    amendments: list[Amendment] = Field([], description="corrections of done steps' records, each with its review")
    closure: Closure
    chronology: list[ChronologyEntry]
    verification: Verification


def _ending(ended: dict[str, str] | None) -> dict[str, Any]:
    if ended is None:
        return {}
    return {"ended_at": ended["at"], "ended_by": "step done late" if ended["how"] == "done" else "step withdrawn"}


def _result(row: dict[str, Any]) -> str:
    if row["withdrawn_at"]:
        return "withdrawn"
    if row["completed_at"]:
        if row["on_time"] is None:
            return "no deadline" if not row["due"] else ("completed late" if row["missed_at"] else "met")
        return "met" if row["on_time"] else ("missed" if row["missed_at"] else "completed late")
    if row["missed_at"]:
        return "missed"
    return "pending" if row["due"] else "no deadline"


def _record(r: Recorded, amended: dict[tuple[str, int], list[int]] | None = None) -> StepRecord:
    f: StepCompleted = r.fact  # type: ignore[assignment]
    return StepRecord(at=f.at, step=f.step, occurrence=f.occurrence, actor=f.actor, role=f.role, on_time=f.on_time,
                      record=f.record, amended_by=(amended or {}).get((f.step, f.occurrence), []))


def _titles(facts: list[Recorded]) -> dict[tuple[str, int], str]:
    """Each step occurrence's title: the pathway's, or a decision review's as its amendment recorded it."""
    titles = {s.id: s.title for s in current_pathway().steps}
    reviews = {key: a.review.title for key, a in opened_by(facts).items() if a.review}
    keys = [(row["step"], row["occurrence"]) for row in step_occurrences(facts)]
    return {key: reviews.get(key) or titles.get(key[0], key[0]) for key in keys}


def build_pack(records: SafeguardingRecords, documents: Documents, case_id: str, generated_by: str,
               generated_at: datetime, as_at: datetime | None = None) -> EvidencePack:
    try:
        every = records.stored_facts(case_id)
    except Erased as e:
        raise EvidenceError(f"case {case_id}: erased under retention on {e.on}; only its hash chain remains") from None
    if not every:
        raise EvidenceError(f"no case {case_id} in the event store")
    facts = [r for r in every if as_at is None or r.at <= as_at]
    if not facts:
        raise EvidenceError(f"case {case_id} was not yet raised at {as_at.isoformat()}")  # type: ignore[union-attr]
    raised: ConcernRaised = facts[0].fact  # type: ignore[assignment]
    titles = {s.id: s.title for s in current_pathway().steps}
    occurrence_titles = _titles(facts)
    corrections = amendments(facts, titles)
    amended = amended_by(corrections)
    threshold = current_pathway().threshold
    closes = {s.id for s in current_pathway().steps if s.effect == "closes_case"}
    completed = [r for r in facts if isinstance(r.fact, StepCompleted)]
    acks = {r.fact.escalation_id: r.fact for r in facts if isinstance(r.fact, EscalationAcknowledged)}
    endings = escalation_endings(facts)
    concluded = next((r.fact for r in facts if isinstance(r.fact, CaseConcluded)), None)
    closed = next((r.fact for r in facts if isinstance(r.fact, CaseClosed)), None)
    c = raised.concern
    holidays = raised.holidays
    return EvidencePack(
        case_id=case_id, as_at=as_at, generated_at=generated_at, generated_by=generated_by,
        status="closed" if closed else "open", pathway=raised.pathway, pathway_version=raised.pathway_version,
        threshold_profile=raised.threshold_profile,
        calendar=Calendar(working_calendar=raised.calendar.model_dump(mode="json"),
                          holiday_source=holidays.source if holidays else None,
                          holidays=list(holidays.dates) if holidays else []),
        concern=Concern(case_id=case_id, raised_at=raised.at, identified_at=c.identified_at,
                        raised_by=Actor(actor=c.raised_by.actor, role=c.raised_by.role) if c.raised_by else None,
                        service=c.service.model_dump(mode="json"), adult_at_risk=c.adult_at_risk.id,
                        alleged_source=c.alleged_source.described(), summary=c.summary, late_report_reason=c.late_report_reason),
        steps=[Step(title=occurrence_titles[(row["step"], row["occurrence"])], result=_result(row),
                    completed_by=Actor(**row["completed_by"]) if row["completed_by"] else None,
                    **{k: row[k] for k in ("step", "occurrence", "role", "opened_at", "due", "deadline", "completed_at",
                                           "missed_at", "withdrawn_at")})
               for row in step_occurrences(facts)],
        escalations=[Escalation(**e, acknowledged_by=Actor(actor=acks[e["escalation_id"]].actor,
                                                           role=acks[e["escalation_id"]].role)
                                if e["escalation_id"] in acks else None,
                                note=acks[e["escalation_id"]].note if e["escalation_id"] in acks else None,
                                **_ending(endings.get(e["escalation_id"])))
                     for e in escalations(facts)],
        threshold_decisions=[ThresholdDecision(at=r.at, **r.fact.decision.model_dump(
            mode="json", include={"level", "rag", "category", "matched", "rationale", "profile", "profile_version",
                                  "profile_digest", "urgent_escalation"}))
            for r in facts if isinstance(r.fact, ThresholdDecisionFiled)],
        overrides=[Override(**r.fact.model_dump(exclude={"type"})) for r in facts
                   if isinstance(r.fact, ThresholdDecisionOverridden)],
        route_decisions=[_record(r, amended) for r in completed if r.fact.step == threshold.decided_at],
        referrals=[_record(r, amended) for r in completed if r.fact.step == threshold.referral_step],
        follow_up_reviews=[_record(r, amended) for r in completed if r.fact.step == FOLLOW_UP_REVIEW.id],
        developments=[DevelopmentEntry(**r.fact.model_dump(exclude={"type", "channel", "os_user", "request_id"})) for r in facts
                      if isinstance(r.fact, DevelopmentRecorded)],
        amendments=corrections,
        closure=Closure(
            concluded_at=concluded.at if concluded else None,
            concluded_by=Actor(actor=concluded.actor, role=concluded.role) if concluded else None,
            conclusion_reason=concluded.reason if concluded else None,
            closed_at=closed.at if closed else None, closed_by=Actor(actor=closed.actor, role=closed.role) if closed else None,
            outcome=closed.outcome if closed else None,
            closure_review=next((_record(r, amended) for r in completed if r.fact.step in closes), None)),
        chronology=[ChronologyEntry(**e) for e in chronology(facts)],
        verification=_verification(records, documents, case_id, len(every), facts[-1].seq, generated_at),
    )


def _verification(records: SafeguardingRecords, documents: Documents, case_id: str, events: int, last: int,
                  at: datetime) -> Verification:
    result = verify(records, documents, case_id)
    stream = case_stream(case_id)
    rows = next((rows for _, rows in streams(records, stream)), [])
    return Verification(intact=result.intact, verified_at=at, events_in_store=events, events_in_pack=last,
                        chain_head=check_stream(stream, rows).head.hex(),
                        last_included_hash=check_stream(stream, [r for r in rows if r[0] <= last]).head.hex(),
                        checkpoint=result.checkpoint, breaks=[b.line() for b in result.breaks])
