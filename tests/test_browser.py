"""The pages in a real browser: Debian's chromium driven by Playwright against the app served by
uvicorn, over the time-skipping Temporal server, a real worker and a SQLite store. Every page
visited is screenshotted and checked with axe-core (tests/browser_support.py). The walk of a concern
to closure is in tests/test_walk_browser.py."""

from __future__ import annotations

import asyncio
import re
import time

import pytest_asyncio
from playwright.async_api import async_playwright, expect

from bootstrap import build_worker
from domain.access import Assignment
from domain.facts import StepCompleted
from tests.browser_support import CHROMIUM_ARGS, PASSWORD, check_page, chromium_path, serve, sign_in

ELM, OAK = "SVC-ELM", "SVC-OAK"
SERVICES = {ELM: {"name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"},
            OAK: {"name": "Oak Lodge", "provider": "Northgate Care", "client_group": "older people"}}


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser():
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest_asyncio.fixture(loop_scope="session")
async def site(env, settings, records):
    settings.services = SERVICES
    async with build_worker(env.client, records, settings):
        async with serve(settings, records, env.client) as s:
            yield s


@pytest_asyncio.fixture(loop_scope="session")
async def person(browser, site):
    """A browser context per signed-in person (their own cookies), at a phone's width if asked."""
    contexts = []

    async def open_as(user_id: str, width: int = 1200):
        context = await browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB",
                                            timezone_id="Europe/London")
        contexts.append(context)
        page = await context.new_page()
        await sign_in(page, site.base, user_id)
        return page

    yield open_as
    for c in contexts:
        await c.close()


async def raise_concern(page, base: str, adult: str = "A-117", source: str = "A-204") -> str:
    await page.goto(f"{base}/concerns/new")
    await page.get_by_label("What is the id of the adult at risk?").fill(adult)
    await page.get_by_label("What is their id?").fill(source)
    await page.get_by_label("What happened?").fill(f"{source} blocked {adult} from the lounge")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", name="Check your answers before raising the concern")).to_be_visible()
    await page.get_by_role("button", name="Raise the concern").click()
    await page.wait_for_url(re.compile(r"/cases/SG-"))
    return page.url.rsplit("/", 1)[1]


def step(page, step_id: str):
    """The step's own page (open it first: open_step)."""
    return page.locator("main")


async def open_step(page, step_id: str) -> None:
    """From the case's task list, the step's own page (unless already on it)."""
    if f"/steps/{step_id}/" not in page.url:
        await page.locator(f".nhsuk-task-list a[href*='/steps/{step_id}/']").first.click()
        await page.wait_for_url(re.compile(f"/steps/{step_id}/"))


async def answer(page, step_id: str, fields: dict) -> None:
    """Fill a step's generated form on its own page: text and choices by label, yes/no by the question's fieldset."""
    await open_step(page, step_id)
    form = step(page, step_id)
    for label, value in fields.items():
        if value is True or value is False:
            await form.get_by_role("group", name=re.compile("^" + re.escape(label))).get_by_label("Yes" if value else "No", exact=True).check()
        elif isinstance(value, list):  # ticked boxes, by each box's label
            for box in value:
                await form.get_by_role("group", name=re.compile("^" + re.escape(label))).get_by_label(box, exact=True).check()
        elif await form.get_by_role("group", name=re.compile("^" + re.escape(label))).count():  # a few choices: radios
            await form.get_by_role("group", name=re.compile("^" + re.escape(label))).locator(f"input[value='{value}']").check()
        elif await form.get_by_label(label, exact=False).first.evaluate("e => e.tagName") == "SELECT":
            await form.get_by_label(label, exact=False).first.select_option(value)
        else:
            await form.get_by_label(label, exact=False).first.fill(value)
    await form.get_by_role("button", name=re.compile("^Complete this step")).click()


async def test_outside_the_service_is_refused_and_a_wrong_role_sees_who_can(site, person):
    site.user("SSW-5", Assignment("senior_support_worker", ELM))
    site.user("TL-OAK", Assignment("team_leader", OAK))
    site.user("TL-7", Assignment("team_leader", ELM))
    ssw = await person("SSW-5")
    case_id = await raise_concern(ssw, site.base)

    # a team leader at another service: the case is not shown, and a completion is refused, recording nothing
    outsider = await person("TL-OAK")
    response = await outsider.goto(f"{site.base}/cases/{case_id}")
    assert response.status == 404
    await expect(outsider.get_by_role("alert")).to_contain_text(f"no case {case_id}")
    await check_page(outsider, "case refused (outside the service)")
    before = len(site.case_facts(case_id))
    csrf = await outsider.locator("input[name=csrf_token]").first.input_value()
    posted = await outsider.request.post(f"{site.base}/cases/{case_id}/steps/record_concern/1",
                                         form={"csrf_token": csrf, "behaviour_observed": "x", "initiated_by": "A-204",
                                               "presentation": "calm"})
    assert posted.status == 404
    assert len(site.case_facts(case_id)) == before
    refused = [a for a in site.accounts.access_log(case_id=case_id) if a.user_id == "TL-OAK"]
    assert refused and all(not a.allowed for a in refused)

    # a team leader at the service may read the case but not record the concern: no form, who can is said
    tl = await person("TL-7")
    await tl.goto(f"{site.base}/cases/{case_id}")
    await open_step(tl, "record_concern")
    record = step(tl, "record_concern")
    await expect(record.locator("form")).to_have_count(0)
    await expect(record.locator(".who-can")).to_contain_text(
        "Only a senior support worker at SVC-ELM can complete this step (Record the initial peer-to-peer concern). "
        "You are a team leader there.")
    await check_page(tl, "step page (wrong role)")


