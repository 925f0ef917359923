"""OIDC sign-in through authlib against a fake provider (a real HTTP server the test starts)."""

from __future__ import annotations

import httpx
import pytest

from domain.access import Assignment
from tests.api_support import API, BASE
from tests.fake_oidc import FakeProvider
from web.app import create_app

pytestmark = pytest.mark.unit


@pytest.fixture
def provider():
    with FakeProvider() as p:
        yield p


@pytest.fixture
def app(settings, records, provider):
    configured = settings.model_copy(update={
        "oidc_issuer": provider.issuer, "oidc_client_id": "safeguard", "oidc_client_secret": "s3cret",
        "oidc_role_map": {"elm-team-leaders": ["team_leader@SVC-ELM"], "quality": ["quality_safeguarding_lead"],
                          "inspectors": ["inspector"]}})
    return create_app(configured, records=records)


def browser(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE + API)


async def sign_in(app, c: httpx.AsyncClient) -> httpx.Response:
    start = await c.get("/oidc/login")
    assert start.status_code == 302
    authorize = start.headers["location"]
    assert authorize.startswith(app.state.web.settings.oidc_issuer + "/authorize")
    async with httpx.AsyncClient() as idp:  # the browser at the provider, over real HTTP
        back = await idp.get(authorize)
    assert back.status_code == 302
    callback = back.headers["location"]
    assert callback.startswith(f"{BASE}{API}/oidc/callback?")
    return await c.get(callback.removeprefix(BASE + API))


async def test_oidc_sign_in_maps_claims_to_roles_and_keeps_them_current(app, provider):
    provider.claims = {"sub": "TL-21", "name": "Tess Leader", "roles": ["elm-team-leaders", "unmapped", "inspectors"]}
    async with browser(app) as c:
        r = await sign_in(app, c)
        assert r.status_code == 200, r.text
        assert r.json()["user_id"] == "TL-21" and r.json()["csrf_token"]
        me = (await c.get("/session")).json()
        assert me["roles"] == [{"role": "team_leader", "service": "SVC-ELM", "cases": [], "until": None}]
    accounts = app.state.web.accounts
    assert accounts.account("TL-21").display_name == "Tess Leader"
    # the provider now says otherwise: the account follows at the next sign-in
    provider.claims = {"sub": "TL-21", "name": "Tess Leader", "roles": ["quality"]}
    async with browser(app) as c:
        assert (await sign_in(app, c)).status_code == 200
    assert accounts.account("TL-21").assignments == [Assignment("quality_safeguarding_lead")]
    log = [(a.action, a.allowed) for a in accounts.access_log(user_id="TL-21")]
    assert ("revoke", True) in log and log.count(("login", True)) == 2
    assert provider.token_requests == 2


async def test_a_forged_state_or_a_user_id_that_is_not_a_staff_id_is_refused(app, provider):
    provider.claims = {"sub": "TL-22", "roles": []}
    async with browser(app) as c:
        start = await c.get("/oidc/login")
        async with httpx.AsyncClient() as idp:
            callback = (await idp.get(start.headers["location"])).headers["location"]
    async with browser(app) as other:  # another browser presenting that code: no matching state in its session
        r = await other.get(callback.removeprefix(BASE + API))
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    provider.claims = {"sub": "Jane Smith", "roles": ["quality"]}
    async with browser(app) as c:
        r = await sign_in(app, c)
    assert r.status_code == 403 and "staff id" in r.json()["detail"]
    assert app.state.web.accounts.account("Jane Smith") is None


async def test_without_an_issuer_oidc_answers_404(settings, records):
    async with browser(create_app(settings, records=records)) as c:
        r = await c.get("/oidc/login")
    assert r.status_code == 404 and "SAFEGUARD_OIDC_ISSUER" in r.json()["detail"]
