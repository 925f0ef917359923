"""Raising a concern and the case page: its header, open steps with forms generated from the
pathway, developments, escalations, the chronology as at any instant, and the actions on it.

Each action is the API's, over the same rules and service layer: who may (domain/access.py,
refusals audited), the actor and role from the identity, then casework. A refused form shows each
problem next to its field in the case's own words and records nothing; a form sent twice (a double
click, a second tab, a page left open while a colleague acted) records once and says what happened.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from casework import commands, queries
from casework.authorised import acknowledgement_decision, completion_decision, raised_by
from casework.availability import ANSWER_WITHIN
from casework.errors import CaseworkError, NotYetRecorded, Unavailable
from cli.common import CommandError, parse_as_at, validate
from domain.access import Principal, may_acknowledge, may_act_at, may_complete, may_export_case
from domain.case import CaseStatus
from domain.concern import Acknowledgement, ConcernBody, Development, StepCompletion
from domain.facts import StepCompleted
from domain.identity import IdempotentAnswer
from domain.pathway import current_pathway
from domain.threshold import load_profile
from projections.case_history import chronology, escalations as escalation_rows
from projections.commissioner import commissioner_records
from projections.registry import open_documents
from web.api import refuse, rules_context, visible_case
from web.identity import audit, web
from web.pages import forms
from web.pages.formats import countdown, london, london_input
from web.pages.render import page
from web.pages.signin import form_of, principal_of
from web.problems import Problem

router = APIRouter()
DEVELOPMENT_KINDS = ("new_incident", "agency_contact", "other")
SERVICE_DETAILS = ("name", "provider", "client_group")


# ---- messages carried to the next page, and forms sent once ----------------------------------------


def flash(request: Request, text: str, kind: str = "done") -> None:
    request.session.setdefault("flash", []).append({"text": text, "kind": kind})


_sending: dict[tuple[str, str], asyncio.Lock] = {}


async def once(request: Request, principal: Principal, form: dict[str, str], work) -> tuple[bool, dict[str, Any]]:
    """Run `work` once per form (its hidden `form_key`, kept with the answer in the event store as
    the API keeps an Idempotency-Key's): sent again, from a double click or a second tab, it answers
    (False, what the first sending recorded)."""
    ctx = web(request)
    key = form.get("form_key", "")
    if not (0 < len(key) <= 200 and key.isprintable()):
        return True, await work()
    lock = _sending.setdefault((principal.user_id, key), asyncio.Lock())
    async with lock:
        kept = await run_in_threadpool(ctx.accounts.answer, principal.user_id, "page:" + key)
        if kept is not None:
            return False, {**json.loads(kept.body), "at": kept.at}
        result = await work()
        digest = hashlib.sha256(json.dumps(result, sort_keys=True, default=str).encode()).hexdigest()
        await run_in_threadpool(ctx.accounts.keep_answer, IdempotentAnswer(
            at=ctx.now(), user_id=principal.user_id, key="page:" + key, request_sha256=digest, status=200,
            body=json.dumps(result, default=str)))
        return True, result


def form_key() -> str:
    return secrets.token_urlsafe(16)


# ---- raise a concern ----------------------------------------------------------------------------------


def _services(principal: Principal) -> list[str] | None:
    """The services the user may raise a concern at (None: organisation-wide, any service id)."""
    services = principal.services()
    return None if services is None else sorted(services)


def _concern_form(request: Request, principal: Principal, values: dict[str, str], errors: dict[str, str],
                  rest: list[str], status: int = 200) -> Response:
    ctx = web(request)
    return page(request, "raise.html", principal, status=status, values=values, errors=errors, rest=rest,
                services=_services(principal), known=known_services(ctx),
                form_key=values.get("form_key") or form_key())


@router.get("/concerns/new")
async def raise_form(request: Request) -> Response:
    principal = await principal_of(request)
    now = web(request).now()
    return _concern_form(request, principal, {"identified_at": london_input(now)}, {}, [])


def known_services(ctx) -> dict[str, dict[str, str]]:
    """Services' details by id: as configured (SAFEGUARD_SERVICES), else as their earlier concerns
    recorded them (the commissioner record), so a service staff have raised at before needs none."""
    recorded = {r["service_id"]: {"name": r["service_name"], "provider": r["provider"], "client_group": r["client_group"]}
                for r in commissioner_records(open_documents(ctx.records))}
    return {**recorded, **ctx.settings.services}


def concern_data(form: dict[str, str], known: dict[str, dict[str, str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """The concern body a form gives (the API's shape), and the problems the form itself has."""
    problems: dict[str, str] = {}
    service_id = form.get("service", "").strip()
    details = {k: form.get(f"service_{k}", "").strip() or (known.get(service_id) or {}).get(k, "") for k in SERVICE_DETAILS}
    try:
        identified = forms.from_london_input(form.get("identified_at", "")).isoformat()
    except ValueError:
        identified = form.get("identified_at", "")
        problems["identified_at"] = f"identified_at: {identified!r} is not a date and time"
    missing = [k.replace("_", " ") for k in SERVICE_DETAILS if not details[k]]
    if service_id and missing:
        problems["service"] = (f"{service_id} is new to Safeguard: give its {', '.join(missing)} under "
                               "'Service details'")
    data = {"identified_at": identified, "service": {"id": service_id, **details},
            "adult_at_risk": {"id": form.get("adult_at_risk", "").strip()},
            "alleged_source": {"id": form.get("alleged_source", "").strip()},
            "summary": form.get("summary", "").strip()}
    return data, problems


CONCERN_FIELDS = ("identified_at", "service", "adult_at_risk", "alleged_source", "summary")


@router.post("/concerns")
async def raise_post(request: Request) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    now = ctx.now().replace(microsecond=0)
    known = await run_in_threadpool(known_services, ctx)
    data, problems = concern_data(form, known)
    if problems:
        return _concern_form(request, principal, form, problems, [], 422)
    data, decision = raised_by(principal, data)  # who raised it: who is signed in, in a role held there
    if decision is not None and not decision:
        await run_in_threadpool(audit, request, principal, "refused", False, service=data["service"]["id"],
                                reason=decision.reason)
        return _concern_form(request, principal, form, {"service": decision.reason}, [], 403)
    try:
        concern = validate(data, ConcernBody, "concern", rules_context(ctx, now))
    except CommandError as e:
        errors, rest = forms.errors_by_field(str(e), CONCERN_FIELDS, "concern: ")
        return _concern_form(request, principal, form, errors, rest, 422)
    service = concern.service.id

    async def work() -> dict[str, Any]:
        status = await commands.raise_concern(await ctx.temporal(), ctx.settings.task_queue, concern, now=now,
                                              within=ANSWER_WITHIN)
        await run_in_threadpool(audit, request, principal, "write", True, case_id=status.case_id, service=service)
        return {"case_id": status.case_id}

    try:
        first, result = await once(request, principal, form, work)
    except NotYetRecorded as e:
        return _concern_form(request, principal, form, {}, [e.explain(ctx.settings.store_name(), ctx.settings.task_queue)], 503)
    except CaseworkError as e:
        errors, rest = forms.errors_by_field(str(e), CONCERN_FIELDS)
        return _concern_form(request, principal, form, errors, rest, 422)
    if first:
        flash(request, f"Concern raised as case {result['case_id']}: record it within the deadline below.")
    else:
        flash(request, f"This concern was already raised as case {result['case_id']} at {london(result['at'])}: "
                       "it was recorded once.", "problem")
    return RedirectResponse(f"/cases/{result['case_id']}", status_code=303)


# ---- the case page ----------------------------------------------------------------------------------


LOCAL = ("localhost", "127.0.0.1", "")


def temporal_ui(request: Request, case_id: str) -> str:
    """The case's workflow in the Temporal UI. A local UI is linked on the host the pages were reached
    on: the same site, so the UI's calls to the codec endpoint carry the session cookie (SameSite)."""
    s = web(request).settings
    host = s.temporal_address.rsplit(":", 1)[0]
    if host in LOCAL:
        host = request.url.hostname or "127.0.0.1"
    return f"http://{host}:{s.temporal_ui_port}/namespaces/{s.temporal_namespace}/workflows/{quote(case_id)}"


def completed_by(facts: list, step: str, occurrence: int | None) -> StepCompleted | None:
    done = [r.fact for r in facts if isinstance(r.fact, StepCompleted) and r.fact.step == step
            and (occurrence is None or r.fact.occurrence == occurrence)]
    return done[-1] if done else None


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
    service, _ = await run_in_threadpool(visible_case, request, principal, case_id)
    now = ctx.now().replace(microsecond=0)
    instant = None
    as_at_error = None
    if as_at_:
        try:
            instant = parse_as_at(forms.from_london_input(as_at_).isoformat(), ctx.now(), option="as at")
        except (ValueError, CommandError) as e:
            as_at_error = str(e) if isinstance(e, CommandError) else f"as at: {as_at_!r} is not a date and time"
    facts = await run_in_threadpool(ctx.records.stored_facts, case_id)
    shown = [r for r in facts if instant is None or r.at <= instant]
    status: CaseStatus | None = None
    unavailable = None
    try:
        status = await queries.case_status(await ctx.temporal(), case_id, ANSWER_WITHIN, ctx.settings.task_queue)
    except Unavailable as e:
        unavailable = str(e)
    steps = [step_view(principal, service, s, now, request, form_state or {}) for s in status.open_steps] if status else []
    escalations = escalation_rows(facts)
    for e in escalations:
        e["may"] = bool(may_acknowledge(principal, service, e["escalation_id"], e["to_role"]))
    concern = facts[0].fact.concern
    return page(request, "case.html", principal, status=status_code, case_id=case_id, service=service,
                concern=concern, status_=status, unavailable=unavailable, steps=steps, escalations=escalations,
                chronology=chronology(shown), as_at=as_at_ or "", as_at_error=as_at_error, instant=instant,
                now=now, temporal_ui=temporal_ui(request, case_id), notices=notices,
                development_kinds=DEVELOPMENT_KINDS, development=(form_state or {}).get("development", {}),
                development_key=((form_state or {}).get("development", {}).get("values", {}).get("form_key")
                                 or form_key()),
                may_develop=bool(may_act_at(principal, service, "recording a development")),
                export=may_export_case(principal, case_id, service, now))


@router.get("/cases/{case_id}")
async def case(request: Request, case_id: str, as_at: str | None = None) -> Response:
    principal = await principal_of(request)
    return await case_page(request, principal, case_id, as_at)


async def _stale(request: Request, case_id: str, step: str, occurrence: int | None, message: str) -> str:
    """Why a step could not be completed when the page showed its form: who completed it, when."""
    facts = await run_in_threadpool(web(request).records.stored_facts, case_id)
    done = completed_by(facts, step, occurrence)
    if done is None:
        return message
    return (f"This step was completed by {done.actor} ({done.role.replace('_', ' ')}) at {london(done.at)}: "
            "nothing more was recorded. The page below shows the case as it is now.")


@router.post("/cases/{case_id}/steps/{step}/{occurrence}")
async def complete(request: Request, case_id: str, step: str, occurrence: int) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    service, _ = await run_in_threadpool(visible_case, request, principal, case_id, "")
    pathway_step = current_pathway().step(step)
    if pathway_step is None:
        raise Problem(404, f"no step {step} in the pathway")
    decision = await run_in_threadpool(completion_decision, ctx.records, principal, case_id, service, step, occurrence)
    await run_in_threadpool(refuse, request, principal, decision, case_id, service)
    client = await ctx.temporal()
    fields = forms.step_fields(pathway_step)
    questions: list[forms.FormField] = []
    threshold = current_pathway().threshold
    if threshold and step == threshold.assessed_at:
        profile = load_profile(ctx.settings.threshold_profile_for(service))
        questions = forms.threshold_questions(profile, form.get(threshold.category_field) or threshold.default_category)
    record = forms.record_from(form, fields, questions)
    key = f"{step}#{occurrence}"
    try:
        completion = validate({"step": step, "role": decision.role, "actor": principal.user_id, "record": record,
                               "occurrence": occurrence, "channel": principal.channel}, StepCompletion, "step completion", rules_context(ctx))
        receipt = await commands.complete_step(client, case_id, completion, within=ANSWER_WITHIN)
    except NotYetRecorded as e:
        return await case_page(request, principal, case_id, status_code=503, notices=[
            {"text": e.explain(ctx.settings.store_name(), ctx.settings.task_queue), "kind": "problem"}])
    except (CaseworkError, CommandError) as e:
        message = str(e)
        if "is already done" in message or "is not open" in message:
            message = await _stale(request, case_id, step, occurrence, message)
            return await case_page(request, principal, case_id, status_code=409,
                                   notices=[{"text": message, "kind": "problem"}])
        errors, rest = forms.errors_by_field(message, [f.name for f in fields], f"record for {step}: ")
        return await case_page(request, principal, case_id, status_code=422,
                               form_state={key: {"values": form, "errors": errors, "rest": rest}})
    late = "" if receipt.on_time is not False else " (after its deadline)"
    opened = f" Opened: {', '.join(s.replace('_', ' ') for s in receipt.opened)}." if receipt.opened else ""
    flash(request, f"Done: {pathway_step.title[0].lower()}{pathway_step.title[1:]}, recorded at "
                   f"{london(receipt.completed_at)}{late}.{opened}")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/developments")
async def development(request: Request, case_id: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    service, _ = await run_in_threadpool(visible_case, request, principal, case_id, "")
    decision = may_act_at(principal, service, "recording a development")
    await run_in_threadpool(refuse, request, principal, decision, case_id, service)
    try:
        dev = validate({"kind": form.get("kind", ""), "summary": form.get("summary", "").strip(),
                        "actor": principal.user_id, "role": decision.role, "channel": principal.channel}, Development, "development",
                       rules_context(ctx))

        async def work() -> dict[str, Any]:
            n = await commands.record_development(await ctx.temporal(), case_id, dev, within=ANSWER_WITHIN)
            return {"development": n}

        first, result = await once(request, principal, form, work)
    except NotYetRecorded as e:
        return await case_page(request, principal, case_id, status_code=503, notices=[
            {"text": e.explain(ctx.settings.store_name(), ctx.settings.task_queue), "kind": "problem"}])
    except (CaseworkError, CommandError) as e:
        errors, rest = forms.errors_by_field(str(e), ["kind", "summary"], "development: ")
        return await case_page(request, principal, case_id, status_code=422,
                               form_state={"development": {"values": form, "errors": errors, "rest": rest}})
    if first:
        flash(request, f"Development {result['development']} recorded.")
    else:
        flash(request, f"This development was already recorded (development {result['development']}, at "
                       f"{london(result['at'])}): it was recorded once.", "problem")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/escalations/{escalation_id}/acknowledge")
async def acknowledge(request: Request, case_id: str, escalation_id: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    back = form.get("back") if form.get("back") == "/" else f"/cases/{case_id}"
    service, _ = await run_in_threadpool(visible_case, request, principal, case_id, "")
    facts = await run_in_threadpool(ctx.records.stored_facts, case_id)
    raised = next((e for e in escalation_rows(facts) if e["escalation_id"] == escalation_id), None)
    if raised is None:
        raise Problem(404, f"no escalation {escalation_id} on case {case_id}")
    if raised["acknowledged_at"]:
        flash(request, f"{escalation_id} was already acknowledged at {london(raised['acknowledged_at'])}: "
                       "nothing more was recorded.", "problem")
        return RedirectResponse(back, status_code=303)
    decision = await run_in_threadpool(acknowledgement_decision, ctx.records, principal, case_id, service, escalation_id)
    await run_in_threadpool(refuse, request, principal, decision, case_id, service)
    client = await ctx.temporal()
    try:
        ack = validate({"escalation_id": escalation_id, "role": decision.role, "actor": principal.user_id,
                        "note": form.get("note") or None, "channel": principal.channel}, Acknowledgement,
                       "acknowledgement", rules_context(ctx))
        await commands.acknowledge_escalation(client, case_id, ack, within=ANSWER_WITHIN)
    except (CaseworkError, CommandError) as e:
        if "no outstanding escalation" in str(e):  # acknowledged meanwhile (another tab, a colleague)
            flash(request, f"{escalation_id} was acknowledged meanwhile: nothing more was recorded.", "problem")
            return RedirectResponse(back, status_code=303)
        raise
    flash(request, f"{escalation_id} acknowledged.")
    return RedirectResponse(back, status_code=303)