async def test_a_bad_value_shows_its_error_next_to_the_field_and_records_nothing(site, person):
    site.user("SSW-8", Assignment("senior_support_worker", ELM))
    ssw = await person("SSW-8", width=375)
    # a name where an id belongs: refused with the explanation, next to the field
    await ssw.goto(f"{site.base}/concerns/new")
    await ssw.get_by_label("What is the id of the adult at risk?").fill("Jane Smith")
    await ssw.get_by_label("What is their id?").fill("A-204")
    await ssw.get_by_label("What happened?").fill("A-204 shouted at the adult")
    before = site.events()
    await ssw.get_by_role("button", name="Continue").click()  # checked before the answers are shown back
    error = ssw.locator("#adult_at_risk-error")
    await expect(error).to_contain_text("Adult at risk must be an id like A-117, not a name")
    await expect(ssw.locator(".nhsuk-error-summary")).to_be_focused()  # the summary takes focus, linking to the field
    await expect(ssw.locator(".nhsuk-error-summary a[href='#adult_at_risk']")).to_be_visible()
    await check_page(ssw, "raise a concern (error)")

    case_id = await raise_concern(ssw, site.base)
    deadline = time.monotonic() + 60  # the service's history is attached just after the raise: let it land
    while not [f for f in site.case_facts(case_id) if f.type == "ServiceHistoryAttached"] and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    facts = len(site.case_facts(case_id))
    await answer(ssw, "record_concern", {"What behaviour was seen?": "pushed past", "Who started the interaction?": "Mr Smith",
                                          "How did the adult at risk seem straight afterwards?": "shaken"})
    field_error = step(ssw, "record_concern").locator("#f-initiated_by-error")
    await expect(field_error).to_contain_text("not a name")
    assert await step(ssw, "record_concern").get_by_label("What behaviour was seen?").input_value() == "pushed past"
    # the step's own page again, its error summary taking focus and linking to the field
    assert "/steps/record_concern/1" in ssw.url
    await expect(ssw.locator(".nhsuk-error-summary")).to_be_focused()
    await expect(ssw.locator(".nhsuk-error-summary a[href='#f-initiated_by']")).to_be_visible()
    assert len(site.case_facts(case_id)) == facts
    await check_page(ssw, "step page (field error)")
    assert before < site.events()  # the raise itself was recorded (the refusal before it was not)


async def test_a_second_tab_records_once_and_says_who_completed_the_step(site, person, browser):
    site.user("SSW-9", Assignment("senior_support_worker", ELM))
    ssw = await person("SSW-9")
    case_id = await raise_concern(ssw, site.base)
    second = await ssw.context.new_page()
    await second.goto(f"{site.base}/cases/{case_id}/steps/record_concern/1")  # the form open in a second tab
    fields = {"What behaviour was seen?": "blocked the door", "Who started the interaction?": "A-204",
              "How did the adult at risk seem straight afterwards?": "tearful"}
    await answer(ssw, "record_concern", fields)
    await expect(ssw.get_by_role("status")).to_contain_text("recorded")
    await answer(second, "record_concern", fields)  # the stale tab
    await expect(second.get_by_role("alert").first).to_contain_text("This step was completed by SSW-9")
    done = [f for f in site.case_facts(case_id) if isinstance(f.fact, StepCompleted)]
    assert len(done) == 1


async def test_the_board_counts_down_live_and_drops_a_step_completed_elsewhere_within_2_s(site, person):
    site.user("SSW-11", Assignment("senior_support_worker", ELM))
    site.user("RM-1", Assignment("registered_manager", ELM))
    ssw = await person("SSW-11")
    case_id = await raise_concern(ssw, site.base)
    board = await person("RM-1")
    await board.goto(f"{site.base}/board")
    row = board.locator(f"tr[data-case='{case_id}'][data-step='record_concern']")
    await expect(row).to_be_visible()
    await check_page(board, "deadline board")
    countdown = row.locator(".countdown")
    first = await countdown.text_content()
    await expect(countdown).not_to_have_text(first, timeout=3000)  # ticks without a reload
    await board.evaluate("window.__same_page = true")

    await answer(ssw, "record_concern", {"What behaviour was seen?": "blocked the door", "Who started the interaction?": "A-204",
                                          "How did the adult at risk seem straight afterwards?": "tearful"})
    await expect(ssw.get_by_role("status")).to_contain_text("recorded")
    started = time.monotonic()
    await expect(row).to_have_count(0, timeout=2000)
    assert time.monotonic() - started < 2
    assert await board.evaluate("window.__same_page === true")  # pushed, not reloaded
    # the steps the record opened are on the board now
    await expect(board.locator(f"tr[data-case='{case_id}'][data-step='peer_risk_review']")).to_be_visible()


