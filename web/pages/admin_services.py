"""Services on a page, for administrators (issue 22): every service with its details, a service
added, a service's details changed, through the same use cases as `safeguard services`
(casework/services.py). A refused form shows each problem by its question and records nothing; sent
twice, it records once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from casework import services
from casework.access import allowed
from casework.refusals import Conflict, Invalid, NotFound
from domain.access import Principal, may_administer
from domain.services import DETAILS
from web.identity import web
from web.pages.render import flash, page
from web.pages.signin import form_of, principal_of

router = APIRouter()
FIELDS = ("service_id", *DETAILS)  # the form's questions, in order
LABELS = {"service_id": "Service id", "name": "Service name", "provider": "Provider",
          "client_group": "Who the service supports (client group)", "company": "Registered company (optional)"}
HINTS = {"service_id": "Your organisation's code for the service, like SVC-ELM. It cannot be changed later.",
         "client_group": "For example, learning disability, or older people.",
         "company": "Only if it is not the provider's name. Leave it empty to take it away."}


def by_words(by: str) -> str:
    """Who recorded a change, for a person: a staff id, the command line's user, or Safeguard itself."""
    if by.startswith("cli:"):
        return f"the command line ({by[4:]})"
    return "Safeguard, when it started" if by == "safeguard:start" else by


def _field(problem_field: str) -> str:
    return "service_id" if problem_field == "id" else problem_field


def _problems(e: Invalid | Conflict) -> dict[str, str]:
    found = e.details.get("problems") or {e.details.get("field", "id"): e.message}
    return {_field(k): v for k, v in found.items()}


def _summary(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": errors[f], "href": f"#{f}"} for f in FIELDS if f in errors]


async def _administrator(request: Request) -> Principal:
    """The signed-in administrator; anyone else is refused (NotPermitted, in the access log: a page saying so)."""
    principal = await principal_of(request)
    await run_in_threadpool(allowed, web(request).ports, principal, may_administer(principal, "manage services"))
    return principal


async def _list_page(request: Request, principal: Principal, values: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None, status: int = 200) -> Response:
    found = await run_in_threadpool(services.services, web(request).ports)
    errors = errors or {}
    return page(request, "admin_services.html", principal, status=status, services=found, values=values or {},
                errors=errors, summary=_summary(errors), labels=LABELS, hints=HINTS, fields=FIELDS, by_words=by_words)


def _edit_page(request: Request, principal: Principal, record: Any, values: dict[str, str],
               errors: dict[str, str] | None = None, status: int = 200) -> Response:
    errors = errors or {}
    return page(request, "admin_service.html", principal, status=status, service=record, values=values, errors=errors,
                summary=_summary(errors), labels=LABELS, hints=HINTS, fields=DETAILS, by_words=by_words)


def _typed(form: Any) -> dict[str, str]:
    return {f: str(form.get(f, "")).strip() for f in FIELDS}


@router.get("/admin/services")
async def services_page(request: Request) -> Response:
    return await _list_page(request, await _administrator(request))


@router.post("/admin/services")
async def add_service(request: Request) -> Response:
    principal = await _administrator(request)
    form = await form_of(request, principal)
    ctx, values = web(request), _typed(form)
    c = services.AddService(values["service_id"], values["name"], values["provider"], values["client_group"],
                            values["company"] or None)
    try:
        done = await run_in_threadpool(services.add_service, ctx.ports, principal, c, ctx.now().replace(microsecond=0))
    except (Invalid, Conflict) as e:
        return await _list_page(request, principal, values, _problems(e), 422 if isinstance(e, Invalid) else 409)
    r = done.value
    flash(request, f"{r.name} ({r.service_id}) was already added with these details: nothing was changed."
          if done.replayed else f"{r.name} ({r.service_id}) was added.")
    return RedirectResponse("/admin/services", status_code=303)


async def _record(request: Request, service_id: str) -> Any:
    found = {r.service_id: r for r in await run_in_threadpool(services.services, web(request).ports)}
    if service_id not in found:
        raise NotFound(f"There is no service {service_id}. Check the address, or add it on the Services page.")
    return found[service_id]


@router.get("/admin/services/{service_id}")
async def service_page(request: Request, service_id: str) -> Response:
    principal = await _administrator(request)
    record = await _record(request, service_id)
    values = {k: v or "" for k, v in record.details().items()}
    return _edit_page(request, principal, record, values)


@router.post("/admin/services/{service_id}")
async def change_service(request: Request, service_id: str) -> Response:
    principal = await _administrator(request)
    form = await form_of(request, principal)
    record = await _record(request, service_id)
    ctx, values = web(request), _typed(form)
    changes = {k: values[k] or None for k in DETAILS}
    try:
        done = await run_in_threadpool(services.change_service, ctx.ports, principal,
                                       services.ChangeService(service_id, changes), ctx.now().replace(microsecond=0))
    except (Invalid, Conflict) as e:
        return _edit_page(request, principal, record, values, _problems(e), 422 if isinstance(e, Invalid) else 409)
    flash(request, f"{done.value.name} ({service_id}): the details were already as given, so nothing was changed."
          if done.replayed else f"{done.value.name} ({service_id}): the details were changed.")
    return RedirectResponse("/admin/services", status_code=303)
