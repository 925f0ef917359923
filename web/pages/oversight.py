"""The pages of those who oversee rather than act on a case: governance audits (and running one
now), the commissioner records (one row per service; its history as its own page; as at any
instant), and the threshold tool."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from casework import governance as casework_governance
from casework import oversight
from casework.access import action_decision
from casework.inputs import parse_as_at
from casework.refusals import Invalid, NotFound, NotPermitted, Refusal
from domain.governance import KINDS
from domain.threshold import assess, load_profile, profile_names
from domain.threshold.engine import ThresholdFactsError
from web.identity import web
from web.pages import forms
from web.pages.formats import from_london_input, london, london_input
from web.pages.render import env, flash, page, page_key
from web.pages.signin import form_of, principal_of

router = APIRouter()


def _as_at(text: str | None, now, query: Any = None) -> tuple[Any, str | None]:
    """An `as at` picker's value (London time, asked as its date parts and a time) as an instant, or
    the problem with it."""
    if query is not None:
        text = forms.joined_instants(dict(query)).get("as_at") or text
    if not text:
        return None, None
    try:
        return parse_as_at(from_london_input(text).isoformat(), now, option="as at"), None
    except ValueError:
        return None, "Enter a real date and time, like 27 3 2026 and 14:30"
    except Invalid as e:
        return None, e.message


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
    ctx = web(request)
    view = await run_in_threadpool(oversight.governance, ctx.ports, principal, ctx.now())
    actions = view["actions"]
    for x in actions:  # who may complete each open one (its owner's role, or one it escalated to)
        decision = action_decision(ctx.records, principal, x["ref"]) if x["state"] != "completed" else None
        x["may"], x["as_role"] = bool(decision), decision.role if decision else None
    return page(request, "governance.html", principal, audits=_audit_rows(view), actions=actions, kinds=KINDS)


@router.post("/governance/audits")
async def run_now(request: Request) -> Response:
    """Run an audit now (the audit recorded, its actions raised and tracked), from a form."""
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    try:
        run = await casework_governance.run_audit(ctx.ports, principal, casework_governance.RunAudit(form.get("kind", "")),
                                                  ctx.now().replace(microsecond=0))
    except Invalid as e:
        flash(request, e.message, "problem")
        return RedirectResponse("/governance", status_code=303)
    untracked = f" ({len(run.untracked)} not yet tracked: Temporal did not answer)" if run.untracked else ""
    flash(request, f"{run.record.title}: recorded as {run.record.audit_id} for the period to "
                   f"{london(run.record.period_end)}, {len(run.record.actions)} action(s) raised{untracked}.")
    return RedirectResponse("/governance", status_code=303)


@router.post("/governance/actions/{ref}/completion")
async def complete_action(request: Request, ref: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    c = casework_governance.CompleteAction(ref, form.get("evidence", "").strip(), page_key(form))
    try:
        await casework_governance.complete_action(ctx.ports, principal, c, ctx.now())
    except (NotFound, NotPermitted):
        raise  # a page saying so
    except Refusal as e:  # the evidence missing, done already, Temporal not answering: said on the governance page
        flash(request, e.message, "problem")
        return RedirectResponse(f"/governance#action-{ref}", status_code=303)
    flash(request, f"Action {ref} completed.")
    return RedirectResponse("/governance", status_code=303)


# ---- commissioner records -------------------------------------------------------------------------


@router.get("/commissioner")
async def commissioner(request: Request, as_at: str = "") -> Response:
    principal = await principal_of(request)
    ctx = web(request)
    instant, problem = _as_at(as_at, ctx.now(), request.query_params)
    as_at = london_input(instant) if instant else as_at
    records = await run_in_threadpool(oversight.commissioner, ctx.ports, principal, instant)
    return page(request, "commissioner.html", principal, records=records, as_at=as_at, instant=instant,
                as_at_error=problem)


@router.get("/commissioner/services/{service_id}")
async def history(request: Request, service_id: str, as_at: str = "") -> Response:
    principal = await principal_of(request)
    ctx = web(request)
    instant, problem = _as_at(as_at, ctx.now(), request.query_params)
    as_at = london_input(instant) if instant else as_at
    found = await run_in_threadpool(oversight.history, ctx.ports, principal, service_id, None, instant)
    return page(request, "service_history.html", principal, service_id=service_id, history=found, as_at=as_at,
                instant=instant, as_at_error=problem)


# ---- threshold tool -------------------------------------------------------------------------------


def _profile_and_category(profile: str, category: str):
    names = profile_names()
    chosen = load_profile(profile if profile in names else names[-1])
    keys = chosen.category_keys()
    return chosen, category if category in keys else ("incidents_between_adults" if "incidents_between_adults" in keys else keys[0])


@router.get("/threshold/questions")
async def questions(request: Request, profile: str = "", category: str = "", step: str = "") -> HTMLResponse:
    """The tool's questions for a category (htmx swaps them into a form when the category changes); on
    the assessing step (`step=1`) less those its own record asks."""
    await principal_of(request)
    chosen, key = _profile_and_category(profile, category)
    asked = forms.asked_by_the_record() if step else ()
    return HTMLResponse(env.get_template("questions.html").render(questions=forms.threshold_questions(chosen, key, asked)))


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
