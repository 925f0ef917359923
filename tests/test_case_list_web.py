"""The case list through the API (GET /api/v1/cases, /api/v1/cases.csv) and the Cases page: pages
by cursor, refusals as problem+json, the page's table, pagination, errors and the CSV link for
managers only, and an inspector's home page pointing to the cases of their grant."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from domain.access import Assignment
from tests.api_support import Api
from tests.test_case_list import open_case
from tests.test_evidence_pack import closed_case
from tests.test_pages import Pages

ELM = "SVC-ELM"


def fill(records, n: int) -> None:
    closed_case(records, "WB-CLOSED", adult_at_risk={"id": "A-777"})
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=3)  # overdue by now; the closed case is later
    for i in range(n):
        open_case(records, f"WB-{i:02d}", (start + timedelta(hours=i)).isoformat())


async def test_the_api_pages_by_cursor_and_refuses_in_problem_json(env, settings, records):
    fill(records, 5)
    api = Api(env, settings, records)
    async with api.as_user("TL-1", Assignment("team_leader", ELM)) as tl:
        first = await tl.get("/cases", params={"limit": 4})
        assert first.status_code == 200, first.text
        body = first.json()
        assert [c["case_id"] for c in body["cases"]] == ["WB-CLOSED", "WB-04", "WB-03", "WB-02"]
        assert body["previous_cursor"] is None and body["cases"][1]["overdue"] is True
        rest = (await tl.get("/cases", params={"limit": 4, "cursor": body["next_cursor"]})).json()
        assert [c["case_id"] for c in rest["cases"]] == ["WB-01", "WB-00"] and rest["next_cursor"] is None
        found = (await tl.get("/cases", params={"q": "A-777", "status": "closed"})).json()["cases"]
        assert [(c["case_id"], c["level"], c["outcome"]) for c in found] == [("WB-CLOSED", "reportable", "substantiated")]
        bad = await tl.get("/cases", params={"q": "Mary Smith"})
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
        assert "not a name" in bad.json()["detail"]
        refused = await tl.get("/cases.csv")
        assert refused.status_code == 403 and "managers and safeguarding leads" in refused.json()["detail"]
    async with api.as_user("COM-1", Assignment("commissioner")) as commissioner:
        r = await commissioner.get("/cases")
        assert r.status_code == 403 and "commissioner records" in r.json()["detail"]
    async with api.as_user("DSL-1", Assignment("designated_safeguarding_lead", ELM)) as dsl:
        r = await dsl.get("/cases.csv", params={"status": "open"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        lines = r.text.strip().splitlines()
        assert lines[0].startswith("Case,Service,") and len(lines) == 6
    assert any(a.target == "case list download (status open): 5 cases" for a in api.accounts.access_log(user_id="DSL-1"))


async def test_the_cases_page_lists_pages_and_offers_the_download_to_managers(env, settings, records):
    fill(records, 30)
    pages = Pages(env, settings, records)
    ssw = await pages.as_user("SSW-1", Assignment("senior_support_worker", ELM))
    html = (await ssw.get("/cases")).text
    assert 'href="/cases">Cases</a>' in html or 'href="/cases"' in html  # in the navigation
    assert html.count('<tr class="nhsuk-table__row" data-case=') == 25
    assert '<a href="/cases/WB-29">WB-29</a>' in html and "Next page" in html and "Previous page" not in html
    assert '<a href="/cases/WB-CLOSED">WB-CLOSED</a>' in html and "Reportable" in html
    assert "Download every case" not in html  # not a manager
    assert "Overdue</strong>" in html
    next_link = html.split('nhsuk-pagination__link--next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = (await ssw.get(next_link)).text
    assert '<a href="/cases/WB-00">WB-00</a>' in second and "Previous page" in second and "Next page" not in second
    assert second.count("data-case=") == 6
    searched = (await ssw.get("/cases", params={"q": "A-777"})).text
    assert searched.count('data-case=') == 1
    refused = await ssw.get("/cases", params={"q": "Mary Smith", "from-day": "31", "from-month": "2", "from-year": "2027"})
    assert refused.status_code == 422 and "There is a problem" in refused.text
    assert 'href="#from-day"' in refused.text and "Identified from must be a real date" in refused.text
    rm = await pages.as_user("RM-1", Assignment("registered_manager", ELM))
    html = (await rm.get("/cases", params={"status": "open"})).text
    link = html.split('Download every case')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert link == "/cases.csv?status=open"
    csv_text = (await rm.get(link)).text
    assert csv_text.startswith("Case,Service,") and len(csv_text.strip().splitlines()) == 31


async def test_an_inspector_is_pointed_from_home_to_the_cases_of_their_grant(env, settings, records):
    fill(records, 2)
    pages = Pages(env, settings, records)
    grant = Assignment("inspector", cases=("WB-01",), until=datetime.now(timezone.utc) + timedelta(days=30))
    inspector = await pages.as_user("INS-1", grant)
    home = (await inspector.get("/")).text
    assert "You hold no role at a service" not in home and 'href="/cases"' in home
    listed = (await inspector.get("/cases")).text
    assert listed.count("data-case=") == 1 and '<a href="/cases/WB-01">WB-01</a>' in listed
    assert "Download every case" not in listed
