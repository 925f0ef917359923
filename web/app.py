"""The web app factory: the API under /api/v1 (OpenAPI at /api/v1/openapi.json, docs at /api/docs),
sessions, problem+json errors. Pages (issue 10) add their routers to the app this returns."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path
from starlette.middleware.sessions import SessionMiddleware
from temporalio.client import Client

from configuration.settings import Settings, get_settings
from eventstore.application import SafeguardingRecords
import bootstrap
from web import codec, health, problems
from web.headers import SecurityHeaders
from web.timing import RequestTiming
from web.api import contract, routers
from web.context import API, WebContext, session_secret, utc_now
SESSION_COOKIE = "safeguard_session"


DOCS_ASSETS = "/api/docs/assets"


def docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs from files vendored in the `swagger-ui-bundle` package: no CDN at run time."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=f"{API}/openapi.json", title="Safeguard API",
                                   swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png")


def create_app(settings: Settings | None = None, *, records: SafeguardingRecords | None = None,
               client: Client | None = None, now: Callable[[], datetime] = utc_now) -> FastAPI:
    """The app. `records` and `client` default to the configured event store and Temporal (the
    client is connected on first use); tests pass their own, and `now` for the clock."""
    settings = settings or get_settings()
    app = FastAPI(title="Safeguard", version="1", openapi_url=f"{API}/openapi.json", docs_url=None, redoc_url=None)
    docs(app)
    app.state.web = WebContext(bootstrap.ports(settings, records, client), now=now)
    # The cookie is signed (itsdangerous), HttpOnly, SameSite=Lax (an OIDC provider's redirect back
    # must carry it) and Secure; inactivity ends a session in web/identity.py, the cookie's own
    # life caps it.
    app.add_middleware(SessionMiddleware, secret_key=session_secret(settings), session_cookie=SESSION_COOKIE,
                       max_age=settings.session_max_hours * 3600, same_site="lax", https_only=settings.cookie_secure)
    app.add_middleware(codec.CodecCORS, origins=settings.temporal_ui_origins())
    app.add_middleware(RequestTiming, prefixes=(API,))  # safeguard_http_request_seconds, by route template
    app.add_middleware(SecurityHeaders)  # outermost: every answer carries them, errors included
    problems.install(app)
    app.include_router(codec.router)
    app.include_router(health.router)  # /healthz, /readyz: no data, no sign-in
    for router in routers():
        app.include_router(router, prefix=API)
    contract.install(app)
    from web import pages  # the pages (issue 10) over the same identity, access rules and casework

    pages.install(app)
    return app
