"""On call for managers (issue 20): the rota of a service and role over the next 14 days with its
gaps out of working hours as warnings, and an entry added with UK date and time inputs (read in UK
time), on the page and over the API, through the same use cases as `safeguard oncall`. Refused in
plain words: someone who does not hold the role there, an end before its start, a missing time; and
the rota is for a service's managers and safeguarding leads only."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest

import bootstrap
from casework import alerting
from casework.refusals import Invalid, NotPermitted
from domain.access import Assignment
from eventstore.accounts import Accounts
from eventstore.oncall import OnCallRota
from tests.browser_support import PASSWORD
from web.app import create_app

pytestmark = pytest.mark.unit
UTC = timezone.utc
NOW = datetime(2027, 3, 12, 12, 0, tzinfo=UTC)  # a Friday, in working hours
DSL, ELM = "designated_safeguarding_lead", "SVC-ELM"
BASE = "https://testserver"


def staff(records) -> None:
    accounts = Accounts(records)
    for user, role, service in (("RM-1", "registered_manager", ELM), ("DSL-2", DSL, ELM), ("TL-3", "team_leader", ELM),
                                ("SSW-1", "senior_support_worker", ELM), ("DSL-9", DSL, "SVC-OAK")):
        accounts.add_user(user, f"Person {user}", PASSWORD, by="test")
        accounts.grant(user, Assignment(role, service), by="test")


async def signed_in(app, user_id: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.0.9", 50000)), base_url=BASE, timeout=30)
    form = (await c.get("/sign-in")).text
    token = re.search(r'name="login_csrf" value="([^"]+)"', form).group(1)
    r = await c.post("/sign-in", data={"user_id": user_id, "password": PASSWORD, "next": "/", "login_csrf": token})
    assert r.status_code == 303, r.text
    return c


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_rota_use_cases_check_who_may_and_what_an_entry_may_be(settings, records):
    staff(records)
    ports = bootstrap.ports(settings, records)
    rm = Accounts(records).account("RM-1").principal("web", session_id="s")
    ssw = Accounts(records).account("SSW-1").principal("web", session_id="s")
    view = alerting.rota(ports, rm, alerting.ReadRota(ELM, DSL), NOW)
    assert view.entries == () and view.holders == (("DSL-2", "Person DSL-2"),)
    assert view.gaps[0] == (datetime(2027, 3, 12, 17, 0, tzinfo=UTC), datetime(2027, 3, 15, 9, 0, tzinfo=UTC))
    for principal, c in ((ssw, alerting.ReadRota(ELM, DSL)), (rm, alerting.ReadRota("SVC-OAK", DSL))):
        with pytest.raises(NotPermitted, match="kept by its managers and safeguarding leads"):
            alerting.rota(ports, principal, c, NOW)
    friday = datetime(2027, 3, 12, 17, 0, tzinfo=UTC)
    for user, start, end, words in (
            ("TL-3", friday, friday + timedelta(hours=16), "TL-3 does not hold the role designated safeguarding lead at SVC-ELM"),
            ("DSL-9", friday, friday + timedelta(hours=16), "DSL-9 does not hold the role"),  # at another service
            ("NOPE-1", friday, friday + timedelta(hours=16), "There is no active user NOPE-1"),
            ("DSL-2", friday, friday - timedelta(hours=1), "The end must be after the start."),
            ("DSL-2", friday, friday + timedelta(days=40), "One entry covers at most 31 days")):
        with pytest.raises(Invalid, match=words):
            alerting.set_on_call(ports, rm, alerting.SetOnCall(ELM, DSL, user, start, end), NOW)
    with pytest.raises(Invalid, match="not a staff role"):
        alerting.rota(ports, rm, alerting.ReadRota(ELM, "chief_of_everything"), NOW)
    assert OnCallRota(records).rota(ELM, DSL).entries == ()  # every refusal recorded nothing ...
    refused = [a for a in Accounts(records).access_log(user_id="RM-1") if a.action == "write" and not a.allowed]
    assert len(refused) == 5 and all("on call for designated_safeguarding_lead refused" in a.reason for a in refused)  # ... but is in the access log
    view = alerting.set_on_call(ports, rm, alerting.SetOnCall(ELM, DSL, "DSL-2", friday, friday + timedelta(hours=64)), NOW)
    assert [(e.user_id, e.by) for e in view.entries] == [("DSL-2", "RM-1")]
    assert view.gaps[0][0] == datetime(2027, 3, 15, 17, 0, tzinfo=UTC)  # the weekend is covered: Monday evening is next


async def test_the_on_call_page_shows_the_gaps_and_adds_an_entry_in_uk_time(settings, records):
    staff(records)
    settings.services = {ELM: {"name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"}}
    app = create_app(settings, records=records, now=lambda: NOW)
    ssw = await signed_in(app, "SSW-1")
    assert 'href="/on-call"' not in (await ssw.get("/alerts")).text  # not in a care worker's navigation
    assert (await ssw.get("/on-call")).status_code == 403
    rm = await signed_in(app, "RM-1")
    chooser = await rm.get("/on-call")
    assert chooser.status_code == 200 and re.search(r'href="/on-call" aria-current="page">\s*<strong[^>]*>On call</strong>', chooser.text)
    assert '<option value="SVC-ELM">SVC-ELM — Elm House</option>' in chooser.text
    html = (await rm.get("/on-call", params={"service": ELM, "role": DSL})).text
    assert "Nobody is on call at these times out of working hours." in html
    assert "From Fri 12 Mar 2027, 17:00 GMT to Mon 15 Mar 2027, 09:00 GMT" in html
    assert '<option value="DSL-2">Person DSL-2 (DSL-2)</option>' in html and 'value="TL-3"' not in html
    entry = {"csrf_token": csrf(html), "service": ELM, "role": DSL, "user_id": "DSL-2"}
    # refused, each in plain words by its field, what was typed kept
    bad = await rm.post("/on-call", data={**entry, "start": "2027-03-12T17:00", "end": "2027-03-12T09:00"})
    assert bad.status_code == 422 and "There is a problem" in bad.text
    assert re.search(r'href="#end-day"\s*>\s*The end must be after the start.', bad.text)
    assert 'id="start-day" name="start-day" type="text" inputmode="numeric" value="12"' in bad.text
    assert 'id="start-time" name="start-time" type="text" inputmode="numeric" value="17:00"' in bad.text
    missing = await rm.post("/on-call", data={**entry, "user_id": "", "start": "", "end": "2027-03-15T09:00"})
    assert missing.status_code == 422
    assert "Choose who is on call." in missing.text and "Enter when their cover starts as a date and time" in missing.text
    other = await rm.post("/on-call", data={**entry, "user_id": "TL-3", "start": "2027-03-12T17:00", "end": "2027-03-15T09:00"})
    assert other.status_code == 422 and "TL-3 does not hold the role designated safeguarding lead at SVC-ELM" in other.text
    assert (await rm.post("/on-call", data={k: v for k, v in entry.items() if k != "csrf_token"})).status_code == 403
    assert OnCallRota(records).rota(ELM, DSL).entries == ()
    # the weekend, in GMT; then a night after the clocks go forward (28 March 2027), read as BST
    done = await rm.post("/on-call", data={**entry, "start": "2027-03-12T17:00", "end": "2027-03-15T09:00"})
    assert done.status_code == 303 and done.headers["location"] == "/on-call?service=SVC-ELM&role=designated_safeguarding_lead"
    await rm.post("/on-call", data={**entry, "start": "2027-03-29T18:00", "end": "2027-03-30T09:00"})
    entries = OnCallRota(records).rota(ELM, DSL).entries
    assert [(e.start, e.end) for e in entries] == [
        (datetime(2027, 3, 12, 17, 0, tzinfo=UTC), datetime(2027, 3, 15, 9, 0, tzinfo=UTC)),
        (datetime(2027, 3, 29, 17, 0, tzinfo=UTC), datetime(2027, 3, 30, 8, 0, tzinfo=UTC))]
    html = (await rm.get(done.headers["location"])).text
    assert "DSL-2 is on call for designated safeguarding lead at SVC-ELM from Fri 12 Mar 2027, 17:00 GMT" in html
    assert "From Fri 12 Mar 2027, 17:00 GMT" not in html and "From Mon 15 Mar 2027, 17:00 GMT" in html
    # a manager of one service cannot read another's rota
    assert "kept by its managers and safeguarding leads" in (await rm.get("/on-call", params={"service": "SVC-OAK", "role": DSL})).text


async def test_the_rota_over_the_api(settings, records):
    staff(records)
    app = create_app(settings, records=records)  # the real clock: a token's life is counted in it
    accounts = Accounts(records)
    tokens = {u: accounts.issue_token(u, "test", None, timedelta(days=1), by="test").secret for u in ("RM-1", "SSW-1")}
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)

    def client(user: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE + "/api/v1",
                                 headers={"Authorization": f"Bearer {tokens[user]}"})

    body = {"user_id": "DSL-2", "start": start.isoformat(), "end": (start + timedelta(hours=16)).isoformat()}
    async with client("RM-1") as rm, client("SSW-1") as ssw:
        set_ = await rm.post(f"/services/{ELM}/on-call/{DSL}", json=body)
        assert set_.status_code == 201, set_.text
        assert [e["user_id"] for e in set_.json()["entries"]] == ["DSL-2"] and set_.json()["gaps"]
        assert (await rm.get(f"/services/{ELM}/on-call/{DSL}")).json()["entries"][0]["set_by"] == "RM-1"
        refused = await ssw.post(f"/services/{ELM}/on-call/{DSL}", json=body)
        assert refused.status_code == 403 and "kept by its managers" in refused.json()["detail"]
        naive = await rm.post(f"/services/{ELM}/on-call/{DSL}", json={**body, "start": "2027-03-12T17:00:00"})
        assert naive.status_code == 422
    assert len(OnCallRota(records).rota(ELM, DSL).entries) == 1
