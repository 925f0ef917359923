"""The HTTP API under /api/v1: thin adapters over the use cases of casework/. Each route parses
(a pydantic body, `Annotated` dependencies for who asks and with what key), calls one use case,
and answers; a refusal becomes problem+json by its class (web/problems.py). One router per
resource, as FastAPI's full-stack template has them."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from web.api import admin, admin_users, alerting, case_list, cases, oidc, oversight, policy, processes, session

    return [session.router, oidc.router, case_list.router, cases.router, oversight.router, policy.router, processes.router,
            alerting.router, admin_users.router, admin.router]
