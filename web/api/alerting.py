"""The API of alerts that people see (issue 20): my contact details and alert preferences, a test
alert, and a service's on-call rota. Each route parses, calls one use case (casework/alerting.py),
and answers. Contact details are answered to their own person only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime, BaseModel, Field, StrictBool
from starlette.responses import JSONResponse

from casework import alerting
from web.api.answers import answer
from web.api.contract import BODY, READ, SIGNED_IN, problems
from web.api.deps import Now, PortsDep, Reader, Writer
from web.api.strict import Body, StrictRoute

router = APIRouter(tags=["alerts"], route_class=StrictRoute)
ROLE = Annotated[str, Path(description="the role on call", json_schema_extra={"enum": list(alerting.on_call_roles())})]
SERVICE = Annotated[str, Path(description="the service's id")]


class ContactDetails(Body):
    """Where your alerts go. Give both each time: a detail left out (or null) is cleared."""

    what: ClassVar[str] = "contact details"
    email: str | None = Field(None, max_length=254, description="where email alerts go")
    mobile: str | None = Field(None, max_length=32, description="a UK mobile number, for urgent alerts by text message")
    approaching_alerts: StrictBool = Field(True, description="alerts when a deadline of a step you can complete is near; "
                                                       "escalations to a role you hold cannot be turned off")


class OnCallEntry(Body):
    what: ClassVar[str] = "on-call entry"
    user_id: str = Field(max_length=64, description="who is on call: someone who holds the role at the service")
    start: AwareDatetime = Field(description="when their cover starts, with its UTC offset")
    end: AwareDatetime = Field(description="when it ends (at most 31 days later)")


class RoleWhere(BaseModel):
    role: str
    service: str | None = Field(description="null: organisation-wide")


class MyAlertsView(BaseModel):
    user_id: str
    email: str | None
    mobile: str | None
    approaching_alerts: bool
    escalations: list[RoleWhere] = Field(description="the roles whose escalations reach you: these cannot be turned off")
    can_email: bool = Field(description="email alerts are set up on this Safeguard")
    can_text: bool = Field(description="text message alerts are set up on this Safeguard")


class Sent(BaseModel):
    channel: str
    via: str
    reference: str


class TestAlertView(BaseModel):
    __test__ = False

    user_id: str
    sent: list[Sent]
    not_sent: list[str]


class Entry(BaseModel):
    user_id: str
    start: datetime
    end: datetime
    set_by: str


class Gap(BaseModel):
    start: datetime
    end: datetime


class Holder(BaseModel):
    user_id: str
    display_name: str


class RotaAnswer(BaseModel):
    service: str
    role: str
    start: datetime
    end: datetime
    entries: list[Entry]
    gaps: list[Gap] = Field(description="out of working hours with nobody on call: an alert then goes one role up")
    holders: list[Holder] = Field(description="who holds the role at the service: who may be put on call")


def my_alerts_json(v: alerting.MyAlerts) -> dict[str, Any]:
    return {"user_id": v.user_id, "email": v.email, "mobile": v.mobile, "approaching_alerts": v.approaching_alerts,
            "escalations": [{"role": r, "service": s} for r, s in v.escalations], "can_email": v.can_email,
            "can_text": v.can_text}


def rota_json(v: alerting.RotaView) -> dict[str, Any]:
    return {"service": v.service, "role": v.role, "start": v.start, "end": v.end,
            "entries": [{"user_id": e.user_id, "start": e.start, "end": e.end, "set_by": e.by} for e in v.entries],
            "gaps": [{"start": s, "end": e} for s, e in v.gaps],
            "holders": [{"user_id": u, "display_name": n} for u, n in v.holders]}


@router.get("/me/alerts", summary="Your contact details for alerts, and which alerts you get", response_model=MyAlertsView,
            responses=READ)
def read_my_alerts(principal: Reader, ports: PortsDep, now: Now) -> JSONResponse:
    return answer(my_alerts_json(alerting.my_alerts(ports, principal, alerting.ReadAlerts(), now)))


@router.put("/me/alerts", summary="Set your contact details for alerts and whether you want approaching-deadline alerts",
            response_model=MyAlertsView, responses=problems(*SIGNED_IN, *BODY))
def set_my_alerts(body: ContactDetails, principal: Writer, ports: PortsDep, now: Now) -> JSONResponse:
    c = alerting.SetAlerts(body.email, body.mobile, body.approaching_alerts)
    return answer(my_alerts_json(alerting.set_my_alerts(ports, principal, c, now)))


@router.post("/me/alerts/test", summary="Send yourself a test alert by the channels set up", response_model=TestAlertView,
             responses=problems(*SIGNED_IN, 409, 422, 503))
def send_test_alert(principal: Writer, ports: PortsDep, now: Now) -> JSONResponse:
    done = alerting.send_test_alert(ports, principal, alerting.SendTestAlert(), now)  # sync: FastAPI runs it in a thread
    return answer({"user_id": done.user_id, "sent": [{"channel": d.channel, "via": d.via, "reference": d.reference}
                                                     for d in done.sent], "not_sent": list(done.not_sent)})


@router.get("/services/{service}/on-call/{role}", summary="Who is on call for a role at a service, and the gaps",
            response_model=RotaAnswer, responses=READ)
def read_rota(service: SERVICE, role: ROLE, principal: Reader, ports: PortsDep, now: Now,
              days: Annotated[int, Query(ge=1, le=62, description="how many days ahead")] = alerting.ROTA_DAYS) -> JSONResponse:
    return answer(rota_json(alerting.rota(ports, principal, alerting.ReadRota(service, role, days), now)))


@router.post("/services/{service}/on-call/{role}", summary="Put someone on call for a role at a service",
             response_model=RotaAnswer, status_code=201, responses=problems(*SIGNED_IN, *BODY))
def set_on_call(service: SERVICE, role: ROLE, body: OnCallEntry, principal: Writer, ports: PortsDep,
                now: Now) -> JSONResponse:
    c = alerting.SetOnCall(service, role, body.user_id, body.start, body.end)
    return answer(rota_json(alerting.set_on_call(ports, principal, c, now)), 201)
