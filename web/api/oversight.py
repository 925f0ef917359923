"""The API's reads for those who oversee, and the governance actions: deadlines, the dashboard,
the governance audits (and running one now, completing an action one raised), the national return,
the commissioner records. Lists keep to the services the asker sees."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from starlette.responses import JSONResponse

from casework import governance as casework_governance
from casework import oversight
from casework.inputs import parse_date
from web.api import bodies
from web.api.answers import answer, answered
from web.api.deps import AsAt, Key, Now, PortsDep, Reader, Writer
from web.api.strict import StrictRoute

router = APIRouter(route_class=StrictRoute)


@router.get("/deadlines", summary="Every pending deadline of the cases you see, most urgent first", tags=["oversight"])
def deadlines(principal: Reader, ports: PortsDep, now: Now,
              role: Annotated[str | None, Query(description="only steps this role can complete (its own, or escalated to it)")] = None,
              service: Annotated[str | None, Query(description="only cases of this service id")] = None) -> JSONResponse:
    return answer(oversight.pending_deadlines(ports, principal, now, role, service))


@router.get("/dashboard", summary="The oversight dashboard of the services you see", tags=["oversight"])
def dashboard(principal: Reader, ports: PortsDep, now: Now, as_at: AsAt) -> JSONResponse:
    return answer(oversight.dashboard(ports, principal, now, as_at))


@router.get("/governance", summary="Governance audits recorded, their figures, open and tracked actions", tags=["governance"])
def governance(principal: Reader, ports: PortsDep, now: Now, as_at: AsAt) -> JSONResponse:
    return answer(oversight.governance(ports, principal, now, as_at))


@router.post("/governance/audits/{kind}", tags=["governance"],
             summary="Run an audit now and record it (a period already audited: the stored record)")
async def run_governance_audit(kind: str, principal: Writer, ports: PortsDep, now: Now,
                               as_of: Annotated[str | None, Query(description="the date its period ends (ISO date)")] = None
                               ) -> JSONResponse:
    c = casework_governance.RunAudit(kind, parse_date(as_of) if as_of else None)
    run = await casework_governance.run_audit(ports, principal, c, now)
    return answer({**jsonable_encoder(run.record), "tracked_actions": run.tracked, "untracked_actions": run.untracked})


@router.post("/governance/actions/{ref}/completion", summary="Complete an action an audit raised, with its evidence",
             tags=["governance"])
async def complete_governance_action(ref: str, body: bodies.ActionCompletion, principal: Writer, ports: PortsDep, now: Now,
                                     key: Key) -> JSONResponse:
    c = casework_governance.CompleteAction(ref, body.evidence, key)
    outcome = await casework_governance.complete_action(ports, principal, c, now)
    return answered(outcome, outcome.value, key)


@router.get("/reports/national", summary="The national Safeguarding Adults Collection's tables for a year (an export)",
            tags=["governance"])
def national(principal: Reader, ports: PortsDep,
             year: Annotated[int, Query(ge=2000, le=2100, description="2027 is 1 April 2027 to 31 March 2028")]) -> JSONResponse:
    return answer(oversight.national(ports, principal, year))


@router.get("/commissioner/records", summary="Every provider service's commissioner record (no adult ids)",
            tags=["commissioning"])
def commissioner(principal: Reader, ports: PortsDep, as_at: AsAt) -> JSONResponse:
    return answer(oversight.commissioner(ports, principal, as_at))


@router.get("/commissioner/services/{service_id}/history", summary="A service's earlier concerns and outcomes",
            tags=["commissioning"])
def commissioner_history(service_id: str, principal: Reader, ports: PortsDep, as_at: AsAt,
                         exclude_case: str | None = None) -> JSONResponse:
    return answer(oversight.history(ports, principal, service_id, exclude_case, as_at))
