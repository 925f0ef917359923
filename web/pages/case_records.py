"""The case's small forms, each on its own page: record a development, add a note, acknowledge an
escalation. They post where they always have (web/pages/case_actions.py); a refusal shows the
same page again with its problems."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from domain.access import Principal, may_act_at, may_add_note
from web.pages import drafts, forms
from web.pages.case import escalation_list, read_case
from web.pages.case_step import error_summary
from web.pages.render import form_key, page
from web.pages.signin import principal_of
from web.problems import Problem

router = APIRouter()
DEVELOPMENT_KINDS = ("new_incident", "agency_contact", "other")
KIND_WORDS = {"new_incident": "A new incident", "agency_contact": "Contact with another agency", "other": "Something else"}


def development_fields() -> list[forms.FormField]:
    return [forms.FormField("kind", "What kind of development is it?", "choice", True, choices=DEVELOPMENT_KINDS,
                            extra={"choice_words": KIND_WORDS}),
            forms.FormField("summary", "What happened?", "text", True,
                            help="Use ids, not names: for example A-117, SSW-81.", extra={"maxlength": 4000})]


def note_fields() -> list[forms.FormField]:
    return [forms.FormField("text", "Note", "text", True, help="Use ids, not names: for example A-117, SSW-81.",
                            extra={"maxlength": 2000})]


def ack_fields(escalation_id: str) -> list[forms.FormField]:
    return [forms.FormField("note", "What was done?", "text", True,
                            help="Acknowledging the escalation records what was done about it.", extra={"maxlength": 2000})]


FORMS = {"development": development_fields, "note": note_fields}


async def record_page(request: Request, principal: Principal, case_id: str, name: str, state: dict[str, Any] | None = None,
                      status_code: int = 200, notices: list[dict[str, str]] | None = None) -> Response:
    """The development or note page; after a refusal, again with what was typed and the problems."""
    state = state or {}
    view, now = await read_case(request, principal, case_id)
    may = may_act_at(principal, view.service, "record a development") if name == "development" \
        else may_add_note(principal, case_id, view.service, now)
    fields = forms.fill(FORMS[name](), state.get("values", {}), state.get("errors", {}))
    return page(request, f"case_{name}.html", principal, status=status_code, notices=notices, case_id=case_id,
                fields=fields, summary=error_summary(fields, state.get("rest", [])),
                form_key=state.get("values", {}).get("form_key") or form_key(),
                status_=view.status, may=may)


async def escalation_page(request: Request, principal: Principal, case_id: str, escalation_id: str,
                          state: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    state = state or {}
    view, _ = await read_case(request, principal, case_id)
    e = next((x for x in escalation_list(principal, view) if x["escalation_id"] == escalation_id), None)
    if e is None:
        raise Problem(404, f"Case {case_id} has no escalation {escalation_id}.")
    fields = forms.fill(ack_fields(escalation_id), state.get("values", {}), state.get("errors", {}))
    return page(request, "case_escalation.html", principal, status=status_code, case_id=case_id, e=e, fields=fields,
                summary=error_summary(fields, state.get("rest", [])),
                form_key=state.get("values", {}).get("form_key") or form_key())


@router.get("/cases/{case_id}/developments/new")
async def new_development(request: Request, case_id: str) -> Response:
    principal = await principal_of(request)
    state, notices = await drafts.kept(request, principal, case_id)
    return await record_page(request, principal, case_id, "development", state, notices=notices)


@router.get("/cases/{case_id}/notes/new")
async def new_note(request: Request, case_id: str) -> Response:
    principal = await principal_of(request)
    state, notices = await drafts.kept(request, principal, case_id)
    return await record_page(request, principal, case_id, "note", state, notices=notices)


@router.get("/cases/{case_id}/escalations/{escalation_id}")
async def escalation(request: Request, case_id: str, escalation_id: str) -> Response:
    principal = await principal_of(request)
    state, _ = await drafts.kept(request, principal, case_id)
    return await escalation_page(request, principal, case_id, escalation_id, state)
