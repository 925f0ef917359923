"""Where a person's alerts go, set by an administrator (issue 22; casework/contact_admin.py and
web/pages/admin_alerts.py): an administrator sets or changes someone's email address and mobile,
their own choice of approaching-deadline alerts kept; anyone else is refused (in the access log,
nothing recorded, and My alerts' own rule, may_set_alerts_of, is not widened); a detail that is not
one is refused as My alerts refuses it, nothing recorded; the same details sent again record
nothing; the history says whose alerts were changed, never the address. On pages: the person's page
shows where alerts go with Change links, the refused reset link points to the form, and the form
shows each problem by its question. The browser check is in tests/test_admin_browser.py."""

from __future__ import annotations

import pytest

from casework import admin_history, alerting
from casework.contact_admin import SetAlertsOf, set_alerts_of
from casework.refusals import Invalid, NotPermitted
from domain.access import may_set_alerts_of
from domain.identity import ContactDetailsSet
from eventstore.accounts import Accounts
from tests.test_admin_pages import app, stream, summary_links  # noqa: F401  (fixture)
from tests.test_administration import NOW, facts_of, ports, refusals, who  # noqa: F401  (fixture)
from tests.test_oncall_pages import csrf, signed_in
from tests.page_words_support import visible_text

pytestmark = pytest.mark.unit


def test_an_administrator_sets_where_someones_alerts_go_keeping_their_choices(ports):  # noqa: F811
    adm = who(ports, "ADM-1")
    ports.accounts.set_contact("RM-1", None, "07700 900123", False, by="RM-1")  # their own choice: no approaching alerts
    done = set_alerts_of(ports, adm, SetAlertsOf("RM-1", " rita@example.org ", "07700 900123"), NOW)
    assert not done.replayed
    account = ports.accounts.account("RM-1")
    assert (account.email, account.mobile, account.approaching_alerts) == ("rita@example.org", "07700900123", False)
    [*_, fact] = facts_of(ports, "RM-1")
    assert isinstance(fact, ContactDetailsSet) and fact.by == "ADM-1"
    written = [a for a in ports.accounts.access_log(user_id="ADM-1") if a.action == "write" and a.allowed]
    assert [(a.target, a.reason) for a in written] == [("RM-1", "contact details set by an administrator")]
    # sent again (a double click), or saved unchanged: answered as done, nothing recorded
    before = len(facts_of(ports, "RM-1"))
    again = set_alerts_of(ports, adm, SetAlertsOf("RM-1", "rita@example.org", "077009 00123"), NOW)
    assert again.replayed and len(facts_of(ports, "RM-1")) == before
    # a change; then the mobile taken away
    set_alerts_of(ports, adm, SetAlertsOf("RM-1", "rita.m@example.org", None), NOW)
    assert (ports.accounts.account("RM-1").email, ports.accounts.account("RM-1").mobile) == ("rita.m@example.org", None)
    entries = admin_history.history(ports, adm, admin_history.ReadHistory("RM-1"), NOW)
    # changed twice (where they had set their own before: not shown, as not administration)
    assert [e.what for e in entries][:2] == ["Changed where Rita Manager's alerts go"] * 2
    assert not any("example.org" in e.what or "0770" in e.what for e in entries)


def test_anyone_else_is_refused_logged_and_nothing_recorded(ports):  # noqa: F811
    rm = who(ports, "RM-1")
    assert not may_set_alerts_of(who(ports, "ADM-1"), "RM-1")  # My alerts' rule is not widened for administrators
    before = len(facts_of(ports, "ADM-1"))
    with pytest.raises(NotPermitted, match="Only an administrator can change where a person's alerts go. "
                                           "You are a registered manager at SVC-ELM."):
        set_alerts_of(ports, rm, SetAlertsOf("ADM-1", "rita@example.org"), NOW)
    assert len(facts_of(ports, "ADM-1")) == before and ports.accounts.account("ADM-1").email is None
    [logged] = refusals(ports, "RM-1")
    assert (logged.action, logged.target) == ("refused", "ADM-1") and "Only an administrator" in logged.reason


