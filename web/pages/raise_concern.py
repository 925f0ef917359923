"""Raising a concern from a page: the form, and its sending through the same use case as the API.
A refused form shows each problem next to its field and records nothing; sent twice (a double
click, a second tab), it records once and says so."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from casework import cases, services
from casework.refusals import NotPermitted, NotYetRecorded, Refusal
from domain.access import Principal
from domain.concern import REPORTER_KINDS, SOURCE_KINDS
from web.identity import web
from web.pages import forms
from web.pages.formats import london, london_input
from web.pages.render import flash, form_key, page
from web.pages.signin import form_of, principal_of
from web.pages.words import page_error, words_for

router = APIRouter()
SERVICE_DETAILS = ("name", "provider", "client_group")
DETAIL_WORDS = {"name": "name", "provider": "provider", "client_group": "client group"}
CONCERN_FIELDS = ("identified_at", "service", "adult_at_risk", "alleged_source", "summary")


def _services(principal: Principal) -> list[str] | None:
    """The services the user may raise a concern at (None: organisation-wide, any service id)."""
    services = principal.services()
    return None if services is None else sorted(services)


def _identified(values: dict[str, str], errors: dict[str, str]) -> forms.FormField:
    """When the concern was identified: the date input and a 24-hour time, as every date on the pages."""
    words = words_for("identified_at")
    return forms.fill([forms.FormField("identified_at", words.question, "instant", True, help=words.hint)],
                      values, errors)[0]


def _concern_form(request: Request, principal: Principal, values: dict[str, str], errors: dict[str, str],
                  rest: list[str], status: int = 200) -> Response:
    return page(request, "raise.html", principal, status=status, values=values, errors=errors, rest=rest,
                identified=_identified(values, errors), services=_services(principal), known=known_services(web(request)),
                source_kinds=SOURCE_KINDS, reporter_kinds=REPORTER_KINDS,
                form_key=values.get("form_key") or form_key())


def known_services(ctx) -> dict[str, dict[str, str]]:
    """Services' details by id, from their records (issue 22: a service raised at before, or set up by
    an administrator or the settings, needs none). A service new to Safeguard is recorded with the
    details typed here when its concern is raised (casework.cases.raise_concern)."""
    return services.known_services(ctx.ports)


def concern_data(form: dict[str, str], known: dict[str, dict[str, str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """The concern body a form gives (the API's shape), and the problems the form itself has."""
    problems: dict[str, str] = {}
    service_id = form.get("service", "").strip()
    typed = {k: form.get(f"service_{k}", "").strip() for k in SERVICE_DETAILS}
    # a service Safeguard knows keeps its details: a concern raised at it cannot rename it
    details = dict(known[service_id]) if service_id in known else typed
    identified = form.get("identified_at", "").strip()
    if not identified:
        problems["identified_at"] = page_error("identified_at", "missing")
    else:
        try:
            identified = forms.from_london_input(identified).isoformat()
        except ValueError:
            problems["identified_at"] = page_error("identified_at", "is not a date and time")
    missing = [DETAIL_WORDS[k] for k in SERVICE_DETAILS if not details.get(k)]
    if not service_id:
        problems["service"] = "Enter the service's id"
    elif service_id in known and any(typed[k] and typed[k] != details.get(k) for k in SERVICE_DETAILS):
        problems["service"] = (f"{service_id} is already known to Safeguard as {details.get('name')}: leave "
                               "'The service is new to Safeguard' empty")
    elif missing:
        listed = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
        problems["service"] = f"This service is new to Safeguard: enter its {listed} under 'The service is new to Safeguard'"
    # every question left empty is named at once, not one layer at a time
    if not form.get("adult_at_risk", "").strip():
        problems["adult_at_risk"] = "Enter the id of the adult at risk, like A-117"
    if form.get("source_kind", "service_user") in ("", "service_user") and not form.get("alleged_source", "").strip():
        problems["alleged_source"] = "Enter the id of the service user alleged to have caused the harm, like A-204"
    if not form.get("summary", "").strip():
        problems["summary"] = "Enter what happened"
    data = {"identified_at": identified, "service": {"id": service_id, **details},
            "adult_at_risk": {"id": form.get("adult_at_risk", "").strip()},
            "alleged_source": _source(form),
            "summary": form.get("summary", "").strip()}
    reporter = form.get("reported_by", "staff").strip()
    if reporter and reporter != "staff":
        data["reported_by"] = {"kind": reporter}
    if form.get("late_report_reason", "").strip():  # identified long ago: why it is raised only now
        data["late_report_reason"] = form["late_report_reason"].strip()
    return data, problems


def _source(form: dict[str, str]) -> dict[str, str]:
    """The alleged source: a service user by id, anyone else by kind (an id given with it is kept, for
    the concern's own check to refuse in words)."""
    kind = form.get("source_kind", "service_user").strip() or "service_user"
    source_id = form.get("alleged_source", "").strip()
    if kind == "service_user":
        return {"id": source_id}
    return {"kind": kind, **({"id": source_id} if source_id else {})}


def _refused(request: Request, principal: Principal, form: dict[str, str], e: Refusal, ctx) -> Response:
    """The form again, each problem next to its answer; nothing was recorded."""
    if isinstance(e, NotYetRecorded):
        return _concern_form(request, principal, form, {}, [e.explain(ctx.settings.store_name(), ctx.settings.task_queue)], 503)
    if isinstance(e, NotPermitted):
        return _concern_form(request, principal, form, {"service": e.message}, [], 403)
    errors, rest = forms.worded_errors(e.message, CONCERN_FIELDS, "concern: ")
    if "late_report_reason" in e.message:  # too long ago without a reason: the question that takes one says so
        errors["late_report_reason"] = errors.pop("identified_at", None) or page_error("late_report_reason", "missing")
    return _concern_form(request, principal, form, errors, rest, 422)


@router.get("/concerns/new")
async def raise_form(request: Request) -> Response:
    principal = await principal_of(request)
    return _concern_form(request, principal, {"identified_at": london_input(web(request).now())}, {}, [])


@router.post("/concerns/new")
async def raise_form_again(request: Request) -> Response:
    """Back from checking the answers to change them: the form again, as it was filled."""
    principal = await principal_of(request)
    return _concern_form(request, principal, await form_of(request, principal), {}, [])


@router.post("/concerns")
async def raise_post(request: Request) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    data, problems = concern_data(form, await run_in_threadpool(known_services, ctx))
    if problems:
        return _concern_form(request, principal, form, problems, [], 422)
    if form.get("confirm") != "yes":  # check your answers before anything is recorded: checked first as raising would
        try:
            await run_in_threadpool(cases.check_concern, ctx.ports, principal, cases.RaiseConcern(data),
                                    ctx.now().replace(microsecond=0))
        except Refusal as e:
            return _refused(request, principal, form, e, ctx)
        return page(request, "raise_check.html", principal, values=form, concern=data,
                    service=(await run_in_threadpool(known_services, ctx)).get(data["service"]["id"], data["service"]),
                    identified=forms.from_london_input(form["identified_at"]))
    try:
        outcome = await cases.raise_concern(ctx.ports, principal, cases.RaiseConcern(data),
                                            ctx.now().replace(microsecond=0))
    except Refusal as e:
        return _refused(request, principal, form, e, ctx)
    case_id = outcome.value.case_id
    if outcome.replayed:
        flash(request, f"This concern was already raised as case {case_id} at {london(outcome.at)}: "
                       "it was recorded once.", "problem")
    else:
        flash(request, f"Concern raised as case {case_id}: record it within the deadline below.")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
