"""Every read of personal data is in the access log (issue 18), without flooding it: a case page
read, a refusal to sign in (at most once a minute for the same refusal from the same address), and
a data-protection lead sees on the case's page who read it; nobody else does."""

from __future__ import annotations

import pytest_asyncio

from bootstrap import build_worker
from domain.access import Assignment
from tests.api_support import Api
from tests.test_pages import Pages, raise_case

ELM = "SVC-ELM"


@pytest_asyncio.fixture(loop_scope="session")
async def pages(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Pages(env, settings, records)


async def test_a_data_protection_lead_sees_who_read_a_case_and_staff_do_not(pages):
    ssw = await pages.as_user("SSW-50", Assignment("senior_support_worker", ELM))
    case_id = await raise_case(ssw)
    staff_view = (await ssw.get(f"/cases/{case_id}/chronology")).text
    assert "Who has read or changed this case" not in staff_view
    assert "Who has read or changed this case" not in (await ssw.get(f"/cases/{case_id}")).text
    qsl = await pages.as_user("QSL-50", Assignment("quality_safeguarding_lead"))
    assert f'href="/cases/{case_id}/chronology#readers-h"' in (await qsl.get(f"/cases/{case_id}")).text
    page = (await qsl.get(f"/cases/{case_id}/chronology")).text
    section = page[page.index("Who has read or changed this case"):]
    assert "SSW-50" in section and "Read" in section
    assert any(a.target == "access log" and a.user_id == "QSL-50" for a in pages.accounts.access_log(case_id=case_id))


async def test_refusals_to_sign_in_are_logged_once_a_minute_per_address(env, settings, records):
    api = Api(env, settings, records)
    before = len([a for a in api.accounts.access_log() if a.action == "refused"])
    async with api.client() as anonymous:
        for _ in range(5):
            assert (await anonymous.get("/cases/SG-ANY-1")).status_code == 401
        for _ in range(3):
            r = await anonymous.get("/cases/SG-ANY-1", headers={"Authorization": "Bearer sgt_nope.nope"})
            assert r.status_code == 401
    refused = [a for a in api.accounts.access_log() if a.action == "refused"][before:]
    assert len(refused) == 2, [(a.reason, a.address) for a in refused]  # one per kind of refusal, this minute
    assert {a.address for a in refused} == {"10.0.0.7"}
