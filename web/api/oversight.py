"""The API's reads for those who oversee, and the governance actions: deadlines, the dashboard,
the governance audits (and running one now, completing an action one raised), the national return,
the commissioner records. Lists keep to the services the asker sees."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.encoders import jsonable_encoder
from starlette.responses import JSONResponse

from casework import governance as casework_governance
from casework import oversight
from casework.inputs import parse_date
from domain.access import ROLES
from domain.governance import KINDS
from domain.governance_actions import ActionState
from web.api import bodies
from web.api import responses as shapes
from web.api.answers import answer, answered
from web.api.contract import READ, WRITE, problems
from web.api.deps import AsAt, Key, Now, PortsDep, Reader, Writer
from web.api.strict import StrictRoute

router = APIRouter(route_class=StrictRoute)


@router.get("/deadlines", summary="Every pending deadline of the cases you see, most urgent first", tags=["oversight"],
            response_model=list[shapes.Deadline], responses=READ)
def deadlines(principal: Reader, ports: PortsDep, now: Now,
              role: Annotated[str | None, Query(description="only steps this role can complete (its own, or escalated to it)",
                                                json_schema_extra={"enum": list(ROLES)})] = None,
              service: Annotated[str | None, Query(description="only cases of this service id")] = None) -> JSONResponse:
    return answer(oversight.pending_deadlines(ports, principal, now, role, service))


@router.get("/dashboard", summary="The oversight dashboard of the services you see", tags=["oversight"],
            response_model=shapes.Dashboard, responses=READ)
def dashboard(principal: Reader, ports: PortsDep, now: Now, as_at: AsAt) -> JSONResponse:
    return answer(oversight.dashboard(ports, principal, now, as_at))


@router.get("/governance", summary="Governance audits recorded, their figures, open and tracked actions", tags=["governance"],
            response_model=shapes.Governance, responses=READ)
def governance(principal: Reader, ports: PortsDep, now: Now, as_at: AsAt) -> JSONResponse:
    return answer(oversight.governance(ports, principal, now, as_at))


@router.post("/governance/audits/{kind}", tags=["governance"], response_model=shapes.AuditRun,
             responses=problems(401, 403, 422, 503),
             summary="Run an audit now and record it (a period already audited: the stored record)")
async def run_governance_audit(kind: Annotated[str, Path(json_schema_extra={"enum": list(KINDS)})], principal: Writer,
                               ports: PortsDep, now: Now,
                               as_of: Annotated[str | None, Query(description="the date its period ends, at its start (ISO date); without it the period ends now",
                                                                  json_schema_extra={"format": "date"})] = None
                               ) -> JSONResponse:
    c = casework_governance.RunAudit(kind, parse_date(as_of, "as_of") if as_of is not None else None)
    run = await casework_governance.run_audit(ports, principal, c, now)
    return answer({**jsonable_encoder(run.record), "tracked_actions": run.tracked, "untracked_actions": run.untracked})


@router.post("/governance/actions/{ref}/completion", summary="Complete an action an audit raised, with its evidence",
             tags=["governance"], response_model=ActionState, responses={**WRITE, **problems(404)})
async def complete_governance_action(ref: str, body: bodies.ActionCompletion, principal: Writer, ports: PortsDep, now: Now,
                                     key: Key) -> JSONResponse:
    c = casework_governance.CompleteAction(ref, body.evidence, key)
    outcome = await casework_governance.complete_action(ports, principal, c, now)
    return answered(outcome, outcome.value, key)


@router.get("/reports/national", summary="The national Safeguarding Adults Collection's tables for a year (an export)",
            tags=["governance"], response_model=shapes.NationalReturn, responses=READ)
def national(principal: Reader, ports: PortsDep, as_at: AsAt,
             year: Annotated[int, Query(ge=2000, le=2100, description="2027 is 1 April 2027 to 31 March 2028")],
             outside_organisation: Annotated[bool, Query(description="for sharing outside the organisation: counts below 5 "
                                                                     "shown as [c], the rest rounded to 5, no per-service figures")] = False,
             ) -> JSONResponse:
    return answer(oversight.national(ports, principal, year, outside_organisation, as_at))


@router.get("/commissioner/records", summary="Every provider service's commissioner record (no adult ids)",
            tags=["commissioning"], response_model=list[shapes.CommissionerRecord], responses=READ)
def commissioner(principal: Reader, ports: PortsDep, as_at: AsAt) -> JSONResponse:
    return answer(oversight.commissioner(ports, principal, as_at))


@router.get("/commissioner/services/{service_id}/history", summary="A service's earlier concerns and outcomes",
            tags=["commissioning"], response_model=shapes.ServiceHistory, responses={**READ, **problems(404)})
def commissioner_history(service_id: str, principal: Reader, ports: PortsDep, as_at: AsAt,
                         exclude_case: str | None = None) -> JSONResponse:
    return answer(oversight.history(ports, principal, service_id, exclude_case, as_at))
