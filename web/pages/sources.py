"""The passages Safeguard's rules come from (domain/sources.py): a step's help, an indicator's
source, each links here, so a person reads the words the rule rests on, named as they know them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from domain.sources import SOURCES, passage
from web.pages.render import page
from web.pages.signin import principal_of
from web.problems import Problem

router = APIRouter()


@router.get("/sources/{code}/{line}")
async def source_passage(request: Request, code: str, line: int) -> Response:
    principal = await principal_of(request)
    found = passage(code, line) if code in SOURCES else None
    if found is None:
        raise Problem(404, "Safeguard does not quote that passage. Go back to the page you came from.")
    return page(request, "source.html", principal, passage=found, source=SOURCES[code])
