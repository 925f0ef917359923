"""One step of a case on its own page: its deadline and countdown, who it is for, where it comes
from (the seed's words), and its form (open, and the principal may complete it) or what was
recorded (done). Recording it posts to the same address (web/pages/case_actions.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from domain.access import Principal, may_complete
from domain.facts import StepCompleted
from domain.pathway import current_pathway
from domain.threshold import load_profile
from projections.case_tasks import tasks
from projections.engine_words import record_words
from projections.wording import humanise
from web.identity import web
from web.pages import drafts, forms, reveal
from web.pages.case import TASK_TAGS, read_case
from web.pages.formats import countdown
from web.pages.render import form_key, page
from web.pages.signin import principal_of
from web.problems import Problem

router = APIRouter()


def form_view(principal: Principal, service: str, s: Any, now: datetime, request: Request,
              state: dict[str, Any]) -> dict[str, Any]:
    """An open step's form: its fields (with what was typed and each one's error after a refusal),
    the threshold tool's questions on the step that assesses seriousness, and whether this
    principal may complete it (and as which role)."""
    ctx = web(request)
    pathway_step = current_pathway().step(s.step)
    decision = may_complete(principal, service, s.step, s.can_complete)
    values = state.get("values", {})
    fields = reveal.revealed(forms.fill(forms.step_fields(pathway_step), values, state.get("errors", {})), pathway_step) \
        if pathway_step else []
    questions: list[forms.FormField] = []
    threshold = current_pathway().threshold
    categories: list[tuple[str, str]] = []
    category = ""
    if threshold and pathway_step and s.step == threshold.assessed_at:
        profile = load_profile(ctx.settings.threshold_profile_for(service))
        categories = [(c.key, c.title) for c in profile.categories]
        category = values.get(threshold.category_field) or threshold.default_category
        questions = forms.fill(forms.threshold_questions(profile, category, forms.asked_by_the_record()), values, {})
    return {"can_complete": list(s.can_complete), "missed": s.missed, "may": bool(decision), "as_role": decision.role,
            "refusal": decision.reason, "fields": fields, "questions": questions, "categories": categories,
            "category": category, "profile": ctx.settings.threshold_profile_for(service), "rest": state.get("rest", []),
            "form_key": values.get("form_key") or form_key()}


def error_summary(fields: list[forms.FormField], rest: list[str]) -> list[dict[str, str]]:
    """The error summary's lines: each field's problem linking to it, then the form's other problems."""
    lines = [{"text": f.error, "href": f"#{f.dom_id}-day" if f.type == "instant" else f"#{f.dom_id}"}
             for f in reveal.every_field(fields) if f.error]
    return lines + [{"text": r} for r in rest]


def record_rows(fact: StepCompleted) -> list[tuple[str, str]]:
    """A completed step's record, field by field, in full: each field by its label as the step asks it,
    its choices and times as the pages word them (the evidence pack words a record the same way)."""
    return record_words(fact.record, step=fact.step)


async def step_page(request: Request, principal: Principal, case_id: str, step: str, occurrence: int,
                    state: dict[str, Any] | None = None, status_code: int = 200,
                    notices: list[dict[str, str]] | None = None) -> Response:
    """The step's page; after a refused form, again with what was typed and the problems."""
    pathway_step = current_pathway().step(step)
    if pathway_step is None:
        raise Problem(404, f"There is no step called {humanise(step).lower()} on a case.")
    view, now = await read_case(request, principal, case_id)
    row = next((t for t in tasks(view.facts, current_pathway(), now) if (t["step"], t["occurrence"]) == (step, occurrence)), None)
    if row is None:
        raise Problem(404, f"{pathway_step.title} has not opened on case {case_id}"
                           + (f" a {occurrence}th time." if occurrence > 1 else "."))
    done = next((r.fact for r in reversed(view.facts) if isinstance(r.fact, StepCompleted)
                 and (r.fact.step, r.fact.occurrence) == (step, occurrence)), None)
    open_ = next((s for s in view.status.open_steps if (s.step, s.occurrence) == (step, occurrence)), None) \
        if view.status else None
    form = form_view(principal, view.service, open_, now, request, state or {}) if open_ and not done else None
    ctx = web(request)
    return page(request, "case_step.html", principal, status=status_code, notices=notices, case_id=case_id,
                service=view.service, title=pathway_step.title, row=row, tag_classes=TASK_TAGS,
                help=forms.step_help(pathway_step),
                countdown=countdown(step, row["due"], now, ctx.settings.calendar) if not done else None,
                form=form, summary=error_summary(form["fields"], form["rest"]) if form else [],
                done=done, record=record_rows(done) if done else [], unavailable=view.unavailable)


@router.get("/cases/{case_id}/steps/{step}/{occurrence}")
async def step(request: Request, case_id: str, step: str, occurrence: int) -> Response:
    principal = await principal_of(request)
    state, notices = await drafts.kept(request, principal, case_id)
    return await step_page(request, principal, case_id, step, occurrence, state, notices=notices)
