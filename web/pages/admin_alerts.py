"""Where a person's alerts go, changed by an administrator (issue 22): the form behind the Change
links on the person's page in Administration (`/admin/users/{user_id}`), and the one the refused
password reset link points to when they have no email address. Thin over the use case
(casework/contact_admin.py); a refused form shows each problem by its question and in the error
summary, with what was typed kept; a saved one goes back to the person's page saying what it did."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from casework import accounts_admin as admin
from casework.contact_admin import SetAlertsOf, set_alerts_of
from casework.refusals import Invalid
from domain.access import Principal
from domain.identity import Account
from web.pages.admin import run
from web.pages.admin_users import user_path
from web.pages.render import flash, page
from web.pages.signin import form_of, principal_of

router = APIRouter()
FIELDS = ("email", "mobile")


def _form(request: Request, principal: Principal, person: Account, values: dict[str, str],
          errors: dict[str, str] | None = None, rest: list[str] | None = None, status: int = 200) -> Response:
    errors = errors or {}
    summary = [{"text": errors[f], "href": f"#{f}"} for f in FIELDS if f in errors] + [{"text": t, "href": ""}
                                                                                       for t in rest or []]
    return page(request, "admin_alerts.html", principal, status=status, person=person, values=values, errors=errors,
                summary=summary, back=user_path(person.user_id))


@router.get("/admin/users/{user_id}/alerts")
async def alerts_form(request: Request, user_id: str) -> Response:
    principal = await principal_of(request)
    person = await run(request, principal, admin.user, admin.ReadUser(user_id))
    return _form(request, principal, person, {"email": person.email or "", "mobile": person.mobile or ""})


def _done(person: Account) -> str:
    name = person.display_name
    if not (person.email or person.mobile):
        return (f"{name} has no email address or mobile number for alerts now: alerts for their roles go one role up, "
                "and no link to set a password can be sent to them.")
    said = f"{name}'s alerts now go to " + " and ".join(x for x in (person.email, person.mobile) if x) + "."
    if not person.email:
        return said + " With no email address, no link to set a password can be sent to them."
    return said + ("" if person.password_hash else " You can now send them a link to set their password.")


@router.post("/admin/users/{user_id}/alerts")
async def set_alerts(request: Request, user_id: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    values = {f: form.get(f, "").strip() for f in FIELDS}
    try:
        done = await run(request, principal, set_alerts_of, SetAlertsOf(user_id, values["email"] or None,
                                                                        values["mobile"] or None))
    except Invalid as e:  # a detail that is not one, or the account closed
        person = await run(request, principal, admin.user, admin.ReadUser(user_id))
        field = e.details.get("field")
        errors, rest = ({field: e.message}, []) if field in FIELDS else ({}, [e.message])
        return _form(request, principal, person, values, errors, rest, status=422)
    person = done.value
    flash(request, f"{person.display_name}'s alerts already go there: nothing was changed." if done.replayed
          else _done(person))
    return RedirectResponse(user_path(person.user_id), status_code=303)