async def test_keyboard_only_sign_in_sign_out_and_session_expiry(site, person, browser, settings, monkeypatch):
    site.user("TL-12", Assignment("team_leader", ELM))
    context = await browser.new_context(locale="en-GB")
    kb = await context.new_page()
    await kb.goto(f"{site.base}/sign-in")
    await expect(kb.locator("#user_id")).to_be_focused()  # autofocus: typing before it lands would be lost
    await kb.keyboard.type("TL-12")  # the user id field has the focus
    await kb.keyboard.press("Tab")
    await kb.keyboard.type(PASSWORD)
    await kb.keyboard.press("Enter")
    await kb.wait_for_url(f"{site.base}/")
    await kb.keyboard.press("Tab")
    assert await kb.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    await kb.keyboard.press("Enter")
    assert await kb.evaluate("document.activeElement.id") == "main"
    await context.close()

    tl = await person("TL-12")
    await tl.get_by_role("button", name="Sign out").click()
    await expect(tl.get_by_role("status")).to_contain_text("You are signed out")
    await check_page(tl, "sign in")
    await tl.goto(f"{site.base}/")
    assert "/sign-in" in tl.url  # signed out: the pages send them to sign in

    await sign_in(tl, site.base, "TL-12")
    monkeypatch.setattr("web.pages.board.HEARTBEAT_EVERY", 0.5)  # the open board checks its session this often
    await tl.goto(f"{site.base}/board")
    await expect(tl.locator("#board h2").first).to_be_visible()
    settings.session_idle_minutes = 0  # every request is now after the idle limit
    try:
        await expect(tl.locator("#board")).to_contain_text("Your session has ended", timeout=20_000)  # the open board stops (a bound, not a speed target)
        await tl.goto(f"{site.base}/board")
    finally:
        settings.session_idle_minutes = 30
    assert "/sign-in" in tl.url
    await expect(tl.get_by_role("status")).to_contain_text("Your session ended after 0 minutes without use")


async def test_governance_commissioner_and_threshold_pages(site, person):
    site.user("SSW-13", Assignment("senior_support_worker", ELM))
    site.user("QSL-13", Assignment("quality_safeguarding_lead"))
    await raise_concern(await person("SSW-13"), site.base)
    qsl = await person("QSL-13")
    await qsl.goto(f"{site.base}/governance")
    await qsl.get_by_label("Audit", exact=True).select_option("weekly")
    await qsl.get_by_role("button", name="Run an audit now").click()
    await expect(qsl.get_by_role("status")).to_contain_text("recorded as")
    await check_page(qsl, "governance")
    await qsl.goto(f"{site.base}/commissioner")
    await check_page(qsl, "commissioner records")
    await qsl.get_by_role("link", name=ELM).click()
    await expect(qsl.get_by_role("heading", level=1)).to_contain_text(f"Service {ELM}: history")
    await check_page(qsl, "service history")
    await qsl.goto(f"{site.base}/threshold?profile=sussex&category=incidents_between_adults")
    await qsl.get_by_role("group", name=re.compile("How much has the adult been affected")).locator("input[value='significant']").check()
    await qsl.get_by_role("button", name="Assess").click()
    await expect(qsl.get_by_role("heading", level=2).first).to_contain_text("Reportable")
    await check_page(qsl, "threshold tool")
    ssw = await person("SSW-13")
    response = await ssw.goto(f"{site.base}/governance")
    assert response.status == 403
    await expect(ssw.get_by_role("alert")).to_contain_text("for the whole organisation can read the governance audits")
    await check_page(ssw, "governance refused")


async def test_the_board_on_a_phone_shows_every_deadlines_due_and_time_left(site, person):
    """Found by a new-user trial: at 375 px the board's table scrolled sideways, hiding Due and Time
    left. Each deadline is a card there now, every field within the screen."""
    site.user("SSW-12", Assignment("senior_support_worker", ELM))
    site.user("TL-12", Assignment("team_leader", ELM))
    case_id = await raise_concern(await person("SSW-12"), site.base)
    phone = await person("TL-12", width=375)
    await phone.goto(f"{site.base}/board")
    row = phone.locator(f"tr[data-case='{case_id}'][data-step='record_concern']")
    await expect(row).to_be_visible()
    for label in ("Due", "Time left"):
        cell = row.locator(f"td[data-label='{label}']")
        await expect(cell).to_be_visible()
        box = await cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (label, box)
    await check_page(phone, "deadline board (phone)")
