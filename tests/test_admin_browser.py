"""Administration in a real browser (issue 22): an administrator goes from the header to each page
(users, adding one with a problem first, a person's page, granting, a refused inspector's grant,
closing an account, API tokens, the history, On call), and someone else is refused with a plain page;
a reset link refused for want of an email address leads to the form that adds one (where alerts go).
Every page is checked by check_page: axe-core at 1280 and 375 px, no engine words (assert_plain)."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import expect

from domain.access import Assignment
from tests.browser_support import check_page
from tests.test_browser import ELM, browser, person, site  # noqa: F401  (fixtures)


async def test_an_administrator_walks_the_administration_pages(site, person):  # noqa: F811
    site.user("ADM-1", Assignment("administrator"), name="Ada Admin")
    site.user("RM-1", Assignment("registered_manager", ELM), name="Rita Manager")
    site.accounts.issue_token("RM-1", "rota integration", None, timedelta(days=30), by="test")
    adm = await person("ADM-1")
    await adm.goto(f"{site.base}/alerts")
    await adm.locator("header").get_by_role("link", name="Administration").click()
    await expect(adm.get_by_role("heading", level=1)).to_have_text("Administration")
    await check_page(adm, "administration")

    await adm.get_by_role("link", name="Users and roles").click()
    await expect(adm.get_by_role("cell", name="Rita Manager")).to_be_visible()
    await check_page(adm, "administration users")
    await adm.get_by_role("button", name="Add a user").click()
    await check_page(adm, "add a user")
    await adm.get_by_label("User id").fill("Tia Leader")
    await adm.get_by_role("button", name="Add the user").click()
    summary = adm.locator(".nhsuk-error-summary")
    await expect(summary).to_contain_text("is not an id")
    await check_page(adm, "add a user with a problem")
    await adm.get_by_label("User id").fill("TL-4")
    await adm.get_by_label("Name", exact=True).fill("Tia Leader")
    await adm.get_by_label("Email address (optional)").fill("tia@example.org")
    await adm.get_by_role("button", name="Add the user").click()
    await expect(adm.get_by_role("heading", level=1)).to_have_text("Tia Leader")
    await expect(adm.get_by_role("button", name="Send a password reset link")).to_be_visible()
    await check_page(adm, "a user in administration")

    await adm.get_by_label("Role", exact=True).select_option("team_leader")
    await adm.get_by_role("button", name="Give them the role").click()  # "Where" left as it starts: nothing chosen
    await expect(adm.locator(".nhsuk-error-summary")).to_contain_text(
        "Choose where they hold the role: a service, or Across the organisation.")
    await check_page(adm, "a user in administration with where not chosen")
    assert site.accounts.account("TL-4").assignments == []
    await adm.get_by_label("Where", exact=True).select_option(ELM)
    await adm.get_by_role("button", name="Give them the role").click()
    await expect(adm.get_by_text("Tia Leader now holds the role team leader at SVC-ELM.")).to_be_visible()
    await adm.get_by_label("Role", exact=True).select_option("inspector")
    await adm.get_by_label("Cases they may read").fill("SG-NOPE-1")
    for part, value in (("day", "30"), ("month", "4"), ("year", "2099")):
        await adm.locator(f"#until-{part}").fill(value)
    await adm.get_by_role("button", name="Give them the role").click()
    await expect(summary).to_contain_text("An inspector's access lasts at most 92 days")
    await check_page(adm, "a user in administration with a problem")
    assert site.accounts.account("TL-4").assignments == [Assignment("team_leader", ELM)]

    await adm.get_by_role("button", name="Close this account").click()
    await check_page(adm, "close an account")
    await adm.get_by_label("Why (optional)").fill("left the organisation")
    await adm.get_by_role("button", name="Close the account").click()
    await expect(adm.get_by_text("Tia Leader's account is closed.")).to_be_visible()
    assert site.accounts.account("TL-4").deactivated_at is not None

    await adm.goto(f"{site.base}/admin/tokens")
    await check_page(adm, "api tokens")
    await adm.get_by_role("button", name="Revoke the token rota integration of Rita Manager (RM-1)").click()
    await expect(adm.get_by_text("is revoked. Anything using it is refused from now on.")).to_be_visible()
    await adm.goto(f"{site.base}/admin/history")
    await expect(adm.get_by_role("cell", name="Closed the account: left the organisation")).to_be_visible()
    await check_page(adm, "administration history")
    await adm.goto(f"{site.base}/admin")
    await adm.get_by_role("link", name="On-call rotas").click()
    await adm.get_by_label("Service").select_option(ELM)
    await adm.get_by_role("button", name="Show the rota").click()
    await expect(adm.get_by_role("heading", name="Put someone on call")).to_be_visible()
    await check_page(adm, "on call for an administrator")


async def test_someone_else_is_refused_with_a_plain_page(site, person):  # noqa: F811
    site.user("RM-2", Assignment("registered_manager", ELM), name="Rita Manager")
    rm = await person("RM-2")
    await expect(rm.locator("header").get_by_role("link", name="Administration")).to_have_count(0)
    await rm.goto(f"{site.base}/admin/users")
    await expect(rm.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    await expect(rm.get_by_text("Only an administrator can see the users.")).to_be_visible()
    await check_page(rm, "administration refused")


async def test_an_administrator_adds_an_email_address_from_a_refused_reset_link(site, person):  # noqa: F811
    site.user("ADM-1", Assignment("administrator"), name="Ada Admin")
    site.user("RM-1", Assignment("registered_manager", ELM), name="Rita Manager")
    site.accounts.set_contact("RM-1", "old@example.org", None, False, by="RM-1")
    adm = await person("ADM-1")
    await adm.goto(f"{site.base}/admin/users/RM-1")
    await expect(adm.get_by_text("old@example.org")).to_be_visible()
    site.accounts.set_contact("RM-1", None, None, False, by="RM-1")  # taken away meanwhile, the page still open
    await adm.get_by_role("button", name="Send a password reset link").click()
    await expect(adm.get_by_text("RM-1 has no email address for alerts. Add one first.")).to_be_visible()
    await check_page(adm, "a reset link refused for want of an email address")
    await adm.locator(".nhsuk-error-summary").get_by_role("link", name="Add an email address for their alerts").click()
    await expect(adm.get_by_role("heading", level=1)).to_have_text("Where Rita Manager's alerts go")
    await check_page(adm, "where alerts go, for an administrator")
    await adm.get_by_label("Email address").fill("rita")
    await adm.get_by_role("button", name="Save where their alerts go").click()
    await expect(adm.locator(".nhsuk-error-summary")).to_contain_text("The email address is not one")
    await check_page(adm, "where alerts go with a problem")
    await adm.get_by_label("Email address").fill("rita@example.org")
    await adm.get_by_label("UK mobile number").fill("07700 900123")
    await adm.get_by_role("button", name="Save where their alerts go").click()
    await expect(adm.get_by_text("Rita Manager's alerts now go to rita@example.org and 07700900123.")).to_be_visible()
    await expect(adm.get_by_role("button", name="Send a password reset link")).to_be_visible()
    await check_page(adm, "a user in administration with their alerts changed")
    held = site.accounts.account("RM-1")
    assert (held.email, held.mobile, held.approaching_alerts) == ("rita@example.org", "07700900123", False)  # their choice kept
    await adm.get_by_role("link", name="Change email address for alerts").click()
    await expect(adm.get_by_label("Email address")).to_have_value("rita@example.org")
    await adm.goto(f"{site.base}/admin/history?user=RM-1")
    await expect(adm.get_by_role("cell", name="Changed where Rita Manager's alerts go")).to_be_visible()
