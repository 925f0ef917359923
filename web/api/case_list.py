"""The API's case list: find any case the asker may see, a page at a time (a cursor to the next),
or every one as CSV for managers. Each list, search and download is in the access log."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from casework import case_list
from web.api.answers import answer
from web.api.contract import READ
from web.api.deps import Now, PortsDep, Reader
from web.api.responses.case_list import CaseListPage
from web.api.strict import StrictRoute

router = APIRouter(tags=["cases"], route_class=StrictRoute)


def _iso_day(value: object) -> object:
    """Only a day written as YYYY-MM-DD: never a number read as seconds since 1970."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError("give a day as YYYY-MM-DD, for example 2026-12-01")


Day = Annotated[date, BeforeValidator(_iso_day)]


def query_of(mine: Annotated[bool, Query(description="only my open work: cases with a step my roles there can complete")] = False,
             raised_by_me: Annotated[bool, Query(description="only cases I raised")] = False,
             service: Annotated[str | None, Query(description="only cases of this service id")] = None,
             status: Annotated[Literal["open", "closed", "stopped"] | None, Query()] = None,
             overdue: Annotated[bool, Query(description="only cases with an open deadline passed")] = False,
             identified_from: Annotated[Day | None, Query(description="identified on or after this UK day")] = None,
             identified_to: Annotated[Day | None, Query(description="identified on or before this UK day")] = None,
             q: Annotated[str | None, Query(max_length=64, description="a case id, or an adult's id (at risk or alleged source)")] = None,
             cursor: Annotated[str | None, Query(max_length=400, description="a page's next_cursor or previous_cursor")] = None,
             limit: Annotated[int, Query(ge=1, le=case_list.MOST_PER_PAGE)] = case_list.PAGE_SIZE) -> case_list.CaseQuery:
    return case_list.CaseQuery(mine, raised_by_me, service, status, overdue, identified_from, identified_to, q, cursor, limit)


Asked = Annotated[case_list.CaseQuery, Depends(query_of)]
CSV = {200: {"description": "every case the filters find, as CSV (UK times)", "content": {"text/csv": {}}}}


@router.get("/cases", summary="Find cases: yours, by service, status, overdue, date identified, or by case or adult id",
            response_model=CaseListPage, responses=READ)
async def find_cases(principal: Reader, ports: PortsDep, now: Now,
                     query: Asked) -> JSONResponse:
    page = await run_in_threadpool(case_list.find_cases, ports, principal, query, now)
    return answer({"cases": page.cases, "next_cursor": page.next_cursor, "previous_cursor": page.previous_cursor})


@router.get("/cases.csv", summary="Download the cases the filters find, as CSV (managers and safeguarding leads)",
            response_class=Response, responses={**CSV, **READ})
async def download_cases(principal: Reader, ports: PortsDep, now: Now, query: Asked) -> Response:
    text, _ = await run_in_threadpool(case_list.cases_csv, ports, principal, query, now)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="cases-{now:%Y-%m-%d}.csv"'})
