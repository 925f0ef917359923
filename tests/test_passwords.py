"""Passwords (issue 18 §5), after NCSC's guidance: length over complexity; a common password, or
one made from the person's own id or name, is refused; a password set before these checks that is
too easy to guess must be changed at the next sign-in, and nothing else answers until it is."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import httpx
import pytest
from typer.testing import CliRunner

from domain.access import Assignment
from domain.identity import PasswordSet
from eventstore.accounts import AccountError, Accounts, hash_password, password_problem, user_stream
from tests.api_support import API, BASE
from tests.test_backup import MASTER_KEY

pytestmark = pytest.mark.unit
GOOD = "purple monkey dishwasher"
ELM = "SVC-ELM"


@pytest.mark.parametrize("password, user_id, name", [
    (" " * 12, "TL-1", "Tess Leader"),            # twelve spaces
    ("password1234", "TL-1", "Tess Leader"),      # a common one
    ("Password123!", "TL-1", "Tess Leader"),      # a common one, dressed up
    ("TL-1TL-1TL-1", "TL-1", "Tess Leader"),      # the user's own id
    ("tessleader99", "TL-1", "Tess Leader"),      # the user's own name
    ("short words", "TL-1", "Tess Leader"),       # under 12 characters
    ("1234567890123", "TL-1", "Tess Leader"),     # digits in a row (not their name: said so in the right words)
])
def test_an_easy_password_is_refused_in_plain_words(password, user_id, name):
    problem = password_problem(password, user_id, name)
    assert problem is not None and ("password" in problem or "easy to guess" in problem)
    assert problem[0].isupper() and problem.endswith(".") and ".." not in problem  # a sentence, as a page shows it
    assert "zxcvbn" not in problem and "score" not in problem
    assert ("name or user id" in problem) == (password in ("TL-1TL-1TL-1", "tessleader99"))


@pytest.mark.parametrize("password", [GOOD, "correct-horse-battery-9", "Kettle on the landing at nine",
                                      "a long sentence about the kettle on the landing, the cat and the rain " * 2])
def test_long_passwords_of_plain_words_are_accepted(password):
    assert password_problem(password, "TL-1", "Tess Leader") is None


def test_the_store_refuses_an_easy_password_and_records_nothing(records):
    accounts = Accounts(records)
    with pytest.raises(AccountError, match="too easy to guess"):
        accounts.add_user("TL-5", "Tess Leader", "password1234", by="test")
    assert accounts.account("TL-5") is None
    accounts.add_user("TL-5", "Tess Leader", GOOD, by="test")
    before = len(records.stream(user_stream("TL-5")))
    with pytest.raises(AccountError, match="at least 12"):
        accounts.set_password("TL-5", " " * 11, by="test")
    assert len(records.stream(user_stream("TL-5"))) == before


def test_the_cli_refuses_an_easy_password(tmp_path, monkeypatch):
    from cli.main import app
    from configuration.settings import get_settings

    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SAFEGUARD_EVENT_STORE", "sqlite")
    monkeypatch.setenv("SAFEGUARD_MASTER_KEY", MASTER_KEY)
    get_settings.cache_clear()
    runner = CliRunner()
    r = runner.invoke(app, ["users", "add", "TL-6", "--name", "Tess Leader", "--password-stdin"], input="password1234\n")
    assert r.exit_code != 0 and "too easy to guess" in r.output
    listed = runner.invoke(app, ["users", "list", "--json"])
    assert "TL-6" not in listed.output
    ok = runner.invoke(app, ["users", "add", "TL-6", "--name", "Tess Leader", "--password-stdin"], input=GOOD + "\n")
    assert ok.exit_code == 0, ok.output
    weak = runner.invoke(app, ["users", "password", "TL-6"], input="TL-6TL-6TL-6\n")
    assert weak.exit_code != 0 and "made from your name or user id" in weak.output
    get_settings.cache_clear()


def _weak_account(records, user_id: str, weak: str) -> None:
    """An account whose password was set before these checks, as an older Safeguard recorded it."""
    accounts = Accounts(records)
    accounts.add_user(user_id, "Sam Worker", GOOD, by="test")
    accounts.grant(user_id, Assignment("senior_support_worker", ELM), by="test")
    records.append(user_stream(user_id), [PasswordSet(at=datetime.now(timezone.utc), password_hash=hash_password(weak),
                                                      by="an older version")])


@pytest.fixture
def app_client(settings, records):
    from web.app import create_app

    app = create_app(settings, records=records, client=None)
    return lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.0.9", 50000)),
                                     base_url=BASE, timeout=30)


async def test_an_existing_easy_password_must_be_changed_before_anything_else_over_the_api(app_client, records):
    _weak_account(records, "SSW-80", "password1234")
    async with app_client() as c:
        signed = await c.post(f"{API}/session", json={"user_id": "SSW-80", "password": "password1234"})
        assert signed.status_code == 200 and signed.json()["must_change_password"] is True
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        held = await c.get(f"{API}/deadlines")
        assert held.status_code == 403 and "must be changed" in held.json()["detail"]
        wrong = await c.post(f"{API}/password", json={"current_password": "nope nope nope", "new_password": GOOD}, headers=csrf)
        assert wrong.status_code == 403
        easy = await c.post(f"{API}/password", json={"current_password": "password1234", "new_password": "password12345"},
                            headers=csrf)
        assert easy.status_code == 422 and "too easy to guess" in easy.json()["detail"]
        assert (await c.get(f"{API}/deadlines")).status_code == 403
        changed = await c.post(f"{API}/password", json={"current_password": "password1234", "new_password": GOOD},
                               headers=csrf)
        assert changed.status_code == 204
        assert (await c.get(f"{API}/deadlines")).status_code == 200
        assert (await c.get(f"{API}/session")).json()["must_change_password"] is False
    again = await _sign_in_json(app_client, "SSW-80", GOOD)
    assert again["must_change_password"] is False
    log = [(a.action, a.allowed, a.reason) for a in Accounts(records).access_log() if a.user_id == "SSW-80"]
    assert ("login", True, "the password must be changed: too easy to guess") in log
    assert ("refused", False, "wrong current password") in log and ("password_set", True, None) in log


async def _sign_in_json(app_client, user_id: str, password: str) -> dict:
    async with app_client() as c:
        r = await c.post(f"{API}/session", json={"user_id": user_id, "password": password})
        assert r.status_code == 200
        return r.json()


async def test_a_token_cannot_change_the_password(app_client, records):
    from datetime import timedelta

    accounts = Accounts(records)
    accounts.add_user("SSW-81", "Sam Worker", GOOD, by="test")
    accounts.grant("SSW-81", Assignment("senior_support_worker", ELM), by="test")
    token = accounts.issue_token("SSW-81", "script", None, timedelta(days=1), "test").secret
    async with app_client() as c:
        r = await c.post(f"{API}/password", json={"current_password": GOOD, "new_password": "another long phrase here"},
                         headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403 and "signed-in session" in r.json()["detail"]
    assert (await _sign_in_json(app_client, "SSW-81", GOOD))["user_id"] == "SSW-81"


async def test_on_the_pages_an_easy_password_leads_to_the_change_page_and_nowhere_else(app_client, records):
    _weak_account(records, "SSW-82", "Password123!")
    async with app_client() as c:
        form = (await c.get("/sign-in")).text
        token = re.search(r'name="login_csrf" value="([^"]+)"', form).group(1)
        r = await c.post("/sign-in", data={"user_id": "SSW-82", "password": "Password123!", "next": "/board",
                                           "login_csrf": token})
        assert r.status_code == 303
        for path in ("/", "/board", "/concerns/new"):
            held = await c.get(path)
            assert held.status_code == 303 and held.headers["location"] == "/password", path
        page = (await c.get("/password")).text
        assert "Your password is too easy to guess" in page
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        easy = await c.post("/password", data={"csrf_token": csrf, "current_password": "Password123!",
                                               "new_password": "SSW-82SSW-82"})
        assert easy.status_code == 422 and "made from your name or user id" in easy.text and 'id="new_password-error"' in easy.text and 'nhsuk-input--error' in easy.text
        done = await c.post("/password", data={"csrf_token": csrf, "current_password": "Password123!", "new_password": GOOD})
        assert done.status_code == 303
        home = await c.get("/")
        assert home.status_code == 200 and "Your password has been changed." in home.text
