"""The Services page (issue 22), for administrators: every service with its details, one added, one's
details changed, through the same use cases as `safeguard services`; refused in plain words by
question (an error summary, what was typed kept) with nothing recorded; anyone else refused, in the
access log. And a concern raised at a service new to Safeguard records it, whose details a later
concern cannot change (the raise form's trust rule), while an administrator can."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
import pytest_asyncio

from bootstrap import build_worker
from casework import services
from domain.access import Assignment
from eventstore.accounts import Accounts
from eventstore.services import ServiceStore
from tests.test_oncall_pages import csrf, signed_in
from tests.test_pages import Pages, form_key, identified_now
from tests.browser_support import PASSWORD
from web.app import create_app

UTC = timezone.utc
NOW = datetime(2027, 3, 12, 12, 0, tzinfo=UTC)
ELM = {"service_id": "SVC-ELM", "name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability",
       "company": ""}


def people(records) -> None:
    accounts = Accounts(records)
    for user, role, service in (("ADM-1", "administrator", None), ("RM-1", "registered_manager", "SVC-ELM")):
        accounts.add_user(user, f"Person {user}", PASSWORD, by="test")
        accounts.grant(user, Assignment(role, service), by="test")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


@pytest.mark.unit
async def test_the_services_page_adds_and_changes_a_service_for_administrators_only(settings, records):
    people(records)
    app = create_app(settings, records=records, now=lambda: NOW)
    store = ServiceStore(records)
    rm = await signed_in(app, "RM-1")
    refused = await rm.get("/admin/services")
    assert refused.status_code == 403 and "Only an administrator can manage services." in text(refused.text)
    assert [a.reason for a in Accounts(records).access_log(user_id="RM-1") if not a.allowed][-1].startswith(
        "Only an administrator can manage services")

    admin = await signed_in(app, "ADM-1")
    empty = await admin.get("/admin/services")
    assert empty.status_code == 200 and "No services yet. Add the first below." in empty.text
    assert 'href="/admin"' in empty.text and "Back to administration" in empty.text
    token = csrf(empty.text)
    assert (await admin.post("/admin/services", data=ELM)).status_code == 403  # no CSRF token
    bad = await admin.post("/admin/services", data={**ELM, "csrf_token": token, "service_id": "SVC ELM", "name": ""})
    assert bad.status_code == 422 and "There is a problem" in bad.text
    assert re.search(r'href="#service_id"\s*>\s*&#39;SVC ELM&#39; is not an id', bad.text)
    assert re.search(r'href="#name"\s*>\s*Enter the service&#39;s name.', bad.text)
    assert 'value="Northgate Care"' in bad.text  # what was typed is kept
    assert store.facts("SVC-ELM") == store.facts("SVC ELM") == []

    added = await admin.post("/admin/services", data={**ELM, "csrf_token": token})
    assert added.status_code == 303 and added.headers["location"] == "/admin/services"
    listed = await admin.get("/admin/services")
    assert "Elm House (SVC-ELM) was added." in listed.text and "<td>Elm House (SVC-ELM)</td>" in listed.text
    assert "by ADM-1" in listed.text
    again = await admin.post("/admin/services", data={**ELM, "csrf_token": token})  # sent twice: recorded once
    assert again.status_code == 303 and len(store.facts("SVC-ELM")) == 1
    assert "was already added with these details: nothing was changed." in (await admin.get("/admin/services")).text

    form = await admin.get("/admin/services/SVC-ELM")
    assert form.status_code == 200 and 'value="Elm House"' in form.text and "Back to administration" in form.text
    blank = await admin.post("/admin/services/SVC-ELM", data={**ELM, "csrf_token": token, "name": " "})
    assert blank.status_code == 422 and re.search(r'href="#name"\s*>\s*Enter the service&#39;s name.', blank.text)
    assert len(store.facts("SVC-ELM")) == 1
    done = await admin.post("/admin/services/SVC-ELM", data={**ELM, "csrf_token": token, "name": "Elm House Care Home",
                                                             "company": "Northgate Care Ltd"})
    assert done.status_code == 303
    record = store.service("SVC-ELM")
    assert (record.name, record.company, record.changed_by) == ("Elm House Care Home", "Northgate Care Ltd", "ADM-1")
    page = (await admin.get("/admin/services")).text
    assert "Elm House Care Home (SVC-ELM): the details were changed." in page and "Registered as Northgate Care Ltd" in page
    assert (await admin.get("/admin/services/SVC-NOPE")).status_code == 404
    assert (await rm.post("/admin/services/SVC-ELM", data={**ELM, "csrf_token": csrf((await rm.get("/")).text)})
            ).status_code == 403
    assert store.service("SVC-ELM").name == "Elm House Care Home"


@pytest_asyncio.fixture(loop_scope="session")
async def pages(env, settings, records):
    async with build_worker(env.client, records, settings):
        pages = Pages(env, settings, records)
        pages.app.state.web.settings.services = {}  # no service set up: each is new to Safeguard until recorded
        yield pages


async def test_a_concern_raised_at_a_service_new_to_safeguard_records_it(pages):
    qsl = await pages.as_user("QSL-7", Assignment("quality_safeguarding_lead"))
    html = (await qsl.get("/concerns/new")).text
    answers = {"csrf_token": csrf(html), "form_key": form_key(html, "/concerns"), **identified_now(html),
               "service": "SVC-NEW", "service_name": "New Place", "service_provider": "Newco Care",
               "service_client_group": "older people", "adult_at_risk": "A-160", "alleged_source": "A-161",
               "summary": "A-161 pushed A-160", "confirm": "yes"}
    raised = await qsl.post("/concerns", data=answers)
    assert raised.status_code == 303
    case_id = raised.headers["location"].rsplit("/", 1)[1]
    record = ServiceStore(pages.records).service("SVC-NEW")
    assert (record.name, record.provider, record.source, record.recorded_by) == ("New Place", "Newco Care", "concern",
                                                                                 "QSL-7")
    assert ServiceStore(pages.records).facts("SVC-NEW")[0].case_id == case_id

    html = (await qsl.get("/concerns/new")).text  # a later concern cannot rename it ...
    again = {**answers, "csrf_token": csrf(html), "form_key": form_key(html, "/concerns"), "service_name": "Renamed",
             "adult_at_risk": "A-162"}
    refused = await qsl.post("/concerns", data=again)
    assert refused.status_code == 422 and "SVC-NEW is already known to Safeguard as New Place" in text(refused.text)
    admin = pages.accounts
    admin.add_user("ADM-7", "Admin", PASSWORD, by="test")
    admin.grant("ADM-7", Assignment("administrator"), by="test")
    services.change_service(pages.app.state.web.ports, admin.account("ADM-7").principal("web", session_id="s"),
                            services.ChangeService("SVC-NEW", {"name": "New Place Care Home"}), NOW)
    check = await qsl.post("/concerns", data={**again, "service_name": "", "service_provider": "",  # ... an administrator can
                                              "service_client_group": "", "confirm": ""})
    assert check.status_code == 200 and "New Place Care Home" in check.text
    assert len(ServiceStore(pages.records).facts("SVC-NEW")) == 2
