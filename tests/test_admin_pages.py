"""Administration on pages (issue 22), over httpx against the real app (no Temporal: nothing here
asks a workflow): the header's Administration link and the pages for administrators only, anyone
else getting a plain refusal page (in the access log, nothing recorded); adding a user with each
problem by its question; granting, revoking, closing; the guard on the last administrator and on
closing one's own account shown on the form; tokens revoked; the history. The browser checks (axe,
plain words) are in tests/test_admin_browser.py."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from domain.access import Assignment
from eventstore.accounts import Accounts, user_stream
from tests.test_oncall_pages import csrf, signed_in
from tests.browser_support import PASSWORD
from tests.page_words_support import visible_text
from web.app import create_app

pytestmark = pytest.mark.unit
NOW = datetime(2027, 3, 12, 12, 0, tzinfo=timezone.utc)
ELM = "SVC-ELM"
SERVICES = {ELM: {"name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"}}
ADMIN_PAGES = ("/admin", "/admin/users", "/admin/users/new", "/admin/users/ADM-1", "/admin/users/ADM-1/close",
               "/admin/tokens", "/admin/history")


@pytest.fixture
def app(settings, records):
    accounts = Accounts(records)
    for user, name, assignment in (("ADM-1", "Ada Admin", Assignment("administrator")),
                                   ("RM-1", "Rita Manager", Assignment("registered_manager", ELM))):
        accounts.add_user(user, name, PASSWORD, by="test")
        accounts.grant(user, assignment, by="test")
    settings.services = SERVICES
    return create_app(settings, records=records, now=lambda: NOW)


def stream(records, user_id: str) -> int:
    return len(records.stream(user_stream(user_id)))


def summary_links(html: str) -> list[tuple[str, str]]:
    box = html[html.index("nhsuk-error-summary"):]
    return [(href, re.sub(r"\s+", " ", text).strip()) for href, text in re.findall(r'<a href="(#[^"]+)"\s*>(.*?)</a>', box[:3000], re.S)]


async def test_anyone_but_an_administrator_gets_a_plain_refusal_and_records_nothing(app, records):
    rm = await signed_in(app, "RM-1")
    home = (await rm.get("/")).text
    assert 'href="/admin"' not in home
    for path in ADMIN_PAGES:
        r = await rm.get(path)
        assert r.status_code == 403, path
        assert "You cannot do this" in r.text and "Only an administrator can" in r.text and "You are a registered manager at SVC-ELM" in r.text
        assert "Add the user" not in r.text and "Ada Admin" not in r.text
    token = csrf(home)
    before = records.recorder.max_notification_id()
    for path, data in (("/admin/users", {"user_id": "TL-9", "display_name": "Tia"}),
                       ("/admin/users/RM-1/roles", {"role": "administrator"}),
                       ("/admin/users/ADM-1/roles/revoke", {"role": "administrator"}),
                       ("/admin/users/ADM-1/close", {}), ("/admin/tokens/ab12/revoke", {})):
        r = await rm.post(path, data={"csrf_token": token, **data})
        assert r.status_code == 403 and "Only an administrator can" in r.text, path
    assert Accounts(records).account("TL-9") is None and stream(records, "RM-1") == 2 and stream(records, "ADM-1") == 2
    refused = [a for a in Accounts(records).access_log(user_id="RM-1") if a.user_id == "RM-1" and a.action == "refused"]
    assert len(refused) == len(ADMIN_PAGES) + 5 and records.recorder.max_notification_id() == before + 5


async def test_an_administrator_adds_a_user_grants_revokes_and_closes_the_account(app, records):
    adm = await signed_in(app, "ADM-1")
    home = (await adm.get("/")).text
    assert re.search(r'href="/admin"[^>]*>\s*(<strong[^>]*>)?Administration', home)
    index = (await adm.get("/admin")).text
    for href in ("/admin/users", "/admin/tokens", "/on-call", "/admin/services", "/admin/history"):
        assert f'href="{href}"' in index, href
    assert "Administrators: Ada Admin (ADM-1)." in index
    form = (await adm.get("/admin/users/new")).text
    bad = await adm.post("/admin/users", data={"csrf_token": csrf(form), "user_id": "Tia Leader", "display_name": "Tia"})
    assert bad.status_code == 422 and summary_links(bad.text)[0][0] == "#user_id"
    assert "is not an id: give the staff member&#39;s id (e.g. SSW-14), never a name." in bad.text
    assert 'value="Tia Leader"' in bad.text  # what was typed is kept
    bad = await adm.post("/admin/users", data={"csrf_token": csrf(form), "user_id": "TL-4", "display_name": "Tia Leader",
                                               "email": "tia"})
    assert bad.status_code == 422 and summary_links(bad.text) == [("#email", "The email address is not one: it should "
                                                                   "look like name@example.org.")]
    assert Accounts(records).account("TL-4") is None
    added = await adm.post("/admin/users", data={"csrf_token": csrf(form), "user_id": "TL-4", "display_name": "Tia Leader",
                                                 "email": "tia@example.org"})
    assert added.status_code == 303 and added.headers["location"] == "/admin/users/TL-4"
    page = (await adm.get("/admin/users/TL-4")).text
    assert "Tia Leader (TL-4) was added." in page and "They hold no role yet." in page
    assert 'action="/admin/users/TL-4/reset-link"' in page and "Send a password reset link" in page
    # a role at a service; an inspector's grant refused by its question (a date that is not one), nothing recorded
    granted = await adm.post("/admin/users/TL-4/roles", data={"csrf_token": csrf(page), "role": "team_leader", "service": ELM})
    assert granted.status_code == 303
    page = (await adm.get("/admin/users/TL-4")).text
    assert "Tia Leader now holds the role team leader at SVC-ELM." in page and "At SVC-ELM (Elm House)" in page
    before = stream(records, "TL-4")
    bad = await adm.post("/admin/users/TL-4/roles", data={"csrf_token": csrf(page), "role": "inspector", "cases": "SG-1",
                                                          "until-day": "31", "until-month": "2", "until-year": "2027"})
    assert bad.status_code == 422 and summary_links(bad.text)[0] == ("#until-day", "Enter the date their access ends as "
                                                                     "a real date, for example 31 3 2027.")
    assert 'value="SG-1"' in bad.text and stream(records, "TL-4") == before
    # the Revoke button names the role and where, the service as written (not "at svc-elm (elm house)")
    assert re.search(r'Revoke<span class="nhsuk-u-visually-hidden"> the role team leader, at SVC-ELM \(Elm House\)</span>', page)
    # a role held across the whole organisation, at a service: refused by the "Where" question, in its words
    at_a_service = await adm.post("/admin/users/TL-4/roles", data={"csrf_token": csrf(page), "role": "administrator",
                                                                   "service": ELM})
    assert at_a_service.status_code == 422 and summary_links(at_a_service.text) == [
        ("#service", "The role administrator is held across the whole organisation: choose Across the "
                     "organisation, not a service.")]
    assert "leave the service empty" not in at_a_service.text and stream(records, "TL-4") == before
    revoked = await adm.post("/admin/users/TL-4/roles/revoke", data={"csrf_token": csrf(page), "role": "team_leader", "service": ELM})
    assert revoked.status_code == 303
    assert Accounts(records).account("TL-4").assignments == []
    page = (await adm.get("/admin/users/TL-4")).text  # the role they held is gone: not "yet"
    assert "They hold no role now." in page and "no role yet" not in page
    close = (await adm.get("/admin/users/TL-4/close")).text
    assert "This cannot be undone" in close
    closed = await adm.post("/admin/users/TL-4/close", data={"csrf_token": csrf(close), "reason": "left the organisation"})
    assert closed.status_code == 303 and Accounts(records).account("TL-4").deactivated_at is not None
    listed = (await adm.get("/admin/users")).text
    assert "Tia Leader&#39;s account is closed." in listed and "Closed</strong>" in listed
    history = (await adm.get("/admin/history", params={"user": "TL-4"})).text
    for words in ("Closed the account: left the organisation", "Revoked the role team leader at SVC-ELM",
                  "Granted the role team leader at SVC-ELM", "Added the account"):
        assert words in history, words
    assert history.count("Ada Admin (ADM-1)") >= 4


async def test_where_starts_unchosen_and_across_the_organisation_is_given_only_when_chosen(app, records, settings):
    """A fresh-clone trial: "Where" started at "Across the organisation", so "Team leader" granted with Where
    left as it was gave a team leader at every service. Where now starts at "Choose where"; nothing chosen is
    refused by its question, nothing recorded; across the organisation only when chosen (its own value)."""
    adm = await signed_in(app, "ADM-1")
    page = (await adm.get("/admin/users/RM-1")).text
    where = page[page.index('<select class="nhsuk-select" id="service"'):]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', where[:where.index("</select>")])
    assert options == [("", "Choose where"), ("*", "Across the organisation"), (ELM, "Elm House (SVC-ELM)")]
    before = stream(records, "RM-1")
    unchosen = await adm.post("/admin/users/RM-1/roles", data={"csrf_token": csrf(page), "role": "team_leader", "service": ""})
    assert unchosen.status_code == 422 and summary_links(unchosen.text) == [
        ("#service", "Choose where they hold the role: a service, or Across the organisation.")]
    assert re.search(r'<option value="team_leader" selected', unchosen.text) and stream(records, "RM-1") == before
    everywhere = await adm.post("/admin/users/RM-1/roles", data={"csrf_token": csrf(page), "role": "team_leader",
                                                                 "service": "*"})
    assert everywhere.status_code == 303
    assert "Rita Manager now holds the role team leader across the organisation." in (await adm.get("/admin/users/RM-1")).text
    commissioner = await adm.post("/admin/users/RM-1/roles", data={"csrf_token": csrf(page), "role": "commissioner",
                                                                   "service": ""})  # held only across the organisation
    assert commissioner.status_code == 303
    assert Accounts(records).account("RM-1").assignments == [
        Assignment("registered_manager", ELM), Assignment("team_leader"), Assignment("commissioner")]
    settings.services = {}  # no service known yet: the same choice, not a box left empty for everywhere
    page = (await adm.get("/admin/users/RM-1")).text
    assert 'name="service"' in page and "Leave it empty" not in page and "add the service under Services first" in page


async def test_the_last_administrator_and_ones_own_account_are_guarded_on_the_page(app, records):
    adm = await signed_in(app, "ADM-1")
    page = (await adm.get("/admin/users/ADM-1")).text
    assert "You cannot close your own account. Another administrator can." in page and 'href="/admin/users/ADM-1/close"' not in page
    before = stream(records, "ADM-1")
    last = await adm.post("/admin/users/ADM-1/roles/revoke", data={"csrf_token": csrf(page), "role": "administrator"})
    assert last.status_code == 422 and "There is a problem" in last.text
    assert "Ada Admin (ADM-1) is the only administrator, so their administrator role cannot be revoked" in last.text
    own = await adm.post("/admin/users/ADM-1/close", data={"csrf_token": csrf(page)})
    assert own.status_code == 422 and "You cannot close your own account. Ask another administrator to close it." in own.text
    mine = await adm.post("/admin/users/ADM-1/roles", data={"csrf_token": csrf(page), "role": "registered_manager",
                                                             "service": "SVC-ELM"})
    assert mine.status_code == 422 and "There is a problem" in mine.text and "You cannot give yourself a role" in mine.text
    assert stream(records, "ADM-1") == before
    assert (await adm.post("/admin/users/ADM-1/close", data={})).status_code == 403  # no CSRF token: refused


async def test_tokens_are_listed_and_revoked(app, records):
    accounts = Accounts(records)
    issued = accounts.issue_token("RM-1", "rota integration", None, timedelta(days=3650), by="test")
    adm = await signed_in(app, "ADM-1")
    page = (await adm.get("/admin/tokens")).text
    assert "rota integration" in page, visible_text(page) and "Rita Manager (RM-1)" in page and "All of its user&#39;s roles" in page
    action = f"/admin/tokens/{issued.token.token_id}/revoke"
    assert f'action="{action}"' in page
    done = await adm.post(action, data={"csrf_token": csrf(page)})
    assert done.status_code == 303
    page = (await adm.get("/admin/tokens")).text
    assert "is revoked. Anything using it is refused from now on." in page and f'action="{action}"' not in page
    again = await adm.post(action, data={"csrf_token": csrf(page)})  # the same button, sent twice
    assert "was revoked already" in (await adm.get(again.headers["location"])).text
    assert accounts.token(issued.token.token_id).revoked_at is not None
    assert [a.user_id for a in accounts.access_log() if a.action == "token_revoked"] == ["ADM-1"]


async def test_the_hint_gives_the_latest_last_day_an_inspector_may_be_given(app, records, monkeypatch):
    """Access ends at the end of its last day (UK time) and lasts at most 92 days from now: at noon on
    12 March 2027 the last day can be 11 June 2027 (91 days on), not 12 June, and the hint says so
    (it said "At most 92 days from today", and that day was refused)."""
    monkeypatch.setattr(Accounts, "case_exists", lambda self, case_id: True)
    adm = await signed_in(app, "ADM-1")
    page = (await adm.get("/admin/users/RM-1")).text
    assert "the latest last day you can give today is 11 June 2027. For example, 11 6 2027." in visible_text(page)
    grant = {"csrf_token": csrf(page), "role": "inspector", "cases": "SG-1", "until-month": "6", "until-year": "2027"}
    late = await adm.post("/admin/users/RM-1/roles", data={**grant, "until-day": "12"})
    assert late.status_code == 422 and "lasts at most 92 days" in late.text
    assert (await adm.post("/admin/users/RM-1/roles", data={**grant, "until-day": "11"})).status_code == 303
    held = [a for a in Accounts(records).account("RM-1").assignments if a.role == "inspector"]
    assert [(a.cases, a.until) for a in held] == [(("SG-1",), datetime(2027, 6, 11, 22, 59, 59, tzinfo=timezone.utc))]
