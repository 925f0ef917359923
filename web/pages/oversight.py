"""The pages of those who oversee rather than act on a case: governance audits (and running one
now), the commissioner records (one row per service; its history as its own page; as at any
instant), and the threshold tool."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from casework import commands
from casework.authorised import action_decision
from casework.availability import ANSWER_WITHIN
from casework.errors import CaseworkError
from cli.common import CommandError, parse_as_at, validate
from domain.access import may_read_commissioning, may_read_governance
from domain.governance import KINDS
from domain.governance_actions import ActionCompletion
from domain.threshold import assess, load_profile, profile_names
from domain.threshold.engine import ThresholdFactsError
from projections.commissioner import CommissionerRecords, commissioner_records, service_history
from projections.feed import ProjectionFeed, as_at
from projections.governance import GovernanceActions, GovernanceAudits, governance_view, tracked_actions
from projections.registry import open_documents
from web import api
from web.api import refuse
from web.identity import audit, web
from web.pages import forms
from web.pages.cases import flash
from web.pages.formats import from_london_input, london
from web.pages.render import env, page
from web.pages.signin import form_of, principal_of
from web.problems import Problem

router = APIRouter()


def _as_at(text: str | None) -> tuple[Any, str | None]:
    """An `as at` picker's value (London time) as an instant, or the problem with it."""
    if not text:
        return None, None
    try:
        return parse_as_at(from_london_input(text).isoformat(), option="as at"), None
    except (ValueError, CommandError) as e:
        return None, str(e) if isinstance(e, CommandError) else f"as at: {text!r} is not a date and time"


def _documents(request: Request, models, instant):
    store = web(request).records
    models = models if isinstance(models, list) else [models]
    if instant is not None:
        return as_at(store, models, instant)
    feed = ProjectionFeed(store, open_documents(store), models)
    feed.catch_up()
    return feed.documents


# ---- governance -------------------------------------------------------------------------------------


def _audit_rows(view: dict[str, Any]) -> list[dict[str, Any]]:
    """Each audit with each threshold beside the figure it compares (and whether it raised its action)."""
    rows = []
    for a in reversed(view["audits"]):
        raised = {x["action"] for x in a["actions"]}
        checks = [{**t, "actual": a["figures"].get(t["figure"]), "crossed": t["action"] in raised} for t in a["thresholds"]]
        rows.append({**a, "checks": checks})
    return rows


@router.get("/governance")
async def governance(request: Request) -> Response:
    principal = await principal_of(request)
    await run_in_threadpool(refuse, request, principal, may_read_governance(principal))
    ctx = web(request)
    await run_in_threadpool(audit, request, principal, "read", True)
    now = ctx.now()

    def read() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        documents = _documents(request, [GovernanceAudits(), GovernanceActions()], None)
        return governance_view(documents), tracked_actions(documents, now)

    view, actions = await run_in_threadpool(read)
    for x in actions:  # who may complete each open one (its owner's role, or one it escalated to)
        decision = action_decision(ctx.records, principal, x["ref"]) if x["state"] != "completed" else None
        x["may"], x["as_role"] = bool(decision), decision.role if decision else None
    return page(request, "governance.html", principal, audits=_audit_rows(view), actions=actions, kinds=KINDS)


@router.post("/governance/audits")
async def run_now(request: Request) -> Response:
    """The API's "run an audit now" (the audit recorded, its actions raised and tracked), from a form."""
    principal = await principal_of(request)
    form = await form_of(request, principal)
    kind = form.get("kind", "")
    try:
        answered = await api.run_governance_audit(kind, request, principal, None)
    except Problem as e:
        if e.status != 422:
            raise
        flash(request, e.detail, "problem")
        return RedirectResponse("/governance", status_code=303)
    record = json.loads(answered.body)
    untracked = f" ({len(record['untracked_actions'])} not yet tracked: Temporal did not answer)" \
        if record["untracked_actions"] else ""
    flash(request, f"{record['title']}: recorded as {record['audit_id']} for the period to "
                   f"{london(record['period_end'])}, {len(record['actions'])} action(s) raised{untracked}.")
    return RedirectResponse("/governance", status_code=303)


