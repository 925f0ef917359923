"""Safeguard in the browser: pages rendered on the server (Jinja2 templates in `templates/`, htmx,
server-sent events for the live board): thin adapters over the same use cases as the API
(casework/), with the same identity (web/identity.py). Assets in `static/` are served by Safeguard
itself (vendored htmx and axe-core: static/vendor/README.md).

`install(app)` adds the pages to the app `web.app.create_app` builds. Errors on a page answer a
page (a refusal, an unknown case, sign in again); the API's own paths keep problem+json.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import FileResponse, RedirectResponse, Response

from casework.refusals import Refusal
from encryption.payload_codec import CODEC_PATH
from web.context import API
from web.pages import drafts
from web.headers import security_headers
from web.problems import FAULT, Problem, detail_of, status_of


def _is_api(request: Request) -> bool:
    """A machine's endpoint (the API, the Temporal UI's codec): errors as problem+json, never a page."""
    return request.url.path.startswith((API, "/api/", CODEC_PATH + "/"))


SESSION_ENDINGS = (("limit", "your session ended: a session lasts"), ("idle", "your session ended after"),
                   ("ended", "your session has ended"))
CSRF_REFUSED = "this request needs the session's CSRF token"  # web.identity.check_csrf's words, the API's
STALE_FORM = ("This form is out of date, or did not come from Safeguard's pages, so nothing was recorded. Go back, "
              "reload the page and send it again.")


def _back_to(request: Request) -> str:
    """Where to go once signed in again: the page asked for, or, for a form sent after the session
    ended, the page the form was on (its address cannot be opened: it only takes forms)."""
    if request.method in ("GET", "HEAD"):
        return request.url.path
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc in ("", request.url.netloc)
    return referer.path if same_site and referer.path.startswith("/") and not referer.path.startswith("//") else "/"


def install(app: FastAPI) -> None:
    from web.pages import (admin_reset, alerting, board, case, case_actions, case_chronology, case_records, case_step,
                           cases, home, oversight, password, raise_concern, reset, signin, sources)
    from web.pages.render import STATIC, page

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:  # browsers ask for it at the root whatever the page says
        return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon")

    for module in (signin, password, home, raise_concern, cases, case, case_step, case_records, case_chronology, case_actions,
                   board, oversight, alerting, sources, reset, admin_reset):
        app.include_router(module.router, include_in_schema=False)
    from web.pages import case_amend  # correcting a done step's record (issue 22)

    app.include_router(case_amend.router, include_in_schema=False)
    from web.pages import admin_services  # services, for administrators (issue 22)

    app.include_router(admin_services.router, include_in_schema=False)

    # administration (issue 22): its index, users and roles, where a person's alerts go, tokens, history
    from web.pages import admin, admin_alerts, admin_users

    for module in (admin, admin_users, admin_alerts):
        app.include_router(module.router, include_in_schema=False)

    api_problem = app.exception_handlers[Problem]
    api_refusal = app.exception_handlers[Refusal]

    async def on_problem(request: Request, e: Problem) -> Response:
        if _is_api(request):
            return await api_problem(request, e)
        if e.status == 401:  # a session that ended says why (by a code); never having signed in needs no reason
            code = next((c for c, start in SESSION_ENDINGS if e.detail.startswith(start)), None)
            ended = getattr(request.state, "ended_user", None)
            if code in ("idle", "limit") and ended and await drafts.keep(request, ended, _back_to(request)):
                code += "-kept"  # what they typed waits for them on the form's page
            why = f"&why={code}" if code else ""
            return RedirectResponse(f"/sign-in?next={quote(_back_to(request))}{why}", status_code=303)
        if e.extra.get("change_password"):  # a password too easy to guess: nothing answers until it is changed
            return RedirectResponse("/password", status_code=303)
        stale = e.status == 403 and e.detail.startswith(CSRF_REFUSED)  # a form from before a new sign-in, or forged
        return page(request, "error.html", getattr(request.state, "principal", None), status=e.status,
                    status_code=e.status, detail=STALE_FORM if stale else e.detail)

    async def on_refusal(request: Request, e: Refusal) -> Response:
        if _is_api(request):
            return await api_refusal(request, e)
        return page(request, "error.html", getattr(request.state, "principal", None), status=status_of(e),
                    status_code=status_of(e), detail=detail_of(e, request.app.state.web.settings))

    api_fault = app.exception_handlers[Exception]

    async def on_fault(request: Request, e: Exception) -> Response:
        if _is_api(request):
            return await api_fault(request, e)
        answer = page(request, "error.html", getattr(request.state, "principal", None), status=500, status_code=500,
                      detail=FAULT)
        answer.headers.update(security_headers(request.url.path, request.url.scheme))
        return answer

    api_http = app.exception_handlers[StarletteHTTPException]

    async def on_http(request: Request, e: StarletteHTTPException) -> Response:
        # an address no page answers: a page saying so, with a way back (the API keeps problem+json)
        if _is_api(request) or e.status_code != 404 or request.url.path.startswith("/static/"):
            return await api_http(request, e)
        answer = page(request, "error.html", getattr(request.state, "principal", None), status=404, status_code=404,
                      detail="There is no page at this address. Check it, or go to My work.")
        answer.headers.update(security_headers(request.url.path, request.url.scheme))
        return answer

    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(Refusal, on_refusal)
    app.add_exception_handler(Exception, on_fault)
