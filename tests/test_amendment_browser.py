"""Correcting a record in a real browser (issue 22): from a done step's page, "Correct this record",
the form refused without a reason (its error summary), then sent; the step's page shows the record
as corrected with the correction in words, and the decision that rested on it goes to review on an
ordinary step page whose new decision is revealed under "changed". Every page passes axe-core and
shows none of the engine's words (check_page), at 1280 and 375 px."""

from __future__ import annotations

import re

from playwright.async_api import expect

from casework.temporal.cases import raise_concern
from domain.access import Assignment
from domain.concern import ConcernBody
from domain.facts import DecisionReviewed, StepAmended
from tests.api_support import concern_body
from tests.browser_support import check_page, sign_in
from tests.test_amendment_faces import completed
from tests.test_browser import ELM, browser, site  # noqa: F401  (fixtures: the browser walk's own)
from tests.test_pages import settled


async def test_a_route_decision_s_record_is_corrected_and_its_decision_reviewed_in_a_browser(env, settings, site, browser):
    site.user("DSL-306", Assignment("designated_safeguarding_lead", ELM))
    case_id = (await raise_concern(env.client, settings.task_queue, ConcernBody.model_validate(concern_body()))).case_id
    await settled(site.records, case_id)
    await completed(env, case_id, "record_concern", "senior_support_worker", "SSW-306")
    await completed(env, case_id, "route_decision", "designated_safeguarding_lead", "DSL-306")
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London")
    try:
        page = await context.new_page()
        await sign_in(page, site.base, "DSL-306")
        await page.goto(f"{site.base}/cases/{case_id}/steps/route_decision/1")
        await page.get_by_role("link", name="Correct this record").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Correct the record: "))
        await check_page(page, "correct a record")
        await page.get_by_label("Is there anything else to add?").fill("A-204 had been moved rooms the day before")
        await page.get_by_role("button", name="Record the correction").click()  # no reason: refused
        await expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the reason for the correction")
        await check_page(page, "correct a record (refused)")
        await page.get_by_label("Why are you correcting this record?").fill("the move was left out")
        await page.get_by_role("button", name="Record the correction").click()
        await page.wait_for_url(f"{site.base}/cases/{case_id}/steps/route_decision/1")
        await expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Correction recorded")
        await expect(page.locator("#amendment-1")).to_contain_text("the move was left out")
        await check_page(page, "a corrected record")
        await page.get_by_role("link", name="review the decision").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Review the safeguarding route decision after a correction")
        new = page.get_by_text("Does the concern now meet the threshold for a safeguarding referral?")
        await expect(new).to_be_hidden()
        await page.get_by_label("No, it has changed: record the new decision").check()
        await expect(new).to_be_visible()  # revealed under "changed"
        await check_page(page, "review a decision")
        await page.locator("[name=new_external_threshold_met][value=false]").check()
        await page.get_by_label("Why does the decision stand, or why has it changed?").fill(
            "A-204 no longer shares the lounge: managed internally")
        await page.get_by_role("button", name=re.compile("^Complete this step")).click()
        await page.wait_for_url(f"{site.base}/cases/{case_id}")
        await page.goto(f"{site.base}/cases/{case_id}/steps/route_decision/1")
        await expect(page.locator("#amendment-1")).to_contain_text("the decision has changed")
        await check_page(page, "a corrected record (decision reviewed)")
    finally:
        await context.close()
    facts = [r.fact for r in site.case_facts(case_id)]
    [amended] = [f for f in facts if isinstance(f, StepAmended)]
    [reviewed] = [f for f in facts if isinstance(f, DecisionReviewed)]
    assert amended.decisions == ("route",) and reviewed.outcome == "changed"
    assert [(c.field, c.old, c.new) for c in reviewed.changes] == [("external_threshold_met", True, False)]
