"""What staff do on a case's pages: complete a step, record a development, add a note, acknowledge
an escalation. Each calls the same use case as the API (casework/cases.py), with the form's hidden
key as its idempotency key: a form sent twice (a double click, a second tab) records once and says
so. A refused form shows its own page again, each problem next to its field and in the error
summary; a form left open while a colleague acted says who did what, and when. Done, each goes
back to the case's summary page with a message."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from casework import cases
from casework.idempotency import Outcome
from casework.refusals import AlreadyDone, Invalid, NotOpen, NotYetRecorded
from domain.access import Principal
from domain.facts import StepCompleted
from domain.pathway import current_pathway
from domain.threshold import load_profile
from projections.engine_words import in_sentence, role_words, step_title
from web.identity import web
from web.pages import forms, reveal
from web.pages.amended import step_on_case
from web.pages.case_records import ack_fields, escalation_page, record_page
from web.pages.case_step import step_page
from web.pages.formats import london
from web.pages.render import flash, page_key
from web.pages.signin import form_of, principal_of
from web.problems import Problem

router = APIRouter()


Again = Callable[..., Awaitable[Response]]  # the form's page again: (status_code, state=..., notices=...)


async def sent(request: Request, again: Again, form: dict[str, str], fields: list[str], prefix: str,
                send: Callable[[], Awaitable[Outcome[Any]]]) -> Outcome[Any] | Response:
    """The use case's outcome, or the form's page again saying why not: the store or a worker slow
    (503), the form's problems by field (422)."""
    ctx = web(request)
    try:
        return await send()
    except NotYetRecorded as e:
        return await again(503, state={"values": form}, notices=[
            {"text": e.explain(ctx.settings.store_name(), ctx.settings.task_queue), "kind": "problem"}])
    except Invalid as e:
        errors, rest = forms.worded_errors(e.message, fields, prefix, prefix[11:-2] if prefix.startswith("record for ") else None)
        return await again(422, state={"values": form, "errors": errors, "rest": rest})


def _again(request: Request, principal: Principal, case_id: str, name: str) -> Again:
    async def again(status_code: int, state: Optional[dict[str, Any]] = None,
                    notices: Optional[list[dict[str, str]]] = None) -> Response:
        return await record_page(request, principal, case_id, name, state, status_code, notices)
    return again


def _back(case_id: str) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _completed_by(facts: list, step: str, occurrence: int | None) -> StepCompleted | None:
    done = [r.fact for r in facts if isinstance(r.fact, StepCompleted) and r.fact.step == step
            and (occurrence is None or r.fact.occurrence == occurrence)]
    return done[-1] if done else None


@router.post("/cases/{case_id}/steps/{step}/{occurrence}")
async def complete(request: Request, case_id: str, step: str, occurrence: int) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    pathway_step = current_pathway().step(step) or step_on_case(
        await run_in_threadpool(cases.case_facts, ctx.ports, case_id), step, occurrence)  # a review step: the case's own
    if pathway_step is None:
        raise Problem(404, f"no step {step} in the pathway")
    fields = forms.step_fields(pathway_step)
    questions: list[forms.FormField] = []
    threshold = current_pathway().threshold
    if threshold and step == threshold.assessed_at:
        service = await run_in_threadpool(cases.case_service_of, ctx.ports, case_id)
        profile = load_profile(ctx.settings.threshold_profile_for(service))
        questions = forms.threshold_questions(profile, form.get(threshold.category_field) or threshold.default_category)
    hidden = reveal.unchosen(reveal.revealed(forms.step_fields(pathway_step), pathway_step), form)
    record = {k: v for k, v in forms.record_from(form, fields, questions).items() if k not in hidden}
    c = cases.CompleteStep(case_id, step, record, occurrence, page_key(form))

    async def again(status_code: int, state: Optional[dict[str, Any]] = None,
                    notices: Optional[list[dict[str, str]]] = None) -> Response:
        return await step_page(request, principal, case_id, step, occurrence, state, status_code, notices)
    try:
        outcome = await sent(request, again, form, [f.name for f in fields], f"record for {step}: ",
                              lambda: cases.complete_step(ctx.ports, principal, c, ctx.now()))
    except (AlreadyDone, NotOpen) as e:  # the page was left open while a colleague completed it
        done = _completed_by(await run_in_threadpool(cases.case_facts, ctx.ports, case_id), step, occurrence)
        text = e.message if done is None else (
            f"This step was completed by {done.actor} ({role_words(done.role)}) at {london(done.at)}: "
            "nothing more was recorded. The page below shows the step as it is now.")
        return await again(409, notices=[{"text": text, "kind": "problem"}])
    if isinstance(outcome, Response):
        return outcome
    receipt = outcome.value
    if outcome.replayed:
        flash(request, f"This was already recorded at {london(receipt.completed_at)}: it was recorded once.", "problem")
        return _back(case_id)
    late = "" if receipt.on_time is not False else " (after its deadline)"
    opened = f" Opened: {', '.join(_opened(s) for s in receipt.opened)}." if receipt.opened else ""
    title = in_sentence(pathway_step.title)
    flash(request, f"Done: {title}, recorded at "
                   f"{london(receipt.completed_at)}{late}.{opened}")
    return _back(case_id)


