"""The API's provider-concern process (004): commissioners and contract managers act; the
commissioning readers read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import JSONResponse

from casework import processes
from domain.provider_concerns import ProviderConcernProcess
from domain.provider_process.views import ProcessStatus
from web.api import bodies
from web.api import responses as shapes
from web.api.answers import answer, answered
from web.api.contract import BODY, SIGNED_IN, problems
from web.api.deps import Key, Now, PortsDep, Reader, Writer
from web.api.strict import StrictRoute

router = APIRouter(prefix="/provider-processes", tags=["provider processes"], route_class=StrictRoute)
PROCESS_READ = problems(*SIGNED_IN, 404, 422)
PROCESS_WRITE = problems(*SIGNED_IN, *BODY, 404, 409)


@router.get("/steps", summary="The process's steps, roles, deadlines and fields; the decision's outcomes and evidence",
            response_model=ProviderConcernProcess, responses=problems(*SIGNED_IN))
def steps(principal: Reader, ports: PortsDep) -> JSONResponse:
    return answer(processes.definition(ports).model_dump(mode="json"))


@router.post("/proposals", summary="Propose a process for every service whose Appendix A decision calls for one",
             response_model=list[ProcessStatus], responses=problems(*SIGNED_IN))
async def propose(principal: Writer, ports: PortsDep, now: Now) -> JSONResponse:
    return answer(await processes.propose(ports, principal, now))


@router.get("/{service_id}", summary="The service's process: open steps, actions, escalations, decision",
            response_model=ProcessStatus, responses=PROCESS_READ)
async def status(service_id: str, principal: Reader, ports: PortsDep) -> JSONResponse:
    return answer(await processes.status(ports, principal, service_id))


@router.get("/{service_id}/chronology", summary="The evidence trail of the service's latest (or a named) process",
            response_model=list[shapes.ChronologyEntry], responses=PROCESS_READ)
def chronology(service_id: str, principal: Reader, ports: PortsDep,
               process_id: Annotated[str | None, Query(description="an earlier process of the service")] = None) -> JSONResponse:
    return answer(processes.process_chronology(ports, principal, service_id, process_id))


@router.post("/{service_id}", summary="Open the service's process (a commissioner), or the one proposed",
             response_model=ProcessStatus, responses=PROCESS_WRITE)
async def open_process(service_id: str, principal: Writer, ports: PortsDep, now: Now, key: Key,
                       body: bodies.OpenProcess | None = None) -> JSONResponse:
    body = body or bodies.OpenProcess()
    outcome = await processes.open_process(ports, principal, processes.Open(service_id, body.reason, body.basis, key), now)
    return answered(outcome, outcome.value, key)


@router.post("/{service_id}/dismissal", summary="Do not open a proposed process (a commissioner), with the reason",
             response_model=ProcessStatus, responses=PROCESS_WRITE)
async def dismiss(service_id: str, principal: Writer, ports: PortsDep, now: Now, key: Key,
                  body: bodies.Dismissal | None = None) -> JSONResponse:
    reason = body.reason if body else None
    outcome = await processes.dismiss(ports, principal, processes.Dismiss(service_id, reason, key), now)
    return answered(outcome, outcome.value, key)


@router.post("/{service_id}/steps/{step}", summary="Record a step of the process with its record",
             response_model=ProcessStatus, responses=PROCESS_WRITE)
async def record_step(service_id: str, step: str, principal: Writer, ports: PortsDep, now: Now, key: Key,
                      body: bodies.ProcessStep | None = None) -> JSONResponse:
    record = body.record if body else None
    outcome = await processes.record_step(ports, principal, processes.Record(service_id, step, record, key), now)
    return answered(outcome, outcome.value, key)


@router.post("/{service_id}/decision", summary="Decide (continue, restrict_admissions, suspend, terminate) with the evidence",
             response_model=ProcessStatus, responses=PROCESS_WRITE)
async def decide(service_id: str, principal: Writer, ports: PortsDep, now: Now, key: Key,
                 body: bodies.Decision | None = None) -> JSONResponse:
    body = body or bodies.Decision()
    outcome = await processes.decide(ports, principal, processes.Decide(service_id, body.outcome, body.record, key), now)
    return answered(outcome, outcome.value, key)
