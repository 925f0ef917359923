"""Signing in with the organisation's identity provider (OIDC, e.g. NHS login or Microsoft Entra).

authlib's Starlette client reads the provider's discovery document, sends the browser to sign in,
exchanges the code and checks the ID token (signature from the provider's keys, issuer, audience,
expiry, nonce). The user id is the `oidc_user_claim` (a staff id); their roles come from the
`oidc_roles_claim` through `oidc_role_map`, and the account in the event store is kept to match
(roles granted and revoked as facts). Configured by SAFEGUARD_OIDC_*; without an issuer, the
routes answer 404.
"""

from __future__ import annotations

import warnings
from typing import Any

import structlog

# authlib 1.9 prefers the httpx2 package and says so on import; httpx works (tests/test_api_oidc.py)
warnings.filterwarnings("ignore", message="The httpx module is deprecated")
from authlib.integrations.starlette_client import OAuth, OAuthError  # noqa: E402
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from configuration.settings import Settings
from domain.access import Assignment, assignment_problem
from web.api.session import me
from web.api import responses as shapes
from web.api.contract import problems
from web.identity import address, audit, same_site_path, start_session, web
from web.problems import Problem

log = structlog.get_logger("safeguard.oidc")
router = APIRouter(tags=["session"])
PROVIDER = "organisation"


def mapped_assignments(settings: Settings, claim_values: Any) -> list[Assignment]:
    """The assignments the provider's role claim maps to: "role@SERVICE" or "role" (organisation-wide)."""
    values = claim_values if isinstance(claim_values, list) else [claim_values] if claim_values else []
    out: list[Assignment] = []
    for value in values:
        for entry in settings.oidc_role_map.get(str(value), []):
            role, _, service = entry.partition("@")
            a = Assignment(role, service or None)
            problem = assignment_problem(a)
            if problem:  # a mapping that cannot be granted (an inspector's needs cases): named in the log
                log.warning("oidc role mapping ignored", claim=str(value), mapping=entry, problem=problem)
                continue
            out.append(a)
    return list(dict.fromkeys(out))


def client(request: Request):
    ctx = web(request)
    settings = ctx.settings
    if not settings.oidc_issuer:
        raise Problem(404, "sign-in with an identity provider is not configured (SAFEGUARD_OIDC_ISSUER)")
    oauth = getattr(request.app.state, "oauth", None)
    if oauth is None:
        oauth = OAuth()
        oauth.register(PROVIDER, client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret,
                       server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
                       client_kwargs={"scope": settings.oidc_scope})
        request.app.state.oauth = oauth
    return oauth.create_client(PROVIDER)


@router.get("/oidc/login", summary="Sign in with the organisation's identity provider (redirects there)",
            response_class=RedirectResponse, status_code=302,
            responses={302: {"description": "To the identity provider"}, **problems(404)})
async def oidc_login(request: Request) -> RedirectResponse:
    redirect = await client(request).authorize_redirect(request, request.url_for("oidc_callback"))
    # the page to land on once signed in (the sign-in page passes on an alert's link as ?next=): this site only
    request.session["after_sign_in"] = same_site_path(request.query_params.get("next"))
    return redirect


@router.get("/oidc/callback", name="oidc_callback", summary="Where the identity provider sends the browser back",
            response_model=shapes.SignedIn,
            responses={303: {"description": "A browser: to the pages, signed in"}, **problems(401, 403, 404, 503)})
async def oidc_callback(request: Request) -> Response:
    ctx = web(request)
    settings = ctx.settings
    try:
        token = await client(request).authorize_access_token(request)
    except OAuthError as e:
        await run_in_threadpool(ctx.accounts.audit, None, "login", "oidc callback", False,
                                reason=f"identity provider: {e.error}", address=address(request), channel="web")
        raise Problem(401, f"the identity provider's sign-in failed: {e.description or e.error}") from None
    claims = token.get("userinfo") or {}
    user_id = claims.get(settings.oidc_user_claim)
    problem = settings.input_rules().id_problem(str(user_id), "staff") if user_id else "is missing"
    if problem:
        raise Problem(403, f"the identity provider's {settings.oidc_user_claim} claim {problem}: it must be a staff id")
    name = str(claims.get(settings.oidc_name_claim) or user_id)
    wanted = mapped_assignments(settings, claims.get(settings.oidc_roles_claim))
    existing = await run_in_threadpool(ctx.accounts.account, user_id)
    if existing is not None and existing.deactivated_at is not None:  # closed here, whatever the provider says
        await run_in_threadpool(audit, request, None, "login", False, target=user_id, reason="account closed")
        raise Problem(403, "this account is closed in Safeguard: ask an administrator")
    account = await run_in_threadpool(ctx.accounts.sync_from_identity_provider, user_id, name, wanted,
                                      f"oidc:{settings.oidc_issuer}")
    after = same_site_path(request.session.get("after_sign_in"))
    csrf = start_session(request, user_id)
    principal = account.principal("web", session_id=request.session["sid"])
    await run_in_threadpool(audit, request, principal, "login", True, reason="identity provider")
    if "text/html" in request.headers.get("accept", ""):  # a browser signing in to the pages (issue 10)
        return RedirectResponse(after, status_code=303)
    return JSONResponse(me(principal, csrf))
