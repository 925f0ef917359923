"""The API's cases: raise one, read its status and chronology, complete a step, correct a step's
record (an amendment), record a development, acknowledge an escalation, add a note, export its
evidence pack. Each route parses,
calls the use case (casework/), and answers; a case the asker may not see is an unknown case."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Path as InPath, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from casework import amendments, case_reads, cases, exports
from domain.case.views import CaseStatus, StepReceipt
from web.api import bodies
from web.api import responses as shapes
from web.api.answers import answer, answered
from web.api.contract import CASE_READ, CASE_WRITE
from web.api.deps import AsAt, Key, Now, PortsDep, Reader, Writer
from web.api.strict import StrictRoute

router = APIRouter(prefix="/cases", tags=["cases"], route_class=StrictRoute)
PACK_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "json": "application/json"}


@router.post("", status_code=201, summary="Raise a concern", response_model=CaseStatus, responses=CASE_WRITE)
async def raise_concern(body: bodies.NewConcern, principal: Writer, ports: PortsDep, now: Now, key: Key) -> JSONResponse:
    concern = body.model_dump(mode="json", exclude_unset=True, exclude={"raised_by"})
    outcome = await cases.raise_concern(ports, principal, cases.RaiseConcern(concern, key), now)
    return answered(outcome, outcome.value, key, 201)


@router.get("/{case_id}", summary="A case's status: open steps, due instants, escalations", response_model=CaseStatus,
            responses=CASE_READ)
async def case_status(case_id: str, principal: Reader, ports: PortsDep, now: Now) -> JSONResponse:
    return answer(await case_reads.case_status(ports, principal, case_id, now))


@router.get("/{case_id}/chronology", summary="The case's chronology from the event store",
            response_model=list[shapes.ChronologyEntry], responses=CASE_READ)
def case_chronology(case_id: str, principal: Reader, ports: PortsDep, now: Now, as_at: AsAt) -> JSONResponse:
    return answer(case_reads.case_chronology(ports, principal, case_id, now, as_at))


@router.post("/{case_id}/steps/{step}/completions", summary="Complete a step with its record", response_model=StepReceipt,
             responses=CASE_WRITE)
async def complete_step(case_id: str, step: str, body: bodies.Completion, principal: Writer, ports: PortsDep, now: Now,
                        key: Key) -> JSONResponse:
    outcome = await cases.complete_step(ports, principal, cases.CompleteStep(case_id, step, body.record, body.occurrence,
                                                                             key), now)
    return answered(outcome, outcome.value, key)


@router.post("/{case_id}/steps/{step}/{occurrence}/amendments", status_code=201, responses=CASE_WRITE,
             summary="Correct a completed step's record, with the reason (the original is kept)",
             response_model=shapes.StepAmendmentRecorded)
async def amend_step(case_id: str, step: str, occurrence: Annotated[int, InPath(ge=1)], body: bodies.Amendment,
                     principal: Writer, ports: PortsDep, now: Now, key: Key) -> JSONResponse:
    c = amendments.AmendStep(case_id, step, occurrence, body.changes, body.reason, key)
    outcome = await amendments.amend_step(ports, principal, c, now)
    return answered(outcome, {"case_id": case_id, "step": step, "occurrence": occurrence, "amendment": outcome.value},
                    key, 201)


@router.post("/{case_id}/developments", summary="Record a development on a live case",
             response_model=shapes.DevelopmentRecorded, responses=CASE_WRITE)
async def record_development(case_id: str, body: bodies.NewDevelopment, principal: Writer, ports: PortsDep, now: Now,
                             key: Key) -> JSONResponse:
    development = {"kind": body.kind, "summary": body.summary}
    outcome = await cases.record_development(ports, principal, cases.RecordDevelopment(case_id, development, key), now)
    return answered(outcome, {"case_id": case_id, "development": outcome.value}, key)


@router.post("/{case_id}/escalations/{escalation_id}/acknowledgement", summary="Acknowledge an escalation",
             response_model=shapes.EscalationAcknowledged, responses=CASE_WRITE)
async def acknowledge(case_id: str, escalation_id: str, principal: Writer, ports: PortsDep, now: Now, key: Key,
                      body: bodies.Acknowledgement | None = None) -> JSONResponse:
    c = cases.AcknowledgeEscalation(case_id, escalation_id, body.note if body else None, key)
    outcome = await cases.acknowledge_escalation(ports, principal, c, now)
    return answered(outcome, {"case_id": case_id, "escalation_id": escalation_id, "acknowledged": True}, key)


@router.post("/{case_id}/notes", summary="Add a note to a case you may read", response_model=shapes.NoteAdded,
             responses=CASE_WRITE)
async def add_note(case_id: str, body: bodies.Note, principal: Writer, ports: PortsDep, now: Now,
                   key: Key) -> JSONResponse:
    outcome = await cases.add_note(ports, principal, cases.AddNote(case_id, body.text, key), now)
    return answered(outcome, {"case_id": case_id, "note": outcome.value}, key)


PACK_ANSWER = {200: {"description": "The pack, as the format asked for (a download)", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "text/html": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object"}}},
    "headers": {"X-Evidence-Intact": {"description": "whether the chain of recorded facts verified intact",
                                      "schema": {"type": "string", "enum": ["true", "false"]}}}}}


@router.get("/{case_id}/evidence-pack", response_class=Response, responses={**PACK_ANSWER, **CASE_READ},
            summary="The case's evidence pack (PDF, HTML or JSON) with its verification; the export is recorded")
async def evidence_pack(case_id: str, principal: Reader, ports: PortsDep, now: Now, as_at: AsAt,
                        format: Annotated[Literal["pdf", "html", "json"], Query()] = "pdf") -> Response:
    def export() -> tuple[exports.PackExported, bytes]:
        with tempfile.TemporaryDirectory() as out:
            made = exports.export_pack(ports, principal, exports.ExportPack(case_id, Path(out), as_at), now)
            return made, (Path(out) / f"{case_id}.{format}").read_bytes()

    made, content = await run_in_threadpool(export)
    return Response(content, media_type=PACK_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{case_id}.{format}"', "X-Evidence-Intact": str(made.intact).lower()})
