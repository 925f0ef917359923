"""The web's own defences (issue 18): security headers on every answer, sign-in from another site
refused (login CSRF), the sign-in page showing only its own words, and X-Forwarded-For believed
from a named proxy only."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.api_support import API, BASE
from web.serving import embedded_server

pytestmark = pytest.mark.unit


@pytest.fixture
def app_client(settings, records):
    from web.app import create_app

    app = create_app(settings, records=records, client=None)
    return lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.0.8", 50000)),
                                     base_url=BASE, timeout=30)


async def test_every_answer_carries_the_security_headers(app_client):
    async with app_client() as c:
        for path in ("/sign-in", f"{API}/pathway", "/cases/SG-1", f"{API}/cases/SG-1", "/static/safeguard.css"):
            r = await c.get(path)
            csp = r.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp, path
            assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"] == "same-origin"
            assert r.headers["strict-transport-security"].startswith("max-age="), path  # https://testserver
            assert (r.headers.get("cache-control") == "no-store") == (not path.startswith("/static/")), path


async def test_a_sign_in_from_another_site_is_refused(app_client, records):
    from eventstore.accounts import Accounts

    Accounts(records).add_user("SSW-60", "A Worker", "correct-horse-battery-9", by="test")
    async with app_client() as c:
        elsewhere = await c.post(f"{API}/session", data={"user_id": "SSW-60", "password": "correct-horse-battery-9"},
                                 headers={"Origin": "https://evil.example"})
        forged_page = await c.post("/sign-in", data={"user_id": "SSW-60", "password": "correct-horse-battery-9"})
        referred = await c.post(f"{API}/session", data={"user_id": "SSW-60", "password": "correct-horse-battery-9"},
                                headers={"Referer": "https://evil.example/login"})  # no Origin: the trial's
        assert elsewhere.status_code == 403 and "from another site" in elsewhere.json()["detail"]
        assert referred.status_code == 403
        assert forged_page.status_code == 403 and "did not come from Safeguard" in forged_page.text
        assert "safeguard_session" not in c.cookies or "uid" not in c.cookies.get("safeguard_session", "")
        form = (await c.get("/sign-in")).text
        token = re.search(r'name="login_csrf" value="([^"]+)"', form).group(1)
        ok = await c.post("/sign-in", data={"user_id": "SSW-60", "password": "correct-horse-battery-9", "login_csrf": token})
        assert ok.status_code == 303
        same_site = await c.post(f"{API}/session", json={"user_id": "SSW-60", "password": "correct-horse-battery-9"},
                                 headers={"Origin": BASE})
        assert same_site.status_code == 200


async def test_the_sign_in_page_shows_only_its_own_words(app_client):
    async with app_client() as c:
        planted = (await c.get("/sign-in", params={"why": "Your account is locked: call 0800 000 000"})).text
        ours = (await c.get("/sign-in", params={"why": "signed-out"})).text
    assert "0800 000 000" not in planted
    assert "You are signed out." in ours


def test_x_forwarded_for_is_believed_from_a_named_proxy_only(monkeypatch):
    import web.serving

    assert embedded_server(object(), "127.0.0.1", 8000).config.proxy_headers is False  # `safeguard dev`
    seen: dict = {}
    monkeypatch.setattr(web.serving.uvicorn, "run", lambda *a, **kw: seen.update(kw))
    web.serving.run_production("0.0.0.0", 8000, 1, None)  # `safeguard serve` with no proxy named
    assert seen["proxy_headers"] is False
    web.serving.run_production("0.0.0.0", 8000, 1, "10.0.0.2")
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.0.0.2"



async def test_a_deactivated_account_loses_its_sessions_and_tokens_at_once(app_client, records):
    from datetime import timedelta

    from eventstore.accounts import Accounts

    accounts = Accounts(records)
    accounts.add_user("TL-61", "A Leader", "correct-horse-battery-9", by="test")
    token = accounts.issue_token("TL-61", "cli", None, timedelta(days=1), by="test").secret
    async with app_client() as c:
        await c.post(f"{API}/session", json={"user_id": "TL-61", "password": "correct-horse-battery-9"})
        assert (await c.get(f"{API}/session")).status_code == 200
        accounts.deactivate("TL-61", by="cli:test", reason="left the organisation")
        assert (await c.get(f"{API}/session")).status_code == 401  # the open session, at its next request
        assert (await c.get(f"{API}/pathway", headers={"Authorization": f"Bearer {token}"})).status_code == 401
        again = await c.post(f"{API}/session", json={"user_id": "TL-61", "password": "correct-horse-battery-9"})
        assert again.status_code == 401 and again.json()["detail"] == "wrong user id or password"
    assert [a.reason for a in accounts.access_log(user_id="TL-61") if a.what == "users deactivate"] == ["left the organisation"]
    # a closed account takes nothing more (the trial's grant, token and password were accepted)
    from domain.access import Assignment
    from eventstore.accounts import AccountError

    for attempt in (lambda: accounts.grant("TL-61", Assignment("team_leader", "SVC-ELM"), by="cli:test"),
                    lambda: accounts.issue_token("TL-61", "again", None, timedelta(days=1), by="cli:test"),
                    lambda: accounts.set_password("TL-61", "purple monkey dishwasher", by="cli:test"),
                    lambda: accounts.deactivate("TL-61", by="cli:test")):
        with pytest.raises(AccountError, match="closed"):
            attempt()


def test_an_inspectors_grant_that_has_ended_and_a_token_of_no_days_are_refused(records, offline):
    from datetime import datetime, timedelta, timezone

    from typer.testing import CliRunner

    from cli.main import app
    from domain.access import Assignment
    from eventstore.accounts import AccountError, Accounts

    accounts = Accounts(records)
    accounts.add_user("INSP-62", "An Inspector", None, by="test")
    past = datetime.now(timezone.utc) - timedelta(days=1)
    with pytest.raises(AccountError, match="which has passed"):
        accounts.grant("INSP-62", Assignment("inspector", None, ("SG-1",), past), by="test")
    soon, far = past + timedelta(days=30), datetime(9999, 12, 31, tzinfo=timezone.utc)
    with pytest.raises(AccountError, match="at most 92 days"):  # the trial's 9999-12-31
        accounts.grant("INSP-62", Assignment("inspector", None, ("SG-1",), far), by="test")
    with pytest.raises(AccountError, match="no case SG-FAKE in the event store"):
        accounts.grant("INSP-62", Assignment("inspector", None, ("SG-FAKE",), soon), by="test")
    assert accounts.account("INSP-62").assignments == []
    runner = CliRunner()
    assert runner.invoke(app, ["users", "add", "TL-62", "--name", "A Leader", "--no-password"]).exit_code == 0
    zero = runner.invoke(app, ["tokens", "issue", "TL-62", "--name", "cli", "--days", "0"])
    assert zero.exit_code == 2 and "a token lasts 1 to 366 days" in zero.stderr


async def test_a_fault_is_answered_in_words_never_a_bare_500(settings, records):
    """The trial met "Internal Server Error" as plain text: a fault now answers as the face speaks."""
    from web.app import create_app

    app = create_app(settings, records=records, client=None)

    @app.get("/api/v1/a-fault", include_in_schema=False)
    def api_fault() -> None:
        raise RuntimeError("a fault")

    @app.get("/a-fault", include_in_schema=False)
    def page_fault() -> None:
        raise RuntimeError("a fault")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
        api, page = await c.get(f"{API}/a-fault"), await c.get("/a-fault")
    assert api.status_code == 500 and api.headers["content-type"] == "application/problem+json"
    assert "fault of its own" in api.json()["detail"] and "a fault" not in api.json()["detail"].split("fault of")[0]
    assert page.status_code == 500 and "Sorry, there is a problem with Safeguard" in page.text
    for answer in (api, page):  # made outside the middleware that adds them to every other answer
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["cache-control"] == "no-store"
