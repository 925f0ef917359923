"""The case's pages (issue 21, part 3): the summary with its steps as a task list (done, open,
overdue, not yet open), one step per page with a refusal shown again on that page, the small
forms on their own pages, and the chronology in full with the engine's names only in its
technical details."""

from __future__ import annotations

import html as html_
import re
import time
from datetime import datetime, timedelta

import pytest_asyncio

from bootstrap import build_worker
from domain.access import Assignment
from domain.facts import DevelopmentRecorded, EscalationAcknowledged, StepCompleted
from tests.test_pages import ELM, LONDON, Pages, csrf, form_key, raise_case, settled

FACT_TYPES = ("ConcernRaised", "StepOpened", "StepCompleted", "ServiceHistoryAttached", "NoteAdded", "DeadlineMissed")


@pytest_asyncio.fixture(loop_scope="session")
async def pages(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Pages(env, settings, records)


def task_list(page: str) -> dict[str, str]:
    """The case page's task list: each step's link -> its status as shown."""
    steps = page[page.index('id="steps-h"'):]
    steps = steps[:steps.index("</ul>")]
    items = re.findall(r'href="(/cases/[^"]+/steps/[^"]+)".*?nhsuk-task-list__status[^>]*>(.*?)</div>', steps, re.S)
    return {href.split("/steps/")[1]: re.sub(r"<[^>]+>", "", status).strip() for href, status in items}


async def test_the_task_list_shows_overdue_done_open_and_not_yet_open_steps(pages):
    ssw = await pages.as_user("SSW-60", Assignment("senior_support_worker", ELM))
    html = (await ssw.get("/concerns/new")).text
    earlier = (datetime.now(LONDON) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")  # already past its 15 minutes
    r = await ssw.post("/concerns", data={"csrf_token": csrf(html), "form_key": form_key(html, "/concerns"), "confirm": "yes",
                                          "identified_at": earlier, "service": ELM, "adult_at_risk": "A-117",
                                          "alleged_source": "A-204", "summary": "A-204 blocked A-117 from the lounge"})
    assert r.status_code == 303, r.text
    case_id = r.headers["location"].rsplit("/", 1)[1]
    await settled(pages.records, case_id)
    page = (await ssw.get(f"/cases/{case_id}")).text
    assert task_list(page) == {"record_concern/1": "Overdue"}
    home = (await ssw.get("/")).text
    assert f'href="/cases/{case_id}/steps/record_concern/1"' in home  # My work links to the step's page
    # by its title; overdue said once, as the red tag that counts how late it is (not "overdue by 3 s Overdue")
    card = home.split('id="my-steps"')[1].split("</ul>")[0]
    assert "Record the initial peer-to-peer concern</a>" in card and "Record concern" not in card
    assert re.search(r'<strong class="nhsuk-tag nhsuk-tag--red"><span class="countdown overdue"[^>]*>overdue by ', card)
    assert len(re.findall(r"overdue", re.sub(r'class="[^"]*"', "", card), re.I)) == 1, card
    assert 'nhsuk-tag nhsuk-tag--red">Overdue<' in page  # in the summary and on the step
    assert re.search(r"Overdue</dt>.*?Record the initial peer-to-peer concern", page, re.S)
    assert "Steps not yet open (29)" in page and "Not yet open" in page
    r = await ssw.post(f"/cases/{case_id}/steps/record_concern/1", data={
        "csrf_token": csrf(page), "behaviour_observed": "blocked the door", "initiated_by": "A-204", "presentation": "calm"})
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{case_id}"
    page = (await ssw.get(f"/cases/{case_id}")).text
    assert "Done: record the initial peer-to-peer concern, recorded" in page  # the notification, on the summary
    assert "Opened: Immediate peer-risk review, Same-day seriousness assessment" in page and "#1" not in page  # steps by their titles
    steps = task_list(page)  # recording the concern opened the review and the steps that run alongside it
    assert steps["record_concern/1"] == "Done" and steps["peer_risk_review/1"] == "Open"
    assert set(steps.values()) == {"Done", "Open"} and len(steps) > 2
    assert "Nothing is overdue" in page and f"Steps not yet open ({30 - len(steps)})" in page
    # the done step's page shows what was recorded, in full, as a summary list
    done = (await ssw.get(f"/cases/{case_id}/steps/record_concern/1")).text
    assert re.search(r'id="step-record".*Behaviour seen</dt><dd class="nhsuk-summary-list__value">blocked the door', done, re.S)
    assert 'action="/cases/' not in done  # no form for a step already done
    assert "Who started the interaction</dt>" in done and "Initiated by" not in done  # each field by its label
    # a step that has not opened has no page
    assert (await ssw.get(f"/cases/{case_id}/steps/conclude_case/1")).status_code == 404
    assert (await ssw.get(f"/cases/{case_id}/steps/no_such_step/1")).status_code == 404


async def test_a_refused_step_is_shown_again_on_its_own_page_with_an_error_summary(pages):
    ssw = await pages.as_user("SSW-61", Assignment("senior_support_worker", ELM))
    case_id = await raise_case(ssw)
    before = await settled(pages.records, case_id)
    url = f"/cases/{case_id}/steps/record_concern/1"
    html = (await ssw.get(url)).text
    assert '<h1 class="nhsuk-heading-l">Record the initial peer-to-peer concern</h1>' in html
    assert "nhsuk-inset-text" in html and "Where this step comes from" in html and "within fifteen minutes" in html
    assert f'action="{url}"' in html and 'id="steps-h"' not in html  # its form, not the case's summary
    r = await ssw.post(url, data={"csrf_token": csrf(html), "form_key": form_key(html, url),
                                  "behaviour_observed": "pushed past", "initiated_by": "Mr Smith", "presentation": "shaken"})
    assert r.status_code == 422
    assert '<h1 class="nhsuk-heading-l">Record the initial peer-to-peer concern</h1>' in r.text and 'id="steps-h"' not in r.text
    summary = r.text[r.text.index("nhsuk-error-summary"):]
    assert re.search(r'<a href="#f-initiated_by"\s*>\s*[^<]*not a name', summary)
    assert 'value="pushed past"' in r.text or ">pushed past<" in r.text  # what was typed is kept
    assert len(pages.records.stored_facts(case_id)) == before  # nothing recorded


async def test_development_and_acknowledgement_refusals_stay_on_their_own_pages(pages):
    ssw = await pages.as_user("SSW-62", Assignment("senior_support_worker", ELM))
    tl = await pages.as_user("TL-62", Assignment("team_leader", ELM))
    dsl = await pages.as_user("DSL-62", Assignment("designated_safeguarding_lead", ELM))
    case_id = await raise_case(ssw)
    await settled(pages.records, case_id)
    new = (await ssw.get(f"/cases/{case_id}/developments/new")).text
    r = await ssw.post(f"/cases/{case_id}/developments", data={
        "csrf_token": csrf(new), "form_key": form_key(new, f"/cases/{case_id}/developments"), "kind": "new_incident", "summary": ""})
    assert r.status_code == 422 and '<h1 class="nhsuk-heading-l">Record a development</h1>' in r.text
    assert 'href="#f-summary"' in r.text[r.text.index("nhsuk-error-summary"):]
    assert not [f for f in pages.records.stored_facts(case_id) if isinstance(f.fact, DevelopmentRecorded)]
    # live risk escalates to the lead, who acknowledges it on its own page
    html = (await ssw.get(f"/cases/{case_id}/steps/record_concern/1")).text
    await ssw.post(f"/cases/{case_id}/steps/record_concern/1", data={
        "csrf_token": csrf(html), "behaviour_observed": "blocked the door", "initiated_by": "A-204", "presentation": "calm"})
    html = (await tl.get(f"/cases/{case_id}/steps/peer_risk_review/1")).text
    r = await tl.post(f"/cases/{case_id}/steps/peer_risk_review/1", data={
        "csrf_token": csrf(html), "source_still_has_access": "true", "repeated_or_targeted": "false",
        "other_adult_affected": "false", "source_also_adult_at_risk": "false"})
    assert r.status_code == 303, r.text
    deadline = time.monotonic() + 60  # a bound for what never happens, not a speed target
    while "Escalated" not in [f.type for f in pages.records.stored_facts(case_id)] and time.monotonic() < deadline:
        time.sleep(0.05)
    page = (await dsl.get(f"/cases/{case_id}")).text
    link = re.search(rf'href="(/cases/{case_id}/escalations/[^"]+)"', page).group(1)
    own = (await dsl.get(link)).text
    action = f"{link}/acknowledge"
    r = await dsl.post(action, data={"csrf_token": csrf(own), "form_key": form_key(own, action), "note": ""})
    assert r.status_code == 422 and "Enter what was done" in r.text and 'href="#f-note"' in r.text
    assert not [f for f in pages.records.stored_facts(case_id) if isinstance(f.fact, EscalationAcknowledged)]
    r = await dsl.post(action, data={"csrf_token": csrf(own), "form_key": form_key(own, action),
                                     "note": "moved A-204 to the garden room"})
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{case_id}"
    assert "acknowledged" in (await dsl.get(f"/cases/{case_id}")).text


async def test_the_chronology_shows_long_text_in_full_and_fact_names_only_in_technical_details(pages):
    ssw = await pages.as_user("SSW-63", Assignment("senior_support_worker", ELM))
    case_id = await raise_case(ssw)
    await settled(pages.records, case_id)
    long_note = " ".join(f"A-117 said part {i} of what happened in the lounge, and SSW-63 wrote it down." for i in range(20))
    assert len(long_note) > 1000
    html = (await ssw.get(f"/cases/{case_id}/notes/new")).text
    r = await ssw.post(f"/cases/{case_id}/notes", data={"csrf_token": csrf(html), "form_key": form_key(html, f"/cases/{case_id}/notes"),
                                                        "text": long_note})
    assert r.status_code == 303, r.text
    html = (await ssw.get(f"/cases/{case_id}/steps/record_concern/1")).text
    behaviour = "A-204 stood in the doorway " * 40
    await ssw.post(f"/cases/{case_id}/steps/record_concern/1", data={
        "csrf_token": csrf(html), "behaviour_observed": behaviour.strip(), "initiated_by": "A-204", "presentation": "calm"})
    page = (await ssw.get(f"/cases/{case_id}/chronology")).text
    text = html_.unescape(page)
    assert long_note in text and behaviour.strip() in text and "…" not in text  # nothing cut
    assert "Note 1 added by SSW-63 (senior support worker)" in text
    assert "Record the initial peer-to-peer concern: done by SSW-63 (senior support worker)" in text
    details = re.findall(r'<details class="nhsuk-details[^"]*">.*?</details>', page, re.S)
    outside = re.sub(r'<details class="nhsuk-details[^"]*">.*?</details>', "", page, flags=re.S)
    assert all(t not in outside for t in FACT_TYPES)
    assert all(any(t in d and "Technical details" in d for d in details) for t in FACT_TYPES if t != "DeadlineMissed")
    assert "holidays " in "".join(details) and "holidays " not in outside  # the holiday table's version, folded away
    done = [f.fact for f in pages.records.stored_facts(case_id) if isinstance(f.fact, StepCompleted)]
    assert done and done[0].record["behaviour_observed"] == behaviour.strip()
    # as it stood a minute before the concern was raised, asked as the date input's parts: nothing yet
    before = (pages.records.stored_facts(case_id)[0].at - timedelta(minutes=1)).astimezone(LONDON)
    parts = {"as_at-day": before.day, "as_at-month": before.month, "as_at-year": before.year, "as_at-time": f"{before:%H:%M}"}
    then = (await ssw.get(f"/cases/{case_id}/chronology", params=parts)).text
    assert "Chronology as at" in then and "Nothing was recorded by then" in then and long_note not in html_.unescape(then)
    bad = await ssw.get(f"/cases/{case_id}/chronology", params={**parts, "as_at-day": "31", "as_at-month": "2"})
    assert bad.status_code == 422 and 'href="#f-as_at-day"' in bad.text and "Enter a real date and time" in bad.text
