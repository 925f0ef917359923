"""A case's chronology on its own page: every fact in order, now or as it stood at an instant, each
in plain words with what was recorded in full, and the engine's details folded away. Those who
answer for personal data also see who has read or changed the case (the access log)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from casework import case_reads
from casework.inputs import parse_as_at
from casework.refusals import Invalid
from domain.access import may_export_case, may_reach
from domain.pathway import current_pathway
from projections.case_history import chronology
from projections.chronology_words import worded
from web.identity import web
from web.pages import forms
from web.pages.case import read_case
from web.pages.formats import london
from web.pages.render import page
from web.pages.signin import principal_of

router = APIRouter()
AS_AT = "as_at"
# the rows by which a correction and the entry it corrects (or whose decision it reviews) name each
# other (projections/amendment_words.py): there, "entry N" links to that entry on the page
POINTING = ("Corrects", "Corrected later", "Decision reviewed later", "After")
ENTRY = re.compile(r"\bentry (\d+)\b")


def linked(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry as worded, an entry it names in a row of POINTING a link to it where it is shown."""
    shown = {str(e["seq"]) for e in entries}

    def link(m: re.Match[str]) -> str:
        return f'<a href="#entry-{m.group(1)}">{m.group(0)}</a>' if m.group(1) in shown else m.group(0)

    def rows(said: list[tuple[str, str]]) -> list[tuple[str, Any]]:
        return [(k, Markup(ENTRY.sub(link, str(escape(v)))) if k in POINTING else v) for k, v in said]
    return [{**e, "said": rows(e["said"])} for e in entries]


@router.get("/cases/{case_id}/chronology")
async def case_chronology(request: Request, case_id: str) -> Response:
    principal = await principal_of(request)
    ctx = web(request)
    # the date input's parts (as_at-day, -month, -year, -time), or one 'YYYY-MM-DDTHH:MM[:SS]' as links carry it
    asked = forms.joined_instants(dict(request.query_params)).get(AS_AT, "").strip()
    instant, error = None, None
    if asked:
        try:
            instant = parse_as_at(forms.from_london_input(asked).isoformat(), ctx.now(), option="as at")
        except ValueError:
            error = "Enter a real date and time, for example 27 3 2026 and 14:30"
        except Invalid as e:
            error = e.message[0].upper() + e.message[1:]
    view, now = await read_case(request, principal, case_id, instant)
    readers = None
    if may_reach(principal, "access_log"):  # who read it: for those who answer for personal data
        readers = await run_in_threadpool(case_reads.who_read, ctx.ports, principal, case_id, now)
    as_at_field = forms.fill([forms.FormField(AS_AT, "Show the chronology as it stood at", "instant", False,
                                              help="Leave it empty to see it as it is now.")],
                             dict(request.query_params), {AS_AT: error} if error else {})[0]
    if not asked:
        as_at_field.extra["parts"] = {}
    return page(request, "case_chronology.html", principal, status=422 if error else 200, case_id=case_id,
                entries=linked(worded(chronology(view.shown), current_pathway(), london)), instant=instant, now=now,
                as_at_field=as_at_field, summary=[{"text": error, "href": f"#{as_at_field.dom_id}-day"}] if error else [],
                export=may_export_case(principal, case_id, view.service, now), readers=readers)