@router.post("/governance/actions/{ref}/completion")
async def complete_action(request: Request, ref: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    decision = await run_in_threadpool(action_decision, ctx.records, principal, ref)
    if decision is None:
        raise Problem(404, f"no governance action {ref}")
    await run_in_threadpool(refuse, request, principal, decision)
    try:
        completion = validate({"role": decision.role, "actor": principal.user_id,
                               "evidence": form.get("evidence", "").strip()}, ActionCompletion, "completion")
        await commands.complete_governance_action(await ctx.temporal(), ref, completion, within=ANSWER_WITHIN)
    except (CommandError, CaseworkError) as e:
        flash(request, str(e), "problem")
        return RedirectResponse(f"/governance#action-{ref}", status_code=303)
    flash(request, f"Action {ref} completed.")
    return RedirectResponse("/governance", status_code=303)


# ---- commissioner records -------------------------------------------------------------------------


@router.get("/commissioner")
async def commissioner(request: Request, as_at: str = "") -> Response:
    principal = await principal_of(request)
    await run_in_threadpool(refuse, request, principal, may_read_commissioning(principal))
    instant, problem = _as_at(as_at)
    records = await run_in_threadpool(
        lambda: commissioner_records(_documents(request, CommissionerRecords(), instant)))
    await run_in_threadpool(audit, request, principal, "read", True)
    return page(request, "commissioner.html", principal, records=records, as_at=as_at, instant=instant,
                as_at_error=problem)


@router.get("/commissioner/services/{service_id}")
async def history(request: Request, service_id: str, as_at: str = "") -> Response:
    principal = await principal_of(request)
    await run_in_threadpool(refuse, request, principal, may_read_commissioning(principal))
    instant, problem = _as_at(as_at)
    found = await run_in_threadpool(lambda: service_history(_documents(request, CommissionerRecords(), instant), service_id))
    await run_in_threadpool(audit, request, principal, "read", True, service=service_id)
    return page(request, "service_history.html", principal, service_id=service_id, history=found, as_at=as_at,
                instant=instant, as_at_error=problem)


# ---- threshold tool -------------------------------------------------------------------------------


def _profile_and_category(profile: str, category: str):
    names = profile_names()
    chosen = load_profile(profile if profile in names else names[-1])
    keys = chosen.category_keys()
    return chosen, category if category in keys else ("incidents_between_adults" if "incidents_between_adults" in keys else keys[0])


@router.get("/threshold/questions")
async def questions(request: Request, profile: str = "", category: str = "") -> HTMLResponse:
    """The tool's questions for a category (htmx swaps them into a form when the category changes)."""
    await principal_of(request)
    chosen, key = _profile_and_category(profile, category)
    return HTMLResponse(env.get_template("questions.html").render(questions=forms.threshold_questions(chosen, key)))


@router.get("/threshold")
async def threshold(request: Request, profile: str = "", category: str = "") -> Response:
    principal = await principal_of(request)
    chosen, key = _profile_and_category(profile, category)
    return page(request, "threshold.html", principal, profiles=profile_names(), profile=chosen, category=key,
                questions=forms.threshold_questions(chosen, key), decision=None, error=None)


@router.post("/threshold")
async def threshold_assess(request: Request) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    chosen, key = _profile_and_category(form.get("profile", ""), form.get("category", ""))
    qs = forms.threshold_questions(chosen, key)
    facts = forms.record_from(form, [forms.FormField("facts", "", "object", False)], qs).get("facts", {})
    decision, error = None, None
    try:
        decision = assess(chosen, key, facts)
    except (ThresholdFactsError, ValueError) as e:
        error = str(e)
    return page(request, "threshold.html", principal, status=422 if error else 200, profiles=profile_names(),
                profile=chosen, category=key, questions=forms.fill(qs, form, {}), decision=decision, error=error)
