"""The case page: its header, open steps with forms generated from the pathway, developments,
notes, escalations, the chronology as at any instant, and the actions on it (web/pages/case_actions.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from casework import case_reads
from casework.inputs import parse_as_at
from casework.refusals import Invalid
from domain.access import Principal, may_acknowledge, may_act_at, may_add_note, may_complete, may_export_case, may_reach
from domain.pathway import current_pathway
from domain.threshold import load_profile
from projections.case_history import chronology, escalations as escalation_rows, escalations_ended
from web.identity import web
from web.pages import forms
from web.pages.formats import countdown
from web.pages.render import form_key, page
from web.pages.signin import principal_of

router = APIRouter()
DEVELOPMENT_KINDS = ("new_incident", "agency_contact", "other")
LOCAL = ("localhost", "127.0.0.1", "")


def temporal_ui(request: Request, case_id: str) -> str:
    """The case's workflow in the Temporal UI. A local UI is linked on the host the pages were reached
    on: the same site, so the UI's calls to the codec endpoint carry the session cookie (SameSite)."""
    s = web(request).settings
    host = s.temporal_address.rsplit(":", 1)[0]
    if host in LOCAL:
        host = request.url.hostname or "127.0.0.1"
    return f"http://{host}:{s.temporal_ui_port}/namespaces/{s.temporal_namespace}/workflows/{quote(case_id)}"


def step_view(principal: Principal, service: str, s: Any, now: datetime, request: Request,
              form_state: dict[str, Any]) -> dict[str, Any]:
    ctx = web(request)
    pathway_step = current_pathway().step(s.step)
    decision = may_complete(principal, service, s.step, s.can_complete)
    state = form_state.get(f"{s.step}#{s.occurrence}", {})
    fields = forms.fill(forms.step_fields(pathway_step), state.get("values", {}), state.get("errors", {})) \
        if pathway_step else []
    questions: list[forms.FormField] = []
    threshold = current_pathway().threshold
    categories: list[tuple[str, str]] = []
    category = ""
    if threshold and pathway_step and s.step == threshold.assessed_at:
        profile = load_profile(ctx.settings.threshold_profile_for(service))
        categories = [(c.key, c.title) for c in profile.categories]
        category = state.get("values", {}).get(threshold.category_field) or threshold.default_category
        questions = forms.fill(forms.threshold_questions(profile, category), state.get("values", {}), {})
    return {"step": s.step, "occurrence": s.occurrence, "role": s.role, "can_complete": list(s.can_complete),
            "missed": s.missed, "deadline": s.deadline, "countdown": countdown(s.step, s.due, now, ctx.settings.calendar),
            "title": pathway_step.title if pathway_step else s.step, "help": forms.step_help(pathway_step) if pathway_step else None,
            "may": bool(decision), "as_role": decision.role, "refusal": decision.reason, "fields": fields,
            "questions": questions, "categories": categories, "category": category,
            "profile": ctx.settings.threshold_profile_for(service), "rest": state.get("rest", []),
            "form_key": state.get("values", {}).get("form_key") or form_key()}


async def case_page(request: Request, principal: Principal, case_id: str, as_at_: str | None = None,
                    form_state: dict[str, Any] | None = None, status_code: int = 200,
                    notices: list[dict[str, str]] | None = None) -> Response:
    ctx = web(request)
    now = ctx.now().replace(microsecond=0)
    instant, as_at_error = None, None
    if as_at_:
        try:
            instant = parse_as_at(forms.from_london_input(as_at_).isoformat(), ctx.now(), option="as at")
        except ValueError:
            as_at_error = f"as at: {as_at_!r} is not a date and time"
        except Invalid as e:
            as_at_error = e.message
    view = await case_reads.case_view(ctx.ports, principal, case_id, now, instant)
    service, status = view.service, view.status
    state = form_state or {}
    steps = [step_view(principal, service, s, now, request, state) for s in status.open_steps] if status else []
    escalations, ended = escalation_rows(view.facts), escalations_ended(view.facts)
    for e in escalations:
        e["may"] = bool(may_acknowledge(principal, service, e["escalation_id"], e["to_role"]))
        e["ended_at"] = ended.get(e["escalation_id"])
    keyed = {name: state.get(name, {}).get("values", {}).get("form_key") or form_key() for name in ("development", "note")}
    readers = None
    if may_reach(principal, "access_log"):  # who read it: for those who answer for personal data
        readers = await run_in_threadpool(case_reads.who_read, ctx.ports, principal, case_id, now)
    return page(request, "case.html", principal, status=status_code, case_id=case_id, service=service,
                concern=view.facts[0].fact.concern, status_=status, unavailable=view.unavailable, steps=steps,
                escalations=escalations, chronology=chronology(view.shown), as_at=as_at_ or "", as_at_error=as_at_error,
                instant=instant, now=now, temporal_ui=temporal_ui(request, case_id), notices=notices,
                development_kinds=DEVELOPMENT_KINDS, development=state.get("development", {}),
                development_key=keyed["development"], note=state.get("note", {}), note_key=keyed["note"],
                may_develop=bool(may_act_at(principal, service, "recording a development")),
                may_note=bool(may_add_note(principal, case_id, service, now)),
                export=may_export_case(principal, case_id, service, now), readers=readers)


@router.get("/cases/{case_id}")
async def case(request: Request, case_id: str, as_at: str | None = None) -> Response:
    principal = await principal_of(request)
    return await case_page(request, principal, case_id, as_at)
