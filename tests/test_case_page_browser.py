"""The case summary page in a real browser (issue 21): with ten steps done it fits in 2,500 px at
1280 px wide (it was 7,700 px holding every form and the whole chronology), its task list leads to
each step's own page, and both pass axe-core."""

from __future__ import annotations

import re

from playwright.async_api import expect

from domain.access import Assignment
from domain.concern import StepCompletion
from domain.facts import StepCompleted
from tests.browser_support import ARTEFACTS, check_page, sign_in
from tests.cases import RECORDS, ROLES
from tests.test_browser import ELM, browser, site  # noqa: F401  (fixtures: the browser walk's own)
from workflows.concern import SafeguardingConcernWorkflow

MAX_HEIGHT = 2500
# steps whose records hold no instant (an instant must fall between identification and now)
WITHOUT_INSTANTS = [s for s, r in RECORDS.items() if not any(k.endswith("_at") for k in r)]


async def ten_steps_done(env, site, page) -> str:
    """A concern raised on its page, then ten of its steps completed, each as the pathway opens it."""
    await page.goto(f"{site.base}/concerns/new")
    await page.get_by_label("What is the id of the adult at risk?").fill("A-117")
    await page.get_by_label("What is their id?").fill("A-204")
    await page.get_by_label("What happened?").fill("A-204 blocked A-117 from the lounge")
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("button", name="Raise the concern").click()
    await page.wait_for_url(re.compile(r"/cases/SG-"))
    case_id = page.url.rsplit("/", 1)[1]
    handle = env.client.get_workflow_handle(case_id)
    done = 0
    while done < 10:
        status = await handle.query(SafeguardingConcernWorkflow.status)
        s = next(s for s in status.open_steps if s.step in WITHOUT_INSTANTS)
        await handle.execute_update(SafeguardingConcernWorkflow.complete_step, StepCompletion(
            step=s.step, occurrence=s.occurrence, role=ROLES[s.step], actor="STAFF-1", record=RECORDS[s.step]))
        done += 1
    return case_id


async def test_the_case_page_with_ten_steps_done_fits_in_2500_px_at_1280_px(env, site, browser):
    site.user("SSW-40", Assignment("senior_support_worker", ELM))
    site.user("DSL-40", Assignment("designated_safeguarding_lead", ELM))
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB",
                                        timezone_id="Europe/London")
    try:
        page = await context.new_page()
        await sign_in(page, site.base, "SSW-40")
        case_id = await ten_steps_done(env, site, page)
        assert len([f for f in site.case_facts(case_id) if isinstance(f.fact, StepCompleted)]) == 10
        await page.goto(f"{site.base}/cases/{case_id}")
        await page.set_viewport_size({"width": 1280, "height": 800})
        height = await page.evaluate("document.documentElement.scrollHeight")
        (ARTEFACTS / "case-page-height.txt").parent.mkdir(parents=True, exist_ok=True)
        (ARTEFACTS / "case-page-height.txt").write_text(f"{height}\n")
        print(f"case page, 10 steps done, 1280 px wide: {height} px high")
        assert height <= MAX_HEIGHT, f"the case page is {height} px high at 1280 px"
        await expect(page.locator(".nhsuk-task-list__status", has_text="Done")).to_have_count(10)
        await check_page(page, "case page (ten steps done)")
        # a done step's page shows its record in full, as a summary list
        await page.locator(".nhsuk-task-list a[href*='/steps/record_concern/1']").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Record the initial peer-to-peer concern")
        await expect(page.locator("#step-record")).to_contain_text(RECORDS["record_concern"]["behaviour_observed"])
        await check_page(page, "step page (done)")
        await page.goto(f"{site.base}/cases/{case_id}/chronology")
        await check_page(page, "chronology page")
    finally:
        await context.close()
