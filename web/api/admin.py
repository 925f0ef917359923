"""The API of administration (issue 22), beside its users (web/api/admin_users.py): every API token
and revoking one, the services and their details, and the history of every administrative change.
Thin over the use cases the pages and the CLI call (casework/administration.py, casework/services.py,
casework/admin_history.py); anyone but an administrator is refused (403, in the access log, nothing
recorded). A token is answered by its id, name, scope and use, never its secret."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import JSONResponse

from casework import admin_history, administration, services
from casework.access import allowed
from domain.access import may_administer
from domain.identity import Token
from domain.services import ServiceRecord
from web.api import admin_bodies as bodies
from web.api.admin_users import done
from web.api.answers import answer
from web.api.contract import BODY, SIGNED_IN, problems
from web.api.deps import Now, PortsDep, Reader, Writer
from web.api.responses import admin as shapes
from web.api.strict import StrictRoute

router = APIRouter(prefix="/admin", tags=["administration"], route_class=StrictRoute)
OfUser = Annotated[str | None, Query(max_length=64, description="only this user's (a staff id)")]


def _iso(d: Any) -> str | None:
    return d.isoformat() if d else None


def token_json(t: Token, live: bool) -> dict[str, Any]:
    return {"token_id": t.token_id, "user_id": t.user_id, "name": t.name, "issued_at": _iso(t.issued_at),
            "expires_at": _iso(t.expires_at), "revoked_at": _iso(t.revoked_at), "last_used_at": _iso(t.last_used_at),
            "last_used_from": t.last_used_from, "live": live,
            "scope": None if t.scope is None else [{"role": s.role, "service": s.service} for s in t.scope]}


def service_json(r: ServiceRecord) -> dict[str, Any]:
    return {"service_id": r.service_id, **r.details(), "recorded_at": _iso(r.recorded_at), "recorded_by": r.recorded_by,
            "source": r.source, "changed_at": _iso(r.changed_at), "changed_by": r.changed_by}


# ---- API tokens -------------------------------------------------------------------------------------


@router.get("/tokens", summary="Every API token (or one user's), in the order issued: whose, its scope, its end, its last use",
            response_model=list[shapes.UserTokenView], responses=problems(*SIGNED_IN, 422))
def list_tokens(principal: Reader, ports: PortsDep, now: Now, user_id: OfUser = None) -> JSONResponse:
    rows = administration.tokens(ports, principal, administration.ListTokens(user_id or None), now)
    return answer([token_json(r.token, r.live) for r in rows])


@router.post("/tokens/{token_id}/revocation", response_model=shapes.UserTokenView, responses=problems(*SIGNED_IN, 404),
             summary="Revoke an API token: anything using it is refused from its next use")
def revoke_token(token_id: Annotated[str, Path(description="the token's id, as the list gives it")], principal: Writer,
                 ports: PortsDep, now: Now) -> JSONResponse:
    outcome = administration.revoke_token(ports, principal, administration.RevokeToken(token_id), now)
    return done(outcome, token_json(outcome.value, False))


# ---- services ---------------------------------------------------------------------------------------


@router.get("/services", summary="Every service recorded, with its details and who recorded and changed them",
            response_model=list[shapes.ServiceView], responses=problems(*SIGNED_IN))
def list_services(principal: Reader, ports: PortsDep) -> JSONResponse:
    allowed(ports, principal, may_administer(principal, "manage services"))
    return answer([service_json(r) for r in services.services(ports)])


@router.post("/services", status_code=201, response_model=shapes.ServiceView, responses=problems(*SIGNED_IN, *BODY, 409),
             summary="Add a service, with its details")
def add_service(body: bodies.NewService, principal: Writer, ports: PortsDep, now: Now) -> JSONResponse:
    c = services.AddService(body.service_id, body.name, body.provider, body.client_group, body.company)
    outcome = services.add_service(ports, principal, c, now)
    return done(outcome, service_json(outcome.value), 201)


@router.patch("/services/{service_id}", response_model=shapes.ServiceView, responses=problems(*SIGNED_IN, *BODY, 409),
              summary="Change a service's details: only those given change (a company given as null is taken away)")
def change_service(service_id: Annotated[str, Path(description="the service's id")], body: bodies.ServiceChanges,
                   principal: Writer, ports: PortsDep, now: Now) -> JSONResponse:
    c = services.ChangeService(service_id, body.model_dump(exclude_unset=True))
    outcome = services.change_service(ports, principal, c, now)
    return done(outcome, service_json(outcome.value))


# ---- the history ------------------------------------------------------------------------------------


def entry_json(e: admin_history.HistoryEntry) -> dict[str, Any]:
    return {"at": _iso(e.at), "by": e.by, "what": e.what, "user_id": e.whom, "service": e.service,
            "until": _iso(e.until), "start": _iso(e.start), "end": _iso(e.end)}


@router.get("/history", summary=f"Every administrative change, newest first (at most {admin_history.MOST}): who did what to whom, and when",
            response_model=list[shapes.AdminHistoryEntry], responses=problems(*SIGNED_IN, 422))
def history(principal: Reader, ports: PortsDep, now: Now, user_id: OfUser = None) -> JSONResponse:
    entries = admin_history.history(ports, principal, admin_history.ReadHistory(user_id or None), now)
    return answer([entry_json(e) for e in entries])
