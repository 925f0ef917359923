"""An alert's link in a real browser (issue 20): a live-risk escalation alerts the designated
safeguarding lead by email (a real SMTP server, aiosmtpd); the link taken from the message caught
there, opened signed out, leads through the sign-in page to the case, where the escalation is
acknowledged with a note of what was done, and the note is in the recorded fact. Debian's chromium
driven by Playwright against the app served by uvicorn, over the time-skipping Temporal server, a
real worker and a SQLite store (tests/browser_support.py)."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest_asyncio
from playwright.async_api import async_playwright, expect

from bootstrap import build_worker
from casework import cases
from domain.access import Assignment
from domain.facts import EscalationAcknowledged
from eventstore.accounts import Accounts
from eventstore.oncall import OnCallRota
from tests.browser_support import CHROMIUM_ARGS, PASSWORD, check_page, chromium_path, free_port, serve
from tests.cases import RECORDS
from tests.servers.mail import MailServer

ELM, DSL = "SVC-ELM", "designated_safeguarding_lead"
SERVICES = {ELM: {"name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"}}
DONE = "Phoned the duty manager: the source moved to another unit and staff stay in the lounge"


@pytest_asyncio.fixture(loop_scope="session")
async def browser():
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest_asyncio.fixture(loop_scope="session")
async def mail():
    with MailServer() as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def site(env, settings, records, mail):
    port = free_port()
    settings.services = SERVICES
    settings.smtp_host, settings.smtp_port, settings.smtp_from = "127.0.0.1", mail.port, "alerts@sg.example"
    settings.public_url = f"http://127.0.0.1:{port}"  # where the alert's link points: this site
    async with build_worker(env.client, records, settings):
        async with serve(settings, records, env.client, port=port) as s:
            yield s


def people(site) -> None:
    site.user("SSW-1", Assignment("senior_support_worker", ELM), name="Sam Support")
    site.user("TL-3", Assignment("team_leader", ELM), name="Tia Leader")
    site.user("DSL-2", Assignment(DSL, ELM), name="Dee Lead")
    Accounts(site.records).set_contact("DSL-2", "dee@example.org", None, True, by="test")
    # in working hours the alert goes to the role's holders, out of them to whoever is on call: the
    # lead is both, so the test holds whenever it runs
    now = datetime.now(timezone.utc)
    OnCallRota(site.records).set(ELM, DSL, "DSL-2", now - timedelta(days=1), now + timedelta(days=2), by="test")


async def live_risk_case(site) -> str:
    """A concern raised and reviewed through the same use cases as the pages: the source still has
    access, so the review escalates to the designated safeguarding lead at once."""
    ports = site.app.state.web.ports
    ssw, tl = (site.accounts.account(u).principal("web", session_id="s") for u in ("SSW-1", "TL-3"))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    concern = {"identified_at": now.isoformat(), "service": {"id": ELM, **SERVICES[ELM]},
               "adult_at_risk": {"id": "A-117"}, "alleged_source": {"id": "A-204"},
               "summary": "A-204 blocked A-117 from the lounge", "case_id": f"SG-LINK-{uuid.uuid4().hex[:8].upper()}"}
    case_id = (await cases.raise_concern(ports, ssw, cases.RaiseConcern(concern), now)).value.case_id
    await cases.complete_step(ports, ssw, cases.CompleteStep(case_id, "record_concern", RECORDS["record_concern"]),
                              datetime.now(timezone.utc))
    review = {**RECORDS["peer_risk_review"], "source_still_has_access": True}
    await cases.complete_step(ports, tl, cases.CompleteStep(case_id, "peer_risk_review", review), datetime.now(timezone.utc))
    return case_id


async def alert_email(mail: MailServer, case_id: str):
    deadline = time.monotonic() + 120  # a bound for what never happens, not a speed target
    subject = f"Urgent: Safeguarding escalation for case {case_id}"
    while time.monotonic() < deadline:
        found = [m for m in mail.mailbox.messages if m["Subject"] == subject]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no alert for {case_id}: {[m['Subject'] for m in mail.mailbox.messages]}")


async def recorded(site, case_id: str, fact_type: str) -> list:
    deadline = time.monotonic() + 120  # a bound for what never happens, not a speed target
    while time.monotonic() < deadline:
        if found := [f.fact for f in site.case_facts(case_id) if f.type == fact_type]:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {fact_type} on {case_id}")


async def test_the_alert_link_leads_through_sign_in_to_the_escalation_acknowledged_with_a_note(site, browser, mail):
    people(site)
    case_id = await live_risk_case(site)
    message = await alert_email(mail, case_id)
    assert message["To"] == "dee@example.org"
    body = message.get_payload()
    link = re.search(r"http://127\.0\.0\.1:\d+/cases/\S+", body).group(0)
    assert link == f"{site.base}/cases/{case_id}"
    for personal in ("A-117", "A-204", "blocked", "Dee Lead", "lounge"):
        assert personal not in body  # no personal data in the message
    sent = await recorded(site, case_id, "AlertSent")  # recorded once the server has answered: after the message
    assert [(f.user_id, f.channel) for f in sent] == [("DSL-2", "email")]

    context = await browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB",
                                        timezone_id="Europe/London")  # signed out: no cookie
    try:
        page = await context.new_page()
        await page.goto(link)
        await page.wait_for_url(re.compile(r"/sign-in\?next="))
        await check_page(page, "sign in from an alert link")
        await page.get_by_label("User id").fill("DSL-2")
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(link)  # back on the case the alert named
        await expect(page.get_by_role("heading", level=1)).to_contain_text(case_id)
        escalation = next(f.fact for f in site.case_facts(case_id) if f.type == "Escalated")
        await check_page(page, "case page from an alert link")
        await page.locator(f"a[href='/cases/{case_id}/escalations/{escalation.escalation_id}']").click()  # its own page
        form = page.locator(f"form[action='/cases/{case_id}/escalations/{escalation.escalation_id}/acknowledge']")
        await expect(form).to_be_visible()
        await check_page(page, "escalation page")
        await form.locator("textarea[name='note']").fill(DONE)
        await form.get_by_role("button", name="Acknowledge the escalation").click()
        await expect(page.get_by_role("status")).to_contain_text(f"{escalation.escalation_id} acknowledged.")
        # the lead's own pages for alerts, from the navigation: accessible as every page is
        await page.get_by_role("link", name="My alerts").click()
        await expect(page.get_by_label("Email address")).to_have_value("dee@example.org")
        await check_page(page, "my alerts")
        await page.get_by_role("link", name="On call").click()
        await page.get_by_label("Role").select_option(DSL)
        await page.get_by_role("button", name="Show the rota").click()
        await expect(page.get_by_role("cell", name="DSL-2", exact=True)).to_be_visible()
        await check_page(page, "on call")
    finally:
        await context.close()
    [ack] = [f.fact for f in site.case_facts(case_id) if isinstance(f.fact, EscalationAcknowledged)]
    assert (ack.escalation_id, ack.actor, ack.role, ack.note) == (escalation.escalation_id, "DSL-2", DSL, DONE)
