"""The Services page in a real browser (issue 22): an administrator adds a service and changes its
details; the list, a refused form (its error summary) and the change page pass axe-core at 1280 and
375 px and show none of the engine's words."""

from __future__ import annotations

from playwright.async_api import expect

from domain.access import Assignment
from eventstore.services import ServiceStore
from tests.browser_support import check_page, sign_in
from tests.test_browser import browser, site  # noqa: F401  (fixtures: the browser walk's own)


async def test_an_administrator_adds_a_service_and_changes_its_details(site, browser):
    site.user("ADM-40", Assignment("administrator"))
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB",
                                        timezone_id="Europe/London")
    try:
        page = await context.new_page()
        await sign_in(page, site.base, "ADM-40")
        await page.goto(f"{site.base}/admin/services")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Services")
        await check_page(page, "services")
        before = site.events()
        await page.get_by_label("Service id").fill("SVC ASH")
        await page.get_by_label("Provider").fill("Ashford Care")
        await page.get_by_role("button", name="Add the service").click()
        summary = page.locator(".nhsuk-error-summary")
        await expect(summary).to_contain_text("Enter the service's name.")
        await expect(summary).to_contain_text("is not an id")
        await check_page(page, "services (a refused form)")
        assert ServiceStore(site.records).facts("SVC ASH") == []
        assert site.events() == before + 1  # the refusal's line in the access log, and nothing else

        await page.get_by_label("Service id").fill("SVC-ASH")
        await page.get_by_label("Service name").fill("Ash Court")
        await page.get_by_label("Who the service supports (client group)").fill("older people")
        await page.get_by_role("button", name="Add the service").click()
        await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Ash Court (SVC-ASH) was added.")
        await page.get_by_role("link", name="Change the details of Ash Court").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Change Ash Court")
        await check_page(page, "change a service")
        await page.get_by_label("Registered company (optional)").fill("Ashford Care Ltd")
        await page.get_by_role("button", name="Save the details").click()
        await expect(page.get_by_role("cell", name="Ashford Care Registered as Ashford Care Ltd")).to_be_visible()
        assert ServiceStore(site.records).service("SVC-ASH").company == "Ashford Care Ltd"
    finally:
        await context.close()
