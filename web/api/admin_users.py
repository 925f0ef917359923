"""The API of administration's users (issue 22), for administrators: every account with its roles,
adding one, closing one, granting and revoking a role, where a person's alerts go, and a link to set
a password sent to them. Thin over the use cases the pages and the CLI call (casework/accounts_admin.py,
casework/contact_admin.py, casework/passwords.py): anyone else is refused (403, in the access log,
nothing recorded), a token only as far as its scope names the administrator role.

A request sent again needs no Idempotency-Key: the use case finds it done (the account added by the
same administrator with the same details, the role held, the details as they are, a link sent a
moment ago) and records nothing more; the answer says so with `Idempotent-Replayed: true`. No answer
holds a password's hash, a token's secret or a link."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from starlette.responses import JSONResponse

from casework import accounts_admin as admin
from casework.contact_admin import SetAlertsOf, set_alerts_of
from casework.idempotency import Outcome
from casework.passwords import issue_reset_link
from casework.refusals import Invalid
from domain.access import role_name
from domain.identity import Account
from web.api import admin_bodies as bodies
from web.api.answers import REPLAYED, answer
from web.api.contract import BODY, SIGNED_IN, problems
from web.api.deps import Now, PortsDep, Reader, Writer
from web.api.responses import admin as shapes
from web.api.strict import StrictRoute

router = APIRouter(prefix="/admin", tags=["administration"], route_class=StrictRoute)
UserId = Annotated[str, Path(max_length=64, description="the user's id (a staff id, for example SSW-14)")]
ONE = problems(*SIGNED_IN, 404, 422)  # 422: a user id over 64 characters
CHANGE = problems(*SIGNED_IN, *BODY, 404)


def done(outcome: Outcome[Any], body: Any, status: int = 200) -> JSONResponse:
    """A write's answer; a request the use case found done already says so (Idempotent-Replayed: true)."""
    response = answer(body, status)
    if outcome.replayed:
        response.headers[REPLAYED] = "true"
    return response


def _iso(d: Any) -> str | None:
    return d.isoformat() if d else None


def user_json(a: Account) -> dict[str, Any]:
    """An account as administration sees it: whether a password is set, never its hash nor a link's."""
    return {"user_id": a.user_id, "display_name": a.display_name, "kind": a.kind,
            "roles": [{"role": x.role, "service": x.service, "cases": list(x.cases), "until": _iso(x.until)}
                      for x in a.assignments],
            "password_set": a.password_hash is not None, "added_at": _iso(a.added_at),
            "deactivated_at": _iso(a.deactivated_at), "email": a.email, "mobile": a.mobile,
            "approaching_alerts": a.approaching_alerts}


@router.get("/users", summary="Every account, in the order added, with its roles", response_model=list[shapes.UserView],
            responses=problems(*SIGNED_IN))
def list_users(principal: Reader, ports: PortsDep, now: Now) -> JSONResponse:
    return answer([user_json(a) for a in admin.users(ports, principal, admin.ListUsers(), now)])


@router.post("/users", status_code=201, response_model=shapes.UserView, responses=problems(*SIGNED_IN, *BODY),
             summary="Add a person's account (no role until one is granted; no password until they set one)")
def add_user(body: bodies.NewUser, principal: Writer, ports: PortsDep, now: Now) -> JSONResponse:
    outcome = admin.add_user(ports, principal, admin.AddUser(body.user_id, body.display_name, body.email), now)
    return done(outcome, user_json(outcome.value), 201)


@router.get("/users/{user_id}", summary="One account: its roles, whether it is open, where its alerts go",
            response_model=shapes.UserView, responses=ONE)
def read_user(user_id: UserId, principal: Reader, ports: PortsDep, now: Now) -> JSONResponse:
    return answer(user_json(admin.user(ports, principal, admin.ReadUser(user_id), now)))


@router.post("/users/{user_id}/deactivation", response_model=shapes.UserView, responses=problems(*SIGNED_IN, *BODY, 404, 409),
             summary="Close an account (a leaver): its sessions and tokens are refused from their next use")
def deactivate_user(user_id: UserId, principal: Writer, ports: PortsDep, now: Now,
                    body: bodies.Deactivation | None = None) -> JSONResponse:
    c = admin.DeactivateUser(user_id, body.reason if body else None)
    return answer(user_json(admin.deactivate_user(ports, principal, c, now)))


@router.post("/users/{user_id}/grants", status_code=201, response_model=shapes.UserView, responses=CHANGE,
             summary="Grant a role at a service, across the organisation, or an inspector's access to cases until a time")
def grant_role(user_id: UserId, body: bodies.Grant, principal: Writer, ports: PortsDep, now: Now) -> JSONResponse:
    # service left out is not across the organisation: for a role held at a service, that is said with null
    service = body.service if "service" in body.model_fields_set else ""
    c = admin.GrantRole(user_id, body.role, service, tuple(body.cases), body.until)
    try:
        outcome = admin.grant_role(ports, principal, c, now)
    except Invalid as e:  # the page's words name its "Where" choice; here, the field
        if e.details.get("organisation_only"):
            raise Invalid(f"The role {role_name(c.role)} is held across the whole organisation: send service as null.",
                          **e.details) from None
        if e.details.get("where_unchosen"):
            raise Invalid("Say where they hold the role: send service as null for across the organisation, or name "
                          "a service.", **e.details) from None
        raise
    return done(outcome, user_json(outcome.value), 201)


@router.post("/users/{user_id}/revocations", response_model=shapes.UserView, responses=CHANGE,
             summary="Revoke a role they hold: their sessions and tokens lose it from their next request")
def revoke_role(user_id: UserId, body: bodies.Revocation, principal: Writer, ports: PortsDep, now: Now) -> JSONResponse:
    return answer(user_json(admin.revoke_role(ports, principal, admin.RevokeRole(user_id, body.role, body.service), now)))


@router.put("/users/{user_id}/alerts", response_model=shapes.UserView, responses=CHANGE,
            summary="Set where a person's alerts go: their email address and UK mobile number")
def set_alerts(user_id: UserId, body: bodies.AlertsOf, principal: Writer, ports: PortsDep, now: Now) -> JSONResponse:
    outcome = set_alerts_of(ports, principal, SetAlertsOf(user_id, body.email, body.mobile), now)
    return done(outcome, user_json(outcome.value))


@router.post("/users/{user_id}/reset-link", response_model=shapes.ResetLinkSent,
             responses=problems(*SIGNED_IN, 404, 409, 422),
             summary="Send a person a one-time link to set their password, by email (the link is never answered)")
def send_reset_link(user_id: UserId, principal: Writer, ports: PortsDep, now: Now) -> JSONResponse:
    sent = issue_reset_link(ports, principal, user_id, now)
    body = {"user_id": sent.user_id, "expires_at": sent.expires_at.isoformat(), "sent_again": sent.again}
    return done(Outcome(body, replayed=sent.again), body)
