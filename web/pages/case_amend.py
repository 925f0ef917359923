"""Correcting a completed step's record, on its own page: the fields that may be corrected (ids,
times and free text, as the pathway says), each with its value now, and the reason, required. It
calls the same use case as the API and the CLI (casework/amendments.py), with the form's hidden key
as its idempotency key: sent twice, it records once. A refusal shows this page again in plain
words, each problem by its field; done, it goes back to the step's page, which shows the record as
corrected, with a message."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from casework import amendments
from casework.refusals import Invalid, NotFound, NotOpen, NotPermitted, NotYetRecorded
from domain.access import Principal
from domain.amendments import REVIEW_DEADLINE
from projections.amendment_words import decision_words
from web.identity import web
from web.pages import drafts, forms
from web.pages.case_step import error_summary
from web.pages.formats import as_instant, london
from web.pages.render import flash, form_key, page, page_key
from web.pages.signin import form_of, principal_of
from web.pages.words import page_error, scrubbed, words_for

router = APIRouter()
REASON = "amendment_reason"  # the form's name for the amendment's reason (a record may have a field "reason")


def reason_field() -> forms.FormField:
    words = words_for(REASON)
    return forms.FormField(REASON, words.question, "text", True, help=words.hint, extra={"maxlength": 2000})


def amend_fields(found: Any) -> list[forms.FormField]:
    """The amendable fields as the step asks them, required or "(optional)" as the step says, each
    holding its value now (as corrected so far). A field left as it is is not corrected (changes_from);
    emptied, an optional answer is taken away, and a required one is refused in its own words."""
    fields = [forms.from_record_field(f, found.step.id) for f in found.fields]
    for f in fields:
        f.value = found.values.get(f.name)
    return fields


def changes_from(form: Any, fields: list[forms.FormField], values: dict[str, Any]) -> dict[str, Any]:
    """The fields the form changes: each one typed as the step's form types it, where it differs from
    its value now (an emptied field takes its answer away: None)."""
    typed = forms.record_from(form, fields)
    changes = {}
    for f in fields:
        new, old = typed.get(f.name), values.get(f.name)
        if not _same(f.type, old, new):
            changes[f.name] = new
    return changes


def worded(e: Invalid, names: list[str], step: Any) -> tuple[dict[str, str], list[str]]:
    """A refused correction's problems, each by its field in the pages' words (the reason by the form's
    name for it); nothing changed is said as what to do."""
    if e.details.get("field") == "changes":
        return {}, ["Change at least one answer before recording the correction: nothing was changed"]
    prefix = next((x for x in ("correction: ", f"correction of {step.title}: ", f"record for {step.id}: ")
                   if e.message.startswith(x)), "")
    by_field, rest = forms.errors_by_field(e.message, [*names, "reason"], prefix)
    errors = {n: page_error(n, problem, step.id) for n, problem in by_field.items() if n != "reason"}
    if "reason" in by_field:
        errors[REASON] = page_error(REASON, by_field["reason"].removeprefix("reason: "))
    return errors, [scrubbed(r, step.id) for r in rest if not r.startswith(("actor", "role"))]


def _same(kind: str, old: Any, new: Any) -> bool:
    if old in (None, "", []) and new is None:
        return True
    if kind == "instant" and isinstance(old, str) and isinstance(new, str):
        try:
            return as_instant(old) == as_instant(new)
        except ValueError:
            return False
    return old == new


async def amend_page(request: Request, principal: Principal, case_id: str, step: str, occurrence: int,
                     state: Optional[dict[str, Any]] = None, status_code: int = 200,
                     notices: Optional[list[dict[str, str]]] = None) -> Response:
    """The form, with the fields' values now; after a refusal, with what was typed and the problems."""
    ctx = web(request)
    state = state or {}
    now = ctx.now().replace(microsecond=0)
    found = await run_in_threadpool(amendments.amendment_form, ctx.ports, principal, case_id, step, occurrence, now)
    fields = forms.fill(amend_fields(found), state.get("values", {}),
                        state.get("errors", {}))
    reason = forms.fill([reason_field()], state.get("values", {}), state.get("errors", {}))
    return page(request, "case_amend.html", principal, status=status_code, notices=notices, case_id=case_id,
                title=found.step.title, step=step, occurrence=occurrence, fields=fields, reason=reason,
                decisions=[f"the {decision_words(d)}" for d in found.decisions], review_days=REVIEW_DEADLINE.days,
                summary=error_summary(fields + reason, state.get("rest", [])),
                form_key=state.get("values", {}).get("form_key") or form_key(),
                back=f"/cases/{case_id}/steps/{step}/{occurrence}")


@router.get("/cases/{case_id}/steps/{step}/{occurrence}/amend")
async def amend_form(request: Request, case_id: str, step: str, occurrence: int) -> Response:
    principal = await principal_of(request)
    state, notices = await drafts.kept(request, principal, case_id)
    return await amend_page(request, principal, case_id, step, occurrence, state, notices=notices)


@router.post("/cases/{case_id}/steps/{step}/{occurrence}/amend")
async def amend(request: Request, case_id: str, step: str, occurrence: int) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    ctx = web(request)
    now: datetime = ctx.now()
    key = page_key(form)  # sent again once recorded, the form is compared with the record it was filled in on
    found = await run_in_threadpool(amendments.amendment_form, ctx.ports, principal, case_id, step, occurrence, now, key)
    fields = amend_fields(found)
    c = amendments.AmendStep(case_id, step, occurrence, changes_from(form, fields, found.values),
                             form.get(REASON, "").strip(), key)

    async def again(status_code: int, state: Optional[dict[str, Any]] = None,
                    notices: Optional[list[dict[str, str]]] = None) -> Response:
        return await amend_page(request, principal, case_id, step, occurrence, state, status_code, notices)
    try:
        outcome = await amendments.amend_step(ctx.ports, principal, c, now)
    except NotYetRecorded as e:
        return await again(503, state={"values": form}, notices=[
            {"text": e.explain(ctx.settings.store_name(), ctx.settings.task_queue), "kind": "problem"}])
    except Invalid as e:
        errors, rest = worded(e, [f.name for f in fields], found.step)
        return await again(422, state={"values": form, "errors": errors, "rest": rest})
    except (NotOpen, NotPermitted, NotFound) as e:  # the step or the case moved on, or a role ended, meanwhile
        status = 404 if isinstance(e, NotFound) else 403 if isinstance(e, NotPermitted) else 409
        return await again(status, state={"values": form},
                           notices=[{"text": f"{e.message} Nothing was recorded.", "kind": "problem"}])
    if outcome.replayed:
        flash(request, f"This correction was already recorded at {london(outcome.at)}: it was recorded once.", "problem")
    else:
        flash(request, "Correction recorded. The record below shows it, with your reason. The original is kept.")
    return RedirectResponse(f"/cases/{case_id}/steps/{step}/{occurrence}", status_code=303)
