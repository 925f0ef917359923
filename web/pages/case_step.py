"""One step of a case on its own page: its deadline and countdown, who it is for, where it comes
from (the seed's words), and its form (open, and the principal may complete it) or what was
recorded (done), as amended, with each correction and a link to correct it for those who may.
Recording it posts to the same address (web/pages/case_actions.py). A review step, opened when a
decision's record was corrected, is a step like any other, and shows the correction it reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from domain.access import Principal, may_amend, may_complete
from domain.amendments import amendable_fields
from domain.facts import StepCompleted
from domain.pathway import current_pathway
from domain.threshold import load_profile
from projections.case_tasks import tasks
from domain.policy import Step
from projections.engine_words import record_words, step_title
from projections.wording import humanise
from web.identity import web
from web.pages import drafts, forms, reveal
from web.pages.amended import amendment_rows, as_amended, corrections_of, opened_by, step_on_case
from web.pages.case import TASK_TAGS, read_case
from web.pages.formats import countdown
from web.pages.render import form_key, page
from web.pages.signin import principal_of
from web.problems import Problem

router = APIRouter()


def form_view(principal: Principal, service: str, s: Any, now: datetime, request: Request,
              state: dict[str, Any], pathway_step: Step) -> dict[str, Any]:
    """An open step's form: its fields (with what was typed and each one's error after a refusal),
    the threshold tool's questions on the step that assesses seriousness, and whether this
    principal may complete it (and as which role)."""
    ctx = web(request)
    decision = may_complete(principal, service, s.step, s.can_complete)
    values = state.get("values", {})
    fields = reveal.revealed(forms.fill(forms.step_fields(pathway_step), values, state.get("errors", {})), pathway_step)
    questions: list[forms.FormField] = []
    threshold = current_pathway().threshold
    categories: list[tuple[str, str]] = []
    category = ""
    if threshold and s.step == threshold.assessed_at:
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


def record_rows(fact: StepCompleted, facts: list[Any]) -> list[tuple[str, str]]:
    """A completed step's record as amended, field by field, in full: each field by its label as the
    step asks it, its choices and times as the pages word them (the evidence pack words a record the same way)."""
    return record_words(as_amended(fact.record, corrections_of(facts, fact.step, fact.occurrence)), step=fact.step)


def corrections(principal: Principal, view: Any, case_id: str, step: Step, done: StepCompleted) -> dict[str, Any]:
    """A done step's corrections in words, and whether this principal may correct it (a closed case's
    too: audits and inspections come after closure)."""
    may = may_amend(principal, view.service, step.id, done.actor)
    return {"rows": amendment_rows(view.facts, case_id, done.step, done.occurrence),
            "may": bool(may) and bool(amendable_fields(step)) and not view.unavailable,
            "href": f"/cases/{case_id}/steps/{done.step}/{done.occurrence}/amend"}


def reviewed(view: Any, case_id: str, step: str, occurrence: int) -> dict[str, Any] | None:
    """On a review step's page: the correction it reviews, in words, and the step it corrected."""
    opener = opened_by(view.facts).get((step, occurrence))
    if opener is None:
        return None
    rows = amendment_rows(view.facts, case_id, opener.step, opener.occurrence)
    return {"href": f"/cases/{case_id}/steps/{opener.step}/{opener.occurrence}", "title": step_title(opener.step),
            "rows": [{**r, "review_href": None, "here": True} for r in rows if r["number"] == opener.amendment]}


async def step_page(request: Request, principal: Principal, case_id: str, step: str, occurrence: int,
                    state: dict[str, Any] | None = None, status_code: int = 200,
                    notices: list[dict[str, str]] | None = None) -> Response:
    """The step's page; after a refused form, again with what was typed and the problems."""
    view, now = await read_case(request, principal, case_id)
    pathway_step = step_on_case(view.facts, step, occurrence)
    if pathway_step is None:
        raise Problem(404, f"There is no step called {humanise(step).lower()} on a case.")
    row = next((t for t in tasks(view.facts, current_pathway(), now) if (t["step"], t["occurrence"]) == (step, occurrence)), None)
    if row is None:
        raise Problem(404, f"{pathway_step.title} has not opened on case {case_id}"
                           + (f" a {occurrence}th time." if occurrence > 1 else "."))
    done = next((r.fact for r in reversed(view.facts) if isinstance(r.fact, StepCompleted)
                 and (r.fact.step, r.fact.occurrence) == (step, occurrence)), None)
    open_ = next((s for s in view.status.open_steps if (s.step, s.occurrence) == (step, occurrence)), None) \
        if view.status else None
    form = form_view(principal, view.service, open_, now, request, state or {}, pathway_step) if open_ and not done else None
    ctx = web(request)
    return page(request, "case_step.html", principal, status=status_code, notices=notices, case_id=case_id,
                service=view.service, title=pathway_step.title, row=row, tag_classes=TASK_TAGS,
                help=forms.step_help(pathway_step),
                countdown=countdown(step, row["due"], now, ctx.settings.calendar) if not done else None,
                form=form, summary=error_summary(form["fields"], form["rest"]) if form else [],
                done=done, record=record_rows(done, view.facts) if done else [], unavailable=view.unavailable,
                corrected=corrections(principal, view, case_id, pathway_step, done) if done else None,
                reviews=reviewed(view, case_id, step, occurrence))


@router.get("/cases/{case_id}/steps/{step}/{occurrence}")
async def step(request: Request, case_id: str, step: str, occurrence: int) -> Response:
    principal = await principal_of(request)
    state, notices = await drafts.kept(request, principal, case_id)
    return await step_page(request, principal, case_id, step, occurrence, state, notices=notices)
