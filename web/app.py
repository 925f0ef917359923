"""The web app factory: the API under /api/v1 (OpenAPI at /api/v1/openapi.json, docs at /api/docs),
sessions, problem+json errors. Pages (issue 10) add their routers to the app this returns."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from temporalio.client import Client

from configuration.settings import Settings, get_settings
from eventstore.accounts import Accounts
from eventstore.application import SafeguardingRecords
from web import api, identity, oidc, problems
from web.context import API, WebContext, session_secret, utc_now
SESSION_COOKIE = "safeguard_session"


def create_app(settings: Settings | None = None, *, records: SafeguardingRecords | None = None,
               client: Client | None = None, now: Callable[[], datetime] = utc_now) -> FastAPI:
    """The app. `records` and `client` default to the configured event store and Temporal (the
    client is connected on first use); tests pass their own, and `now` for the clock."""
    settings = settings or get_settings()
    if records is None:
        from bootstrap import open_records

        records = open_records(settings)
    app = FastAPI(title="Safeguard", version="1", openapi_url=f"{API}/openapi.json", docs_url="/api/docs",
                  redoc_url=None)
    app.state.web = WebContext(settings=settings, records=records, accounts=Accounts(records), client=client, now=now)
    # The cookie is signed (itsdangerous), HttpOnly, SameSite=Lax (an OIDC provider's redirect back
    # must carry it) and Secure; inactivity ends a session in web/identity.py, the cookie's own
    # life caps it.
    app.add_middleware(SessionMiddleware, secret_key=session_secret(settings), session_cookie=SESSION_COOKIE,
                       max_age=settings.session_max_hours * 3600, same_site="lax", https_only=settings.cookie_secure)
    problems.install(app)
    app.include_router(identity.router, prefix=API)
    app.include_router(oidc.router, prefix=API)
    app.include_router(api.router, prefix=API)
    from web import pages  # the pages (issue 10) over the same identity, access rules and casework

    pages.install(app)
    return app
