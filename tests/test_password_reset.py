"""A link to set a password (issue 22): an administrator (or the CLI's local operator) sends it by
email to the person's alerts address; it is caught by a real SMTP server (aiosmtpd), taken from the
message and used on its page to set a password, with which the person signs in; it works once, and
not after it expires (the clock a parameter, never a sleep). Refused with nothing recorded: someone
not an administrator, a person with no email address. The link's secret is in no log line."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from typer.testing import CliRunner

import bootstrap
from casework.passwords import issue_reset_link, redeem_reset_link
from casework.refusals import Invalid, NotOpen, NotPermitted
from configuration.logging import HideLinkSecrets
from domain.access import ADMINISTRATOR, Assignment
from domain.identity import RESET_EXPIRED, RESET_LINK_LIFE, PasswordResetIssued, PasswordResetUsed
from eventstore.accounts import Accounts, user_stream
from tests.api_support import BASE
from tests.browser_support import PASSWORD
from tests.servers.mail import MailServer
from web.app import create_app

pytestmark = pytest.mark.unit
NEW = "kettle on the landing at nine"
ELM = "SVC-ELM"
LINK = re.compile(r"https://sg\.example/reset/(\S+)")


@pytest.fixture
def mail():
    with MailServer() as server:
        yield server


@pytest.fixture
def site(settings, records, mail):
    settings.smtp_host, settings.smtp_port, settings.smtp_from = "127.0.0.1", mail.port, "alerts@sg.example"
    settings.public_url = "https://sg.example/"
    accounts = Accounts(records)
    accounts.add_user("ADM-1", "Ada Admin", PASSWORD, by="test")
    accounts.grant("ADM-1", Assignment(ADMINISTRATOR), by="test")
    accounts.add_user("TL-7", "Tess Leader", PASSWORD, by="test")
    accounts.grant("TL-7", Assignment("team_leader", ELM), by="test")
    accounts.set_contact("TL-7", "tess@example.org", None, True, by="test")
    return accounts


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.0.9", 50000)), base_url=BASE,
                             timeout=30)


async def sign_in(c: httpx.AsyncClient, user_id: str, password: str) -> httpx.Response:
    form = (await c.get("/sign-in")).text
    token = re.search(r'name="login_csrf" value="([^"]+)"', form).group(1)
    return await c.post("/sign-in", data={"user_id": user_id, "password": password, "next": "/", "login_csrf": token})


def body(message) -> str:
    """The text as a mail program shows it (a line longer than 78 characters is sent quoted-printable)."""
    return message.get_payload(decode=True).decode()


def reset_facts(records, user_id: str) -> list:
    return [r.fact for r in records.stream(user_stream(user_id)) if isinstance(r.fact, (PasswordResetIssued,
                                                                                      PasswordResetUsed))]


async def test_a_link_is_sent_used_once_to_set_a_password_and_then_refused(settings, records, mail, site):
    clock = Clock()
    app = create_app(settings, records=records, client=None, now=clock)
    ports = app.state.web.ports
    admin = site.account("ADM-1").principal("web", session_id="s-admin")
    async with client(app) as before:  # the person signed in elsewhere with the old password
        assert (await sign_in(before, "TL-7", PASSWORD)).status_code == 303

        sent = issue_reset_link(ports, admin, "TL-7", clock.now)
        assert sent.link is None and sent.expires_at == clock.now + RESET_LINK_LIFE
        [message] = mail.mailbox.messages
        assert message["To"] == "tess@example.org" and message["Subject"] == "Set your Safeguard password"
        text = body(message)
        assert "TL-7" in text and "works once" in text
        token = LINK.search(text).group(1)
        path = f"/reset/{token}"

        async with client(app) as c:
            form = await c.get(path)
            assert form.status_code == 200 and "Set your password" in form.text and "TL-7" in form.text
            form_token = re.search(r'name="reset_csrf" value="([^"]+)"', form.text).group(1)
            easy = await c.post(path, data={"reset_csrf": form_token, "new_password": "password1234"})
            assert easy.status_code == 422 and "That password is too easy to guess" in easy.text  # a sentence
            assert 'id="new_password-error"' in easy.text and "that password" not in easy.text
            forged = await c.post(path, data={"reset_csrf": "not-this-one", "new_password": NEW})
            assert forged.status_code == 403 and "did not come from Safeguard" in forged.text
            clock.now += timedelta(minutes=10)  # within the other session's idle time
            done = await c.post(path, data={"reset_csrf": form_token, "new_password": NEW})
            assert done.status_code == 303 and done.headers["location"] == "/sign-in"
            assert "Your password has been set. Sign in." in (await c.get("/sign-in")).text
            assert (await sign_in(c, "TL-7", PASSWORD)).status_code == 401  # the old password no longer
            assert (await sign_in(c, "TL-7", NEW)).status_code == 303
            assert (await c.get("/")).status_code == 200

            stored = len(records.stream(user_stream("TL-7")))
            again = await c.get(path)
            assert again.status_code == 409 and "This link has been used already" in again.text
            twice = await c.post(path, data={"reset_csrf": form_token, "new_password": "another long phrase here"})
            assert twice.status_code == 409 and "This link has been used already" in twice.text
            assert len(records.stream(user_stream("TL-7"))) == stored  # nothing recorded

        ended = await before.get("/")  # the session begun before the link was used has ended
        assert ended.status_code == 303 and ended.headers["location"] == "/sign-in?next=/&why=ended"

    # a second link, used a minute after its 24 hours: refused, in plain words
    issue_reset_link(ports, admin, "TL-7", clock.now)
    late = LINK.search(body(mail.mailbox.messages[-1])).group(1)
    with pytest.raises(NotOpen) as expired:
        redeem_reset_link(ports, late, "yet another long phrase", clock.now + RESET_LINK_LIFE + timedelta(minutes=1))
    assert expired.value.message == RESET_EXPIRED == "This link has expired. Ask your administrator for a new one."
    clock.now += RESET_LINK_LIFE + timedelta(minutes=1)
    async with client(app) as c:
        page = await c.get(f"/reset/{late}")
    assert page.status_code == 409 and "This link has expired. Ask your administrator for a new one." in page.text

    issued, used = [type(f).__name__ for f in reset_facts(records, "TL-7")].count("PasswordResetIssued"), \
        [type(f).__name__ for f in reset_facts(records, "TL-7")].count("PasswordResetUsed")
    assert (issued, used) == (2, 1)
    log = Accounts(records).access_log()
    assert ("ADM-1", "reset_link_issued", True) in [(a.user_id, a.action, a.allowed) for a in log]
    assert ("TL-7", "password_set", True, "with a reset link") in [(a.user_id, a.action, a.allowed, a.reason) for a in log]
    secrets = {token.split(".")[1], late.split(".")[1]}
    assert not [a for a in log if any(s in a.model_dump_json() for s in secrets)]  # never the link's secret
    assert not [r for r in records.stream(user_stream("TL-7")) if any(s in r.fact.model_dump_json() for s in secrets)]


def test_a_newer_link_ends_the_older_and_a_double_click_sends_one(settings, records, mail, site):
    ports = bootstrap.ports(settings, records)
    admin = site.account("ADM-1").principal("web", session_id="s-admin")
    now = datetime.now(timezone.utc)
    issue_reset_link(ports, admin, "TL-7", now)
    twin = issue_reset_link(ports, admin, "TL-7", now + timedelta(seconds=2))  # the same request, sent again
    assert twin.again and len(mail.mailbox.messages) == 1
    issue_reset_link(ports, admin, "TL-7", now + timedelta(minutes=5))
    first, second = (LINK.search(body(m)).group(1) for m in mail.mailbox.messages)
    with pytest.raises(NotOpen, match="This link has expired"):
        redeem_reset_link(ports, first, NEW, now + timedelta(minutes=6))
    assert redeem_reset_link(ports, second, NEW, now + timedelta(minutes=6)) == "TL-7"


def test_refused_to_a_non_administrator_and_for_a_person_with_no_email_recording_nothing(settings, records, mail, site):
    ports = bootstrap.ports(settings, records)
    leader = site.account("TL-7").principal("web", session_id="s-tl")
    site.add_user("SSW-9", "Sam Worker", PASSWORD, by="test")
    before = len(records.stream(user_stream("SSW-9")))
    with pytest.raises(NotPermitted) as refused:
        issue_reset_link(ports, leader, "SSW-9", datetime.now(timezone.utc))
    assert refused.value.message.startswith("Only an administrator can send a link to set a password.")
    admin = site.account("ADM-1").principal("web", session_id="s-admin")
    with pytest.raises(Invalid) as no_email:
        issue_reset_link(ports, admin, "SSW-9", datetime.now(timezone.utc))
    assert no_email.value.message == "SSW-9 has no email address for alerts. Add one first."
    assert len(records.stream(user_stream("SSW-9"))) == before and not mail.mailbox.messages
    log = [(a.user_id, a.action, a.allowed) for a in Accounts(records).access_log() if a.action in ("refused",
                                                                                                      "reset_link_issued")]
    assert log == [("TL-7", "refused", False), ("ADM-1", "refused", False)]


async def test_the_administrators_form_sends_the_link_and_goes_back_to_the_persons_page(settings, records, mail, site):
    app = create_app(settings, records=records, client=None)
    for user_id, refused in (("TL-7", True), ("ADM-1", False)):
        async with client(app) as c:
            await sign_in(c, user_id, PASSWORD)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', (await c.get("/alerts")).text).group(1)
            r = await c.post("/admin/users/TL-7/reset-link", data={"csrf_token": csrf})
            if refused:
                assert r.status_code == 403 and "Only an administrator can send a link" in r.text
                assert not mail.mailbox.messages
            else:
                assert r.status_code == 303 and r.headers["location"] == "/admin/users/TL-7"
    assert len(mail.mailbox.messages) == 1


def test_the_cli_sends_the_link_without_showing_it_unless_asked(settings, records, mail, site, monkeypatch):
    from cli.main import app
    from configuration.settings import get_settings

    for name, value in (("DATA_DIR", str(settings.data_dir)), ("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", str(mail.port)),
                        ("PUBLIC_URL", "https://sg.example"), ("EVENT_STORE", settings.event_store)):
        monkeypatch.setenv(f"SAFEGUARD_{name}", value)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        sent = runner.invoke(app, ["users", "reset-link", "TL-7"])
        assert sent.exit_code == 0, sent.output
        assert "sent to TL-7's email address" in sent.stdout and "/reset/" not in sent.output
        assert len(mail.mailbox.messages) == 1
        shown = runner.invoke(app, ["users", "reset-link", "TL-7", "--print"])
        assert shown.exit_code == 0, shown.output
        assert LINK.fullmatch(shown.stdout.strip()) and "anyone with this link" in shown.stderr
        assert len(mail.mailbox.messages) == 1  # shown, not sent
        none = runner.invoke(app, ["users", "reset-link", "ADM-1"])
        assert none.exit_code != 0 and "ADM-1 has no email address for alerts. Add one first." in none.output
    finally:
        get_settings.cache_clear()


def test_the_web_servers_access_log_never_holds_a_links_secret():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("10.0.0.9:5000", "GET", "/reset/VEwtNw.s3cr3t-s3cr3t?x=1", "1.1", 200), None)
    assert HideLinkSecrets().filter(record)
    line = record.getMessage()
    assert "s3cr3t" not in line and "/reset/[hidden]?x=1" in line
