"""The case summary page: who, where, when, status, level, what is overdue and who was alerted; the
case's steps as a task list (each step on its own page: web/pages/case_step.py); its escalations;
and links to record a development, add a note, read the chronology and export the evidence pack."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from casework import case_reads
from domain.access import (EXPORTERS, INSPECTOR, Principal, administers, may_acknowledge, may_act_at, may_add_note,
                           may_export_case, may_reach, one_of)
from domain.pathway import current_pathway
from projections.case_history import escalation_endings, escalations as escalation_rows
from projections.case_tasks import alerted, not_yet_open, opened_by, tasks
from web.identity import web
from web.pages.render import page
from web.pages.signin import principal_of

router = APIRouter()

STATUS_TAGS = {"open": "nhsuk-tag--blue", "concluded": "nhsuk-tag--purple", "closed": "nhsuk-tag--grey"}
LEVEL_TAGS = {"reportable": "nhsuk-tag--red", "consultation": "nhsuk-tag--orange", "non_reportable": "nhsuk-tag--green"}
TASK_TAGS = {"open": "nhsuk-tag--blue", "overdue": "nhsuk-tag--red", "escalated": "nhsuk-tag--orange",
             "withdrawn": "nhsuk-tag--grey", "not yet open": "nhsuk-tag--grey"}


async def read_case(request: Request, principal: Principal, case_id: str, as_at: datetime | None = None
                    ) -> tuple[case_reads.CaseView, datetime]:
    """The case as its pages show it (checked and audited as a read), and now to the second."""
    ctx = web(request)
    now = ctx.now().replace(microsecond=0)
    return await case_reads.case_view(ctx.ports, principal, case_id, now, as_at), now


def temporal_ui(request: Request, principal: Principal, case_id: str) -> str | None:
    """The case's workflow in the Temporal UI (its first configured origin), for administrators only (issue 22):
    it shows the workflow's history, whose payloads the UI decodes only for those who may read the case."""
    if not administers(principal):
        return None
    settings = web(request).settings
    return (f"{settings.temporal_ui_origins()[0].rstrip('/')}/namespaces/{quote(settings.temporal_namespace, safe='')}"
            f"/workflows/{quote(case_id, safe='')}")


def escalation_list(principal: Principal, view: case_reads.CaseView) -> list[dict[str, Any]]:
    """Each escalation with when it ended and whether this principal may acknowledge it."""
    rows, ended, reviews = escalation_rows(view.facts), escalation_endings(view.facts), opened_by(view.facts)
    for e in rows:
        if (opener := reviews.get((e["step"], e["occurrence"]))) and opener.review:  # a decision's review, by its title
            e["title"] = opener.review.title
        e["ended_at"], e["ended_how"] = (ended[e["escalation_id"]]["at"], ended[e["escalation_id"]]["how"]) \
            if e["escalation_id"] in ended else (None, None)
        e["may"] = bool(may_acknowledge(principal, view.service, e["escalation_id"], e["to_role"]))
        e["outstanding"] = e["cause"] == "trigger" and not e["acknowledged_at"] and not e["ended_at"]
    return rows


def grouped(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One task per step: a step that recurs (a chronology update per development, an oversight every
    72 hours) shows its open occurrence, else its latest, with the others as `earlier`, so a long
    case's summary stays short."""
    by: dict[str, list[dict[str, Any]]] = {}
    for s in steps:
        by.setdefault(s["step"], []).append(s)
    rows = []
    for occurrences in by.values():
        current = next((s for s in reversed(occurrences) if s["status"] != "done"), occurrences[-1])
        rows.append({**current, "earlier": [s for s in occurrences if s is not current]})
    return rows


@router.get("/cases/{case_id}")
async def case(request: Request, case_id: str) -> Response:
    principal = await principal_of(request)
    view, now = await read_case(request, principal, case_id)
    pathway = current_pathway()
    steps = tasks(view.facts, pathway, now)
    status = view.status
    return page(request, "case.html", principal, case_id=case_id, service=view.service,
                concern=view.facts[0].fact.concern, status_=status, unavailable=view.unavailable, now=now,
                steps=grouped(steps), later=not_yet_open(view.facts, pathway), overdue=[s for s in steps if s["status"] == "overdue"],
                alerted=alerted(view.facts), escalations=escalation_list(principal, view),
                status_tags=STATUS_TAGS, level_tags=LEVEL_TAGS, task_tags=TASK_TAGS,
                may_develop=bool(may_act_at(principal, view.service, "recording a development")),
                may_note=bool(may_add_note(principal, case_id, view.service, now)),
                may_read_log=bool(may_reach(principal, "access_log")), temporal_ui=temporal_ui(request, principal, case_id),
                export=may_export_case(principal, case_id, view.service, now), exporters=one_of(sorted(EXPORTERS - {INSPECTOR})))