def test_a_detail_that_is_not_one_is_refused_as_my_alerts_refuses_it_nothing_recorded(ports):  # noqa: F811
    adm = who(ports, "ADM-1")
    before = len(facts_of(ports, "RM-1"))
    for email, mobile, field in (("rita", None, "email"), ("rita@example.org", "12345", "mobile")):
        with pytest.raises(Invalid) as refused:
            set_alerts_of(ports, adm, SetAlertsOf("RM-1", email, mobile), NOW)
        assert refused.value.details["field"] == field
        mine = alerting.contact_problem(email, mobile)  # the same check as My alerts and `users contact`
        assert refused.value.message == mine.message
    assert refused.value.message.startswith("The mobile number is not a UK mobile number")
    assert len(facts_of(ports, "RM-1")) == before and ports.accounts.account("RM-1").email is None
    assert [a.reason for a in refusals(ports, "ADM-1")] == ["change where alerts go refused: email",
                                                           "change where alerts go refused: mobile"]
    ports.accounts.deactivate("RM-1", by="test")
    with pytest.raises(Invalid, match=r"Rita Manager \(RM-1\)'s account is closed: no alerts go to it."):
        set_alerts_of(ports, adm, SetAlertsOf("RM-1", "rita@example.org"), NOW)
    assert len(facts_of(ports, "RM-1")) == before + 1  # the closing alone


async def test_the_page_shows_where_alerts_go_and_changes_them(app, records):  # noqa: F811
    adm = await signed_in(app, "ADM-1")
    page = (await adm.get("/admin/users/RM-1")).text
    assert "Add an email address for their alerts" in page and 'href="/admin/users/RM-1/alerts"' in page
    assert "Change<span class=\"nhsuk-u-visually-hidden\"> email address for alerts</span>" in page
    # the reset link refused for want of an email address points to the form
    refused = await adm.post("/admin/users/RM-1/reset-link", data={"csrf_token": csrf(page)})
    shown = (await adm.get(refused.headers["location"])).text
    box = shown[shown.index("nhsuk-error-summary"):]
    assert "RM-1 has no email address for alerts. Add one first." in box
    assert '<a href="/admin/users/RM-1/alerts">Add an email address for their alerts</a>' in box[:1000]
    form = (await adm.get("/admin/users/RM-1/alerts")).text
    assert "<h1>Where Rita Manager's alerts go</h1>" in form
    before = stream(records, "RM-1")
    bad = await adm.post("/admin/users/RM-1/alerts", data={"csrf_token": csrf(form), "email": "rita", "mobile": ""})
    assert bad.status_code == 422 and stream(records, "RM-1") == before
    assert summary_links(bad.text) == [("#email", "The email address is not one: it should look like name@example.org.")]
    assert 'value="rita"' in bad.text and "Error: Where Rita Manager" in bad.text
    assert (await adm.post("/admin/users/RM-1/alerts", data={"email": "rita@example.org"})).status_code == 403  # no CSRF
    saved = await adm.post("/admin/users/RM-1/alerts", data={"csrf_token": csrf(form), "email": "rita@example.org",
                                                             "mobile": "07700 900123"})
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/users/RM-1"
    page = visible_text((await adm.get("/admin/users/RM-1")).text)
    assert "Rita Manager's alerts now go to rita@example.org and 07700900123." in page
    assert "Email for alerts rita@example.org" in page and "Send a password reset link" in page
    assert Accounts(records).account("RM-1").email == "rita@example.org" and stream(records, "RM-1") == before + 1
    again = await adm.post("/admin/users/RM-1/alerts", data={"csrf_token": csrf(form), "email": "rita@example.org",
                                                             "mobile": "07700 900123"})
    assert "already go there: nothing was changed" in (await adm.get(again.headers["location"])).text
    assert stream(records, "RM-1") == before + 1
    history = visible_text((await adm.get("/admin/history", params={"user": "RM-1"})).text)
    assert "Set where Rita Manager's alerts go" in history and "rita@example.org" not in history
    rm = await signed_in(app, "RM-1")
    assert (await rm.get("/admin/users/ADM-1/alerts")).status_code == 403
