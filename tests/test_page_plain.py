"""No page shows the engine's words (issue 21, part 4): several roles sign in and walk the main
pages (home, raising a concern with an empty form sent, a case, its step pages, its chronology, the
board, governance, the commissioner's records, on call, my alerts, the threshold tool, the cases
list), and each page's visible text is checked by `assert_plain`. Every finding on every page is
listed at once, so the list is the work left to do."""

from __future__ import annotations

import re

import pytest
import pytest_asyncio

from bootstrap import build_worker
from domain.access import Assignment
from tests.page_words_support import assert_plain, engine_words, visible_text
from tests.test_pages import ELM, Pages, csrf, form_key, raise_case, settled


@pytest.mark.unit
def test_assert_plain_finds_the_engines_words_and_ignores_what_is_not_read():
    shown = ("<h1>ConcernRaised</h1><p>needs designated_safeguarding_lead</p><p>missing field 'identified_at'</p>"
             "<p>002_bdbd6ad1bcc6475b.txt, line 318</p><p>Seed 001, line 11</p><p>prior_incidents_same_source</p>")
    found = " ".join(engine_words(shown))
    for word in ("ConcernRaised", "designated_safeguarding_lead", "identified_at", "002_bdbd6ad1bcc6475b", "Seed 001",
                 "prior_incidents_same_source"):
        assert word in found
    hidden = ('<a href="/cases/X/steps/record_concern/1" data-step="record_concern">Record the concern</a>'
              '<details class="nhsuk-details app-technical"><summary>Technical details</summary>StepOpened: '
              'record_concern</details><script>var identified_at = 1;</script><input name="adult_at_risk">')
    assert_plain(hidden)
    assert "Record the concern" in visible_text(hidden) and "Technical" not in visible_text(hidden)
    with pytest.raises(AssertionError, match="ConcernRaised"):
        assert_plain(shown)


@pytest_asyncio.fixture(loop_scope="session")
async def pages(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Pages(env, settings, records)


def _links(html: str, case_id: str, kind: str) -> list[str]:
    return sorted(set(re.findall(rf'href="(/cases/{re.escape(case_id)}/{kind}/[^"#?]+)"', html)))


async def test_no_page_shows_a_field_name_or_fact_type(pages):
    found: dict[str, str] = {}

    async def check(client, url: str, who: str, response=None) -> str:
        r = response if response is not None else await client.get(url)
        if r.status_code < 500 and "text/html" in r.headers.get("content-type", ""):
            try:
                assert_plain(r.text, f"{url} as {who}")
            except AssertionError as e:
                found[f"{url} as {who}"] = str(e)
        else:
            found[f"{url} as {who}"] = f"answered {r.status_code}"
        return r.text

    ssw = await pages.as_user("SSW-90", Assignment("senior_support_worker", ELM))
    form = await check(ssw, "/concerns/new", "senior support worker")
    empty = await ssw.post("/concerns", data={"csrf_token": csrf(form), "form_key": form_key(form, "/concerns"),
                                              "source_kind": "service_user"})
    assert empty.status_code == 422
    await check(ssw, "/concerns (empty form sent)", "senior support worker", empty)
    case_id = await raise_case(ssw)
    await settled(pages.records, case_id)
    case = await check(ssw, f"/cases/{case_id}", "senior support worker")
    step = f"/cases/{case_id}/steps/record_concern/1"
    page = await check(ssw, step, "senior support worker")
    refused = await ssw.post(step, data={"csrf_token": csrf(page), "form_key": form_key(page, step),
                                         "initiated_by": "Jane Smith"})
    await check(ssw, f"{step} (refused)", "senior support worker", refused)
    done = await ssw.post(step, data={"csrf_token": csrf(page), "behaviour_observed": "A-204 blocked the door",
                                      "initiated_by": "A-204", "presentation": "tearful"})
    assert done.status_code == 303, done.text
    case = await check(ssw, f"/cases/{case_id}", "senior support worker")
    await check(ssw, step, "senior support worker (done)")

    roles = {"team leader": Assignment("team_leader", ELM), "registered manager": Assignment("registered_manager", ELM),
             "designated safeguarding lead": Assignment("designated_safeguarding_lead", ELM),
             "operations director": Assignment("operations_director", ELM)}
    for i, (who, role) in enumerate(roles.items()):
        c = await pages.as_user(f"U-9{i}", role)
        home = await check(c, "/", who)
        case = await check(c, f"/cases/{case_id}", who)
        for url in _links(case, case_id, "steps") + _links(home, case_id, "steps"):
            await check(c, url, who)
        await check(c, f"/cases/{case_id}/chronology", who)
        for url in ("/board", "/alerts", "/on-call", "/threshold", "/cases"):
            await check(c, url, who)
    manager = await pages.sign_in("U-91")  # the threshold tool asked for a category, as a manager would
    await check(manager, "/threshold?profile=sussex&category=incidents_between_adults", "registered manager")
    await check(manager, "/threshold/questions?profile=guernsey&category=physical", "registered manager")

    for who, role, urls in (("quality and safeguarding lead", Assignment("quality_safeguarding_lead"),
                             ("/", "/governance", "/commissioner", "/board", f"/cases/{case_id}/chronology", "/cases")),
                            ("commissioner", Assignment("commissioner"), ("/", "/commissioner", "/cases"))):
        c = await pages.as_user(f"U-{who[:3].upper()}-9", role)
        for url in urls:
            await check(c, url, who)

    assert not found, f"{len(found)} pages show the engine's words:\n\n" + "\n\n".join(found.values())
