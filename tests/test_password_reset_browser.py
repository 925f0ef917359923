"""The link to set a password in a real browser (issue 22): sent by email (a real SMTP server,
aiosmtpd), taken from the message and opened signed out; a password too easy to guess refused on
the page in the design system's error, then one set; the sign-in page says so, and the person signs
in with it; the link opened again says plainly it has been used. Every page checked with axe-core
and assert_plain at 1280 and 375 px (tests/browser_support.py check_page). Debian's chromium driven
by Playwright against the app served by uvicorn over a SQLite store (no Temporal: none is needed)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from playwright.async_api import expect

from casework.passwords import issue_reset_link
from domain.access import ADMINISTRATOR, Assignment
from tests.browser_support import check_page, free_port, serve, set_password_from_link
from tests.test_alert_link_browser import mail  # noqa: F401  (fixture)
from tests.test_browser import browser  # noqa: F401  (fixture)

NEW = "kettle on the landing at nine"


async def test_a_person_sets_their_password_from_the_emailed_link(settings, records, mail, browser):
    port = free_port()
    settings.smtp_host, settings.smtp_port, settings.smtp_from = "127.0.0.1", mail.port, "alerts@sg.example"
    settings.public_url = f"http://127.0.0.1:{port}"
    async with serve(settings, records, None, port=port) as site:
        site.user("ADM-1", Assignment(ADMINISTRATOR), name="Ada Admin")
        site.user("TL-7", Assignment("team_leader", "SVC-ELM"), name="Tess Leader")
        site.accounts.set_contact("TL-7", "tess@example.org", None, True, by="test")
        admin = site.accounts.account("ADM-1").principal("web", session_id="s-admin")
        issue_reset_link(site.app.state.web.ports, admin, "TL-7", datetime.now(timezone.utc))
        link = re.search(r"http://127\.0\.0\.1:\d+/reset/\S+", 
                         mail.mailbox.messages[-1].get_payload(decode=True).decode()).group(0)

        page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
        await page.goto(link)
        await expect(page.get_by_text("You will sign in with your user id, TL-7")).to_be_visible()
        await set_password_from_link(page, link, site.base, "TL-7", NEW, (
            "Set your password from a link", "Set your password from a link, refused", "Sign in after setting a password"))

        await page.goto(link)
        await expect(page.get_by_text("This link has been used already.")).to_be_visible()
        await check_page(page, "A link to set a password used already")
