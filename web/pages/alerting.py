"""The pages of alerts that people see (issue 20): "My alerts" for everyone signed in (where my
alerts go, approaching-deadline alerts on or off, a test alert) and "On call" for managers (who is
on call over the next 14 days, the gaps out of hours, and adding an entry in UK time). Each calls
the same use cases as the API (casework/alerting.py); a refused form shows each problem by its field
and in the error summary at the top of the page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from casework import alerting
from casework.services import known_services
from casework.refusals import Invalid, NotFound, NotOpen, NotPermitted, Unavailable
from domain.access import Principal, keeps_a_rota
from web.identity import web
from web.pages.formats import from_london_input, london, london_input
from web.pages.render import flash, page
from web.pages.signin import form_of, principal_of

router = APIRouter()
CONTACT_FIELDS = ("email", "mobile")
ENTRY_FIELDS = ("user_id", "start", "end")


def _summary(errors: dict[str, str], rest: list[str] | None = None) -> list[dict[str, str]]:
    """The error summary's lines: each field's problem linking to its field, then the rest."""
    dated = ("start", "end")  # a date and time: its first part (the day) takes the focus
    return [{"text": text, "href": f"#{name}-day" if name in dated else f"#{name}"} for name, text in errors.items()] + \
        [{"text": text, "href": ""} for text in rest or []]


# ---- My alerts ----------------------------------------------------------------------------------------


async def _my_alerts_page(request: Request, principal: Principal, values: dict[str, Any] | None = None,
                          errors: dict[str, str] | None = None, rest: list[str] | None = None,
                          status: int = 200) -> Response:
    ctx = web(request)
    view = await run_in_threadpool(alerting.my_alerts, ctx.ports, principal, alerting.ReadAlerts(), ctx.now())
    values = values if values is not None else {"email": view.email or "", "mobile": view.mobile or "",
                                                "approaching_alerts": view.approaching_alerts}
    return page(request, "my_alerts.html", principal, status=status, view=view, values=values, errors=errors or {},
                summary=_summary(errors or {}, rest))


@router.get("/alerts")
async def my_alerts(request: Request) -> Response:
    principal = await principal_of(request)
    return await _my_alerts_page(request, principal)


@router.post("/alerts")
async def set_my_alerts(request: Request) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    values = {"email": form.get("email", "").strip(), "mobile": form.get("mobile", "").strip(),
              "approaching_alerts": form.get("approaching_alerts") == "yes"}
    c = alerting.SetAlerts(values["email"] or None, values["mobile"] or None, values["approaching_alerts"])
    try:
        await run_in_threadpool(alerting.set_my_alerts, ctx.ports, principal, c, ctx.now())
    except Invalid as e:
        field = e.details.get("field")
        errors = {field: e.message} if field in CONTACT_FIELDS else {}
        return await _my_alerts_page(request, principal, values, errors, [] if errors else [e.message], status=422)
    flash(request, "Your alert settings have been saved.")
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/test")
async def send_test_alert(request: Request) -> Response:
    principal = await principal_of(request)
    await form_of(request, principal)
    ctx = web(request)
    try:
        done = await run_in_threadpool(alerting.send_test_alert, ctx.ports, principal, alerting.SendTestAlert(), ctx.now())
    except (Invalid, NotOpen, Unavailable) as e:
        status = 422 if isinstance(e, Invalid) else 409 if isinstance(e, NotOpen) else 503
        return await _my_alerts_page(request, principal, rest=[e.message], status=status)
    words = {"email": "your email address", "text": "your mobile by text message"}
    flash(request, f"A test alert was sent to {' and '.join(words[d.channel] for d in done.sent)}. "
                   "If it does not arrive within a few minutes, check your details below or ask your operator.")
    for problem in done.not_sent:
        flash(request, problem, "problem")
    return RedirectResponse("/alerts", status_code=303)


# ---- On call ------------------------------------------------------------------------------------------


async def _on_call_page(request: Request, principal: Principal, service: str, role: str,
                        values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                        rest: list[str] | None = None, status: int = 200) -> Response:
    ctx = web(request)
    if not keeps_a_rota(principal):
        raise NotPermitted("The On call page is for managers and safeguarding leads: you hold no such role.")
    services = await run_in_threadpool(alerting.rota_services, ctx.ports, principal)
    view, chooser_error = None, None
    if service and role:
        try:
            view = await run_in_threadpool(alerting.rota, ctx.ports, principal, alerting.ReadRota(service, role),
                                           ctx.now().replace(microsecond=0))
        except (Invalid, NotPermitted, NotFound) as e:
            chooser_error, status = e.message, 422 if isinstance(e, Invalid) else 403
    now = ctx.now()
    values = values or {"start": london_input(now.replace(second=0, microsecond=0)), "end": ""}
    all_errors = {**({"service": chooser_error} if chooser_error else {}), **(errors or {})}
    known = await run_in_threadpool(known_services, ctx.ports)
    return page(request, "on_call.html", principal, status=status, services=services, known=known,
                roles=alerting.on_call_roles(), service=service, role=role, view=view, values=values,
                errors=all_errors, summary=_summary(all_errors, rest))


@router.get("/on-call")
async def on_call(request: Request, service: str = "", role: str = "") -> Response:
    principal = await principal_of(request)
    return await _on_call_page(request, principal, service.strip(), role.strip())


@router.post("/on-call")
async def add_on_call(request: Request) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    service, role = form.get("service", "").strip(), form.get("role", "").strip()
    values = {k: form.get(k, "").strip() for k in ENTRY_FIELDS}
    errors: dict[str, str] = {}
    if not values["user_id"]:
        errors["user_id"] = "Choose who is on call."
    instants = {}
    for name, words in (("start", "when their cover starts"), ("end", "when their cover ends")):
        try:
            instants[name] = from_london_input(values[name]) if values[name] else None
        except ValueError:
            instants[name] = None
        if instants[name] is None:
            errors[name] = f"Enter {words} as a date and time, for example 14/03/2027 17:00."
    if errors:
        return await _on_call_page(request, principal, service, role, values, errors, status=422)
    c = alerting.SetOnCall(service, role, values["user_id"], instants["start"], instants["end"])
    try:
        await run_in_threadpool(alerting.set_on_call, ctx.ports, principal, c, ctx.now())
    except Invalid as e:
        field = e.details.get("field")
        where = {field: e.message} if field in ENTRY_FIELDS else {}
        return await _on_call_page(request, principal, service, role, values, where, [] if where else [e.message],
                                   status=422)
    flash(request, f"{values['user_id']} is on call for {role.replace('_', ' ')} at {service} from "
                   f"{london(instants['start'])} to {london(instants['end'])}.")
    return RedirectResponse("/on-call?" + urlencode({"service": service, "role": role}), status_code=303)
