"""My alerts (issue 20): my contact details and approaching-deadline preference, set and read by
the use cases (casework/alerting.py) for the page, the API and the CLI alike; a test alert sent to
a real SMTP server (aiosmtpd); and an alert's link to a case surviving the sign-in page, with no
way to send a person to another site from it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest

import bootstrap
from casework import alerting
from casework.refusals import Invalid, NotOpen, NotPermitted
from domain.access import Assignment, Principal
from eventstore.accounts import Accounts, user_stream
from tests.browser_support import PASSWORD
from tests.servers.mail import MailServer
from web.app import create_app
from web.pages.signin import safe_next

pytestmark = pytest.mark.unit
NOW = datetime(2027, 3, 12, 12, 0, tzinfo=timezone.utc)
DSL = "designated_safeguarding_lead"


@pytest.fixture
def mail():
    with MailServer() as server:
        yield server


def with_mail(settings, mail: MailServer):
    settings.smtp_host, settings.smtp_port, settings.smtp_from = "127.0.0.1", mail.port, "alerts@sg.example"
    settings.public_url = "https://sg.example"
    return settings


def person(records, user_id: str = "DSL-2", *assignments: Assignment) -> Principal:
    accounts = Accounts(records)
    accounts.add_user(user_id, "Dee Lead", PASSWORD, by="test")
    for a in assignments or (Assignment(DSL, "SVC-ELM"),):
        accounts.grant(user_id, a, by="test")
    return accounts.account(user_id).principal("web", session_id="s-1")


# ---- the use cases ------------------------------------------------------------------------------------


def test_my_details_are_set_read_and_refused_in_plain_words(settings, records):
    ports = bootstrap.ports(settings, records)
    me = person(records)
    view = alerting.set_my_alerts(ports, me, alerting.SetAlerts(" dee@example.org ", "07700 900 123", False), NOW)
    assert (view.email, view.mobile, view.approaching_alerts) == ("dee@example.org", "07700900123", False)
    assert view.escalations == ((DSL, "SVC-ELM"),)  # escalations to this role reach them, whatever they choose
    assert alerting.my_alerts(ports, me, alerting.ReadAlerts(), NOW) == view
    before = len(list(records.stream(user_stream("DSL-2"))))
    for email, mobile, field, words in (("dee at example", None, "email", "The email address is not one"),
                                        (None, "01273 123456", "mobile", "The mobile number is not a UK mobile number")):
        with pytest.raises(Invalid) as refused:
            alerting.set_my_alerts(ports, me, alerting.SetAlerts(email, mobile), NOW)
        assert refused.value.message.startswith(words) and refused.value.details["field"] == field
        assert "_" not in refused.value.message  # no field names in the words
    assert len(list(records.stream(user_stream("DSL-2")))) == before  # refused: nothing recorded
    logged = [(a.action, a.allowed, a.reason) for a in Accounts(records).access_log(user_id="DSL-2")
              if a.target == "DSL-2" and a.action in ("read", "write")]
    assert logged == [("write", True, "contact details set"), ("read", True, "contact details"),
                      ("write", False, "contact details refused: email"), ("write", False, "contact details refused: mobile")]


def test_nobody_reads_or_sets_another_persons_details(settings, records):
    ports = bootstrap.ports(settings, records)
    person(records, "DSL-2")
    other = person(records, "TL-3", Assignment("team_leader", "SVC-ELM"))
    for case in (lambda: alerting.my_alerts(ports, other, alerting.ReadAlerts("DSL-2"), NOW),
                 lambda: alerting.set_my_alerts(ports, other, alerting.SetAlerts("x@example.org", None, user_id="DSL-2"), NOW),
                 lambda: alerting.send_test_alert(ports, other, alerting.SendTestAlert("DSL-2"), NOW)):
        with pytest.raises(NotPermitted, match="only your own contact details"):
            case()
    assert Accounts(records).account("DSL-2").email is None
    refused = [a for a in Accounts(records).access_log(user_id="TL-3") if a.action == "refused"]
    assert len(refused) == 3 and all(not a.allowed for a in refused)  # each refusal audited


def test_a_test_alert_reaches_my_mailbox_and_says_nothing_personal(settings, records, mail):
    ports = bootstrap.ports(with_mail(settings, mail), records)
    me = person(records)
    alerting.set_my_alerts(ports, me, alerting.SetAlerts("dee@example.org", "07700900123"), NOW)
    done = alerting.send_test_alert(ports, me, alerting.SendTestAlert(), NOW)
    assert [(d.channel, d.via) for d in done.sent] == [("email", "smtp")]
    assert done.not_sent == ("No text message was sent: text messages are not set up on this Safeguard yet.",)
    [message] = mail.mailbox.messages
    assert message["To"] == "dee@example.org" and message["Subject"] == "Safeguard test alert"
    assert message["Message-ID"] == done.sent[0].reference
    body = message.get_payload()
    assert "https://sg.example/" in body
    for personal in ("Dee", "DSL-2", "dee@example.org", "07700900123"):  # names nobody, repeats no detail
        assert personal not in body + message["Subject"]


def test_a_test_alert_with_no_channel_or_no_details_is_refused_plainly(settings, records, mail):
    me = person(records)
    bare = bootstrap.ports(settings, records)  # no SMTP, no Notify
    with pytest.raises(NotOpen, match="Alerts are not set up on this Safeguard yet.*ask your operator"):
        alerting.send_test_alert(bare, me, alerting.SendTestAlert(), NOW)
    with pytest.raises(Invalid, match="Add an email address or a mobile number first"):
        alerting.send_test_alert(bootstrap.ports(with_mail(settings, mail), records), me, alerting.SendTestAlert(), NOW)
    assert mail.mailbox.messages == []


# ---- the page and the API -----------------------------------------------------------------------------


BASE = "https://testserver"


async def signed_in(app, records, user_id: str, *assignments: Assignment) -> httpx.AsyncClient:
    person(records, user_id, *assignments)
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.0.9", 50000)), base_url=BASE, timeout=30)
    form = (await c.get("/sign-in")).text
    token = re.search(r'name="login_csrf" value="([^"]+)"', form).group(1)
    r = await c.post("/sign-in", data={"user_id": user_id, "password": PASSWORD, "next": "/", "login_csrf": token})
    assert r.status_code == 303, r.text
    return c


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def test_the_my_alerts_page_saves_details_shows_problems_and_sends_a_test_alert(settings, records, mail):
    app = create_app(with_mail(settings, mail), records=records, now=lambda: NOW)
    # someone who holds no staff role at all still reaches My alerts from the navigation
    c = await signed_in(app, records, "INS-1", Assignment("commissioner"))
    home = await c.get("/alerts")
    assert home.status_code == 200 and re.search(r'href="/alerts" aria-current="page">\s*<strong[^>]*>My alerts</strong>', home.text)
    assert "Escalations cannot be turned off" in home.text
    html = home.text
    bad = await c.post("/alerts", data={"csrf_token": csrf(html), "email": "dee at example", "mobile": "07700900123",
                                        "approaching_alerts": "yes"})
    assert bad.status_code == 422
    assert "There is a problem" in bad.text and 'href="#email"' in bad.text
    assert 'id="email-error"' in bad.text and "should look like name@example.org" in bad.text
    assert 'value="07700900123"' in bad.text  # what was typed is kept
    assert Accounts(records).account("INS-1").email is None
    nocsrf = await c.post("/alerts", data={"email": "ins@example.org", "approaching_alerts": "no"})
    assert nocsrf.status_code == 403 and Accounts(records).account("INS-1").email is None
    good = await c.post("/alerts", data={"csrf_token": csrf(html), "email": "ins@example.org", "mobile": "",
                                         "approaching_alerts": "no"})
    assert good.status_code == 303 and good.headers["location"] == "/alerts"
    saved = (await c.get("/alerts")).text
    assert "Your alert settings have been saved." in saved and 'value="ins@example.org"' in saved
    account = Accounts(records).account("INS-1")
    assert (account.email, account.mobile, account.approaching_alerts) == ("ins@example.org", None, False)
    sent = await c.post("/alerts/test", data={"csrf_token": csrf(saved)})
    assert sent.status_code == 303
    assert "A test alert was sent to your email address." in (await c.get("/alerts")).text
    assert [m["To"] for m in mail.mailbox.messages] == ["ins@example.org"]


async def test_the_page_says_when_alerts_are_not_set_up(settings, records):
    app = create_app(settings, records=records, now=lambda: NOW)
    c = await signed_in(app, records, "TL-3", Assignment("team_leader", "SVC-ELM"))
    html = (await c.get("/alerts")).text
    assert "Alerts are not set up on this Safeguard yet: ask your operator." in html
    refused = await c.post("/alerts/test", data={"csrf_token": csrf(html)})
    assert refused.status_code == 409 and "There is a problem" in refused.text
    assert "Alerts are not set up on this Safeguard yet, so no test alert can be sent" in refused.text


async def test_my_alerts_over_the_api(settings, records, mail):
    app = create_app(with_mail(settings, mail), records=records)  # the real clock: the token's life is counted in it
    person(records, "DSL-2")
    token = Accounts(records).issue_token("DSL-2", "test", None, timedelta(days=1), by="test").secret
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE + "/api/v1",
                                 headers={"Authorization": f"Bearer {token}"}) as api:
        r = await api.put("/me/alerts", json={"email": "dee@example.org", "mobile": "+447700900123"})
        assert r.status_code == 200, r.text
        assert r.json()["escalations"] == [{"role": DSL, "service": "SVC-ELM"}] and r.json()["approaching_alerts"] is True
        bad = await api.put("/me/alerts", json={"email": None, "mobile": "123"})
        assert bad.status_code == 422 and "not a UK mobile number" in bad.json()["detail"]
        assert (await api.get("/me/alerts")).json()["mobile"] == "+447700900123"
        sent = await api.post("/me/alerts/test")
        assert sent.status_code == 200 and [s["channel"] for s in sent.json()["sent"]] == ["email"]
    assert len(mail.mailbox.messages) == 1


# ---- an alert's link, through the sign-in page -----------------------------------------------------------


@pytest.mark.parametrize("given, followed", [
    ("/cases/SG-20270312-ABC", "/cases/SG-20270312-ABC"),
    ("/cases/SG-1?as_at=2027-03-12T10:00", "/cases/SG-1?as_at=2027-03-12T10:00"),
    ("https://evil.example/cases/SG-1", "/"), ("//evil.example/cases", "/"), ("/\\evil.example", "/"),
    ("/\t/evil.example", "/"), ("/\n/evil.example", "/"), ("javascript:alert(1)", "/"), ("cases/SG-1", "/"),
    ("", "/"), (None, "/"), ("http:/evil.example", "/"),
])
def test_only_a_path_on_this_site_is_followed_after_signing_in(given, followed):
    assert safe_next(given) == followed


async def test_an_alert_link_opened_signed_out_lands_on_the_case_after_signing_in(settings, records):
    app = create_app(settings, records=records, now=lambda: NOW)
    person(records, "DSL-2")
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE, timeout=30)
    opened = await c.get("/cases/SG-20270312-ABC")  # the link in the alert, signed out
    assert opened.status_code == 303 and opened.headers["location"] == "/sign-in?next=/cases/SG-20270312-ABC"
    form = (await c.get(opened.headers["location"])).text
    assert 'name="next" value="/cases/SG-20270312-ABC"' in form
    token = re.search(r'name="login_csrf" value="([^"]+)"', form).group(1)
    r = await c.post("/sign-in", data={"user_id": "DSL-2", "password": PASSWORD, "next": "/cases/SG-20270312-ABC",
                                       "login_csrf": token})
    assert r.status_code == 303 and r.headers["location"] == "/cases/SG-20270312-ABC"
    await c.post("/sign-out", data={"csrf_token": csrf((await c.get("/alerts")).text)})
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        form = (await c.get("/sign-in", params={"next": elsewhere})).text
        assert 'name="next" value="/"' in form  # never carried into the form
        token = re.search(r'name="login_csrf" value="([^"]+)"', form).group(1)
        r = await c.post("/sign-in", data={"user_id": "DSL-2", "password": PASSWORD, "next": elsewhere, "login_csrf": token})
        assert r.status_code == 303 and r.headers["location"] == "/", elsewhere
        await c.post("/sign-out", data={"csrf_token": csrf((await c.get("/alerts")).text)})


async def test_an_alert_link_survives_signing_in_with_the_organisations_account(settings, records):
    from tests.fake_oidc import FakeProvider

    with FakeProvider() as provider:
        configured = settings.model_copy(update={"oidc_issuer": provider.issuer, "oidc_client_id": "safeguard",
                                                 "oidc_client_secret": "s3cret",
                                                 "oidc_role_map": {"leads": [f"{DSL}@SVC-ELM"]}})
        app = create_app(configured, records=records)
        # from the sign-in page an alert's link sent to; then straight to the provider, asked to go elsewhere
        for asked, lands in (("/cases/SG-20270312-ABC", "/cases/SG-20270312-ABC"), ("//evil.example/x", "/"),
                             ("https://evil.example/x", "/")):
            provider.claims = {"sub": "DSL-7", "name": "Dee Seven", "roles": ["leads"]}
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE,
                                         headers={"Accept": "text/html"}) as c:
                if asked.startswith("/cases/"):
                    form = (await c.get("/sign-in", params={"next": asked})).text
                    link = re.search(r'href="(/api/v1/oidc/login[^"]*)"', form).group(1).replace("&amp;", "&")
                    start = await c.get(link)
                else:
                    start = await c.get("/api/v1/oidc/login", params={"next": asked})
                async with httpx.AsyncClient() as idp:  # the browser at the provider, over real HTTP
                    back = await idp.get(start.headers["location"])
                done = await c.get(back.headers["location"].removeprefix(BASE))
                assert done.status_code == 303 and done.headers["location"] == lands, asked
