"""The users' pages of Administration (issue 22): every account with its roles, adding a person, a
person's page (their roles, granting one at a service, across the organisation or as an inspector of
named cases until a date, revoking one, a link to set their password) and closing an account after a
check. Thin over the use cases the CLI calls too (casework/accounts_admin.py); a refused form shows
each problem by its question and in the error summary, with what was typed kept."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from casework import accounts_admin as admin
from casework.administration import Guarded
from casework.refusals import AlreadyDone, Invalid
from casework.services import known_services
from domain.access import INSPECTOR_GRANT_LONGEST, ORGANISATION_ONLY, ROLES, Principal, role_name
from web.identity import web
from web.pages.admin import run
from web.pages.formats import LONDON
from web.pages.render import flash, page
from web.pages.signin import form_of, principal_of

router = APIRouter()
NEW_FIELDS = ("user_id", "display_name", "email")
GRANT_FIELDS = ("role", "service", "cases", "until")
ACROSS = "*"  # "Across the organisation" under "Where": chosen, never the empty "Choose where"


def _summary(errors: dict[str, str], order: tuple[str, ...], rest: list[str] | None = None) -> list[dict[str, str]]:
    dated = {"until": "#until-day"}
    return [{"text": errors[f], "href": dated.get(f, f"#{f}")} for f in order if f in errors] + \
        [{"text": t, "href": ""} for t in rest or []]


def _errors(e: Invalid, fields: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    field = e.details.get("field")
    return ({field: e.message}, []) if field in fields else ({}, [e.message])


def user_path(user_id: str) -> str:
    return f"/admin/users/{quote(user_id, safe='')}"


# ---- every user, and adding one ---------------------------------------------------------------------


@router.get("/admin/users")
async def users_page(request: Request) -> Response:
    principal = await principal_of(request)
    found = await run(request, principal, admin.users, admin.ListUsers())
    return page(request, "admin_users.html", principal, accounts=sorted(found, key=lambda a: a.deactivated_at is not None))


def _new_page(request: Request, principal: Principal, values: dict[str, str], errors: dict[str, str],
              rest: list[str] | None = None, status: int = 200) -> Response:
    return page(request, "admin_user_new.html", principal, status=status, values=values, errors=errors,
                summary=_summary(errors, NEW_FIELDS, rest))


@router.get("/admin/users/new")
async def new_user_page(request: Request) -> Response:
    principal = await principal_of(request)
    await run(request, principal, admin.users, admin.ListUsers())  # only for administrators
    return _new_page(request, principal, {}, {})


@router.post("/admin/users")
async def add_user(request: Request) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    values = {f: form.get(f, "").strip() for f in NEW_FIELDS}
    c = admin.AddUser(values["user_id"], values["display_name"], values["email"] or None)
    try:
        done = await run(request, principal, admin.add_user, c)
    except Invalid as e:
        return _new_page(request, principal, values, *_errors(e, NEW_FIELDS), status=422)
    a = done.value
    flash(request, f"{a.display_name} ({a.user_id}) was added. Give them a role below, then send them a link to set "
                   "their password.")
    return RedirectResponse(user_path(a.user_id), status_code=303)


# ---- one user: roles, and closing the account -------------------------------------------------------


async def _user_page(request: Request, principal: Principal, user_id: str, values: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None, rest: list[str] | None = None, status: int = 200) -> Response:
    account = await run(request, principal, admin.user, admin.ReadUser(user_id))
    services = await run_in_threadpool(known_services, web(request).ports)
    errors = errors or {}
    return page(request, "admin_user.html", principal, status=status, person=account, values=values or {},
                errors=errors, summary=_summary(errors, GRANT_FIELDS, rest), services=services,
                roles=[(r, role_name(r)) for r in ROLES], organisation_only=ORGANISATION_ONLY,
                is_self=principal.user_id == account.user_id, path=user_path(account.user_id),
                latest_until=_latest_last_day(web(request).now()), across=ACROSS)


@router.get("/admin/users/{user_id}")
async def user_page(request: Request, user_id: str) -> Response:
    return await _user_page(request, await principal_of(request), user_id)


def _where(chosen: str) -> str | None:
    """The "Where" chosen: a service's id; ACROSS (its own value, never a service id): across the organisation,
    None; nothing chosen stays "", which the use case refuses for a role that may be held at a service."""
    return None if chosen == ACROSS else chosen


def _until(form: dict[str, str]) -> datetime | None:
    """The last day of an inspector's access, typed as day, month and year: its end, in UK time."""
    parts = [form.get(f"until-{p}", "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return None
    try:
        day, month, year = (int(v) for v in parts)
        last = date(year, month, day) if year >= 1000 else None
    except ValueError:
        last = None
    if last is None:
        raise Invalid("Enter the date their access ends as a real date, for example 31 3 2027.", field="until")
    return datetime.combine(last, time(23, 59, 59), LONDON).astimezone(timezone.utc)


def _latest_last_day(now: datetime) -> tuple[str, str]:
    """The latest last day an inspector's access may be given now, in words and as typed ("11 June 2027",
    "11 6 2027"): its end, the day's last second in UK time, within INSPECTOR_GRANT_LONGEST of now (so 91
    days after today, not 92)."""
    longest = now + INSPECTOR_GRANT_LONGEST
    day = longest.astimezone(LONDON).date()
    if datetime.combine(day, time(23, 59, 59), LONDON) > longest:
        day -= timedelta(days=1)
    return f"{day.day} {day:%B %Y}", f"{day.day} {day.month} {day.year}"


@router.post("/admin/users/{user_id}/roles")
async def grant_role(request: Request, user_id: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    values = {f: form.get(f, "").strip() for f in GRANT_FIELDS}
    values.update({f"until-{p}": form.get(f"until-{p}", "").strip() for p in ("day", "month", "year")})
    try:
        c = admin.GrantRole(user_id, values["role"], _where(values["service"]),
                            tuple(x for x in re.split(r"[\s,;]+", values["cases"]) if x), _until(values))
        done = await run(request, principal, admin.grant_role, c)
    except (Invalid, Guarded) as e:  # a bad grant; or a role given to oneself
        return await _user_page(request, principal, user_id, values, *_errors(e, GRANT_FIELDS), status=422)
    where = f"at {c.service}" if c.service else "across the organisation"
    what = f"inspector of {', '.join(c.cases)}" if c.cases else f"{role_name(c.role)} {where}"
    flash(request, f"{done.value.display_name} already holds the role {what}: nothing was changed." if done.replayed
          else f"{done.value.display_name} now holds the role {what}.")
    return RedirectResponse(user_path(user_id), status_code=303)


@router.post("/admin/users/{user_id}/roles/revoke")
async def revoke_role(request: Request, user_id: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    c = admin.RevokeRole(user_id, form.get("role", ""), form.get("service") or None)
    try:
        account = await run(request, principal, admin.revoke_role, c)
    except (Invalid, Guarded) as e:  # not held (sent twice), or the last administrator's role
        return await _user_page(request, principal, user_id, rest=[e.message], status=422)
    where = f"at {c.service}" if c.service else "across the organisation"
    flash(request, f"{account.display_name} no longer holds the role {role_name(c.role)} {where}.")
    return RedirectResponse(user_path(user_id), status_code=303)


def _close_page(request: Request, principal: Principal, account: Any, reason: str = "", error: str | None = None,
                status: int = 200) -> Response:
    summary = [{"text": error, "href": "#reason" if "reason" in error.lower() else ""}] if error else []
    return page(request, "admin_close.html", principal, status=status, person=account, reason=reason, error=error,
                summary=summary, path=user_path(account.user_id))


@router.get("/admin/users/{user_id}/close")
async def close_page(request: Request, user_id: str) -> Response:
    principal = await principal_of(request)
    return _close_page(request, principal, await run(request, principal, admin.user, admin.ReadUser(user_id)))


@router.post("/admin/users/{user_id}/close")
async def close_account(request: Request, user_id: str) -> Response:
    principal = await principal_of(request)
    form = await form_of(request, principal)
    reason = form.get("reason", "").strip()
    try:
        account = await run(request, principal, admin.deactivate_user, admin.DeactivateUser(user_id, reason or None))
    except AlreadyDone as e:
        flash(request, e.message)
        return RedirectResponse(user_path(user_id), status_code=303)
    except (Invalid, Guarded) as e:  # a bad reason; their own account, or the last administrator's
        account = await run(request, principal, admin.user, admin.ReadUser(user_id))
        return _close_page(request, principal, account, reason, e.message, status=422)
    flash(request, f"{account.display_name}'s account is closed. Their sessions and API tokens are refused from now on.")
    return RedirectResponse("/admin/users", status_code=303)