def _opened(occurrence: str) -> str:
    """'peer_risk_review#1' as its step's title, with the time it opened after the first: 'Chronology update (2)'."""
    step, _, n = occurrence.partition("#")
    return step_title(step) + (f" ({n})" if n not in ("", "1") else "")


@router.post("/cases/{case_id}/developments")
async def development(request: Request, case_id: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    c = cases.RecordDevelopment(case_id, {"kind": form.get("kind", ""), "summary": form.get("summary", "").strip()},
                                page_key(form))
    outcome = await sent(request, _again(request, principal, case_id, "development"), form, ["kind", "summary"],
                          "development: ", lambda: cases.record_development(ctx.ports, principal, c, ctx.now()))
    if isinstance(outcome, Response):
        return outcome
    if outcome.replayed:
        flash(request, f"This development was already recorded (development {outcome.value}, at "
                       f"{london(outcome.at)}): it was recorded once.", "problem")
    else:
        flash(request, f"Development {outcome.value} recorded.")
    return _back(case_id)


@router.post("/cases/{case_id}/notes")
async def note(request: Request, case_id: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    c = cases.AddNote(case_id, form.get("text", "").strip(), page_key(form))
    outcome = await sent(request, _again(request, principal, case_id, "note"), form, ["text"], "note: ",
                          lambda: cases.add_note(ctx.ports, principal, c, ctx.now()))
    if isinstance(outcome, Response):
        return outcome
    if outcome.replayed:
        flash(request, f"This note was already added (note {outcome.value}, at {london(outcome.at)}): "
                       "it was recorded once.", "problem")
    else:
        flash(request, f"Note {outcome.value} added.")
    return _back(case_id)


@router.post("/cases/{case_id}/escalations/{escalation_id}/acknowledge")
async def acknowledge(request: Request, case_id: str, escalation_id: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    back = form.get("back") if form.get("back") == "/" else f"/cases/{case_id}"
    c = cases.AcknowledgeEscalation(case_id, escalation_id, form.get("note") or None, page_key(form))
    try:
        outcome = await cases.acknowledge_escalation(ctx.ports, principal, c, ctx.now())
    except AlreadyDone as e:
        flash(request, f"{escalation_id} was already acknowledged at {london(e.details['acknowledged_at'])}: "
                       "nothing more was recorded.", "problem")
        return RedirectResponse(back, status_code=303)
    except NotOpen as e:
        flash(request, f"{e.message[0].upper()}{e.message[1:]}. Nothing was recorded." if "nothing to acknowledge" in e.message
              else f"{escalation_id} is no longer outstanding: nothing was recorded.", "problem")
        return RedirectResponse(back, status_code=303)
    except Invalid:
        if back != "/":  # sent from the escalation's own page: that page again, saying what to enter
            error = "Enter what was done: acknowledging the escalation records what was done. Nothing was recorded."
            return await escalation_page(request, principal, case_id, escalation_id, status_code=422, state={
                "values": form, "errors": {ack_fields(escalation_id)[0].name: error}})
        flash(request, f"Enter what was done about {escalation_id}: acknowledging it records what was done. "
                       "Nothing was recorded.", "problem")
        return RedirectResponse(back, status_code=303)
    flash(request, f"{escalation_id} was already acknowledged: nothing more was recorded." if outcome.replayed
          else f"{escalation_id} acknowledged.", "problem" if outcome.replayed else "done")
    return RedirectResponse(back, status_code=303)
