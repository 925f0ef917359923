"""The Cases page: find any case you may see (your open work, cases you raised, a service, a status,
overdue, a date range, or a case or adult id), a page at a time, and, for managers, download the
list as a spreadsheet. The form is a GET: a list's address can be bookmarked and shared."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from casework import case_list
from casework.refusals import Invalid
from casework.services import known_services
from web.identity import web
from web.pages.case import LEVEL_TAGS
from web.pages.render import page
from web.pages.signin import principal_of

router = APIRouter()
STATUS_TAGS = {"open": "nhsuk-tag--blue", "closed": "nhsuk-tag--grey", "stopped": "nhsuk-tag--red"}
SHOW = {"all": "All the cases you can see", "mine": "My open work: a step I can complete", "raised": "Cases I raised"}
STATUSES = {"": "Any status", "open": "Open", "closed": "Closed", "stopped": "Stopped (not running)"}
DATES = {"from": "Identified from", "to": "Identified to"}
FILTERS = ("show", "service", "status", "overdue", "q", *(f"{d}-{p}" for d in DATES for p in ("day", "month", "year")))


def _date(form: Mapping[str, str], name: str) -> date | None:
    """A day, month and year typed as three numbers; None if all are empty; ValueError saying what is wrong."""
    parts = [form.get(f"{name}-{p}", "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return None
    missing = [p for p, v in zip(("a day", "a month", "a year"), parts) if not v]
    if missing:
        raise ValueError(f"{DATES[name]} must include {' and '.join(missing)}")
    try:
        day, month, year = (int(v) for v in parts)
        if year < 1000:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{DATES[name]} must be a real date, like 27 3 2027") from None


def _query(form: Mapping[str, str], errors: list[dict[str, str]]) -> case_list.CaseQuery:
    dates: dict[str, date | None] = {}
    for name in DATES:
        try:
            dates[name] = _date(form, name)
        except ValueError as e:
            errors.append({"text": str(e), "href": f"#{name}-day"})
            dates[name] = None
    show, status = form.get("show", "all"), form.get("status", "")
    return case_list.CaseQuery(
        mine=show == "mine", raised_by_me=show == "raised", service=form.get("service") or None,
        status=status if status in ("open", "closed", "stopped") else None, overdue=form.get("overdue") == "1",
        identified_from=dates["from"], identified_to=dates["to"], search=(form.get("q") or "").strip() or None,
        cursor=form.get("cursor") or None)


def _link(path: str, form: Mapping[str, str], **more: str) -> str:
    kept = {k: form[k] for k in FILTERS if form.get(k)}
    return f"{path}?{urlencode({**kept, **more})}" if kept or more else path


@router.get("/cases")
async def cases_page(request: Request) -> Response:
    principal = await principal_of(request)
    ctx = web(request)
    now = ctx.now().replace(microsecond=0)
    form = dict(request.query_params)
    errors: list[dict[str, str]] = []
    query = _query(form, errors)
    found = None
    if not errors:
        try:
            found = await run_in_threadpool(case_list.find_cases, ctx.ports, principal, query, now)
        except Invalid as e:
            field = "q" if "Search" in e.message else "from-day" if "date" in e.message else "service"
            errors.append({"text": e.message, "href": f"#{field}"})
    services = principal.services()
    choices = sorted(await run_in_threadpool(known_services, ctx.ports)) if services is None else sorted(services)
    context: dict[str, Any] = dict(
        form=form, errors=errors, found=found, now=now, show=SHOW, statuses=STATUSES, services=choices,
        status_tags=STATUS_TAGS, level_tags=LEVEL_TAGS,
        next_link=_link("/cases", form, cursor=found.next_cursor) if found and found.next_cursor else None,
        previous_link=_link("/cases", form, cursor=found.previous_cursor) if found and found.previous_cursor else None,
        download_link=_link("/cases.csv", form) if found and found.may_download else None)
    return page(request, "cases.html", principal, status=422 if errors else 200, **context)


@router.get("/cases.csv")
async def cases_download(request: Request) -> Response:
    principal = await principal_of(request)
    ctx = web(request)
    now = ctx.now().replace(microsecond=0)
    errors: list[dict[str, str]] = []
    query = _query(dict(request.query_params), errors)
    if errors:
        raise Invalid(errors[0]["text"])
    text, _ = await run_in_threadpool(case_list.cases_csv, ctx.ports, principal, query, now)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="cases-{now:%Y-%m-%d}.csv"'})
