"""The browser walk of issue 21: a concern raised and walked to closure by the roles in their own
browsers (a senior support worker on a 375 px tablet, a team leader, a safeguarding lead, a quality
lead, a registered manager and an inspector), every step on its own page. Every page visited passes
check_page: no engine words, and axe-core at 1280 and 375 px (tests/browser_support.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from playwright.async_api import expect

from domain.access import Assignment
from domain.facts import CaseClosed, ConcernRaised, StepCompleted
from tests.browser_support import ARTEFACTS, check_page
from tests.test_browser import ELM, answer, browser, open_step, person, site  # noqa: F401  (fixtures)
from web.pages.formats import london

LONDON = ZoneInfo("Europe/London")
# the raise form's questions an empty form leaves unanswered, by where its error summary links
MISSING = {"#f-identified_at-day": "date the concern was identified", "#adult_at_risk": "id of the adult at risk",
           "#source_kind": "alleged to have caused the harm", "#summary": "what happened"}


async def on_its_own_page(page, case_id: str, step_id: str, name: str) -> None:
    """The step's own page, from the case's task list: one form, and only this step's."""
    await open_step(page, step_id)
    assert re.search(f"/cases/{case_id}/steps/{step_id}/1$", page.url), page.url
    await expect(page.locator("main form button", has_text=re.compile("^Complete this step"))).to_have_count(1)
    await check_page(page, name)


async def identified(page, when: datetime) -> None:
    """When the concern was identified: day, month, year and the 24-hour time, in UK time."""
    local = when.astimezone(LONDON)
    group = page.get_by_role("group", name=re.compile("When was the concern identified", re.I))
    for label, value in (("Day", str(local.day)), ("Month", str(local.month)), ("Year", str(local.year)),
                         ("Time (24-hour)", f"{local:%H:%M}")):
        await group.get_by_label(label, exact=True).fill(value)


def identified_row(page):
    """The check page's answer to when the concern was identified."""
    return page.locator(".nhsuk-summary-list__row", has_text="When the concern was identified").locator(".nhsuk-summary-list__value")


async def raise_with_dates(page, base: str, when: datetime) -> str:
    """The raise form sent empty first (every missing answer named at once), then filled in and read
    back on the check page in UK time (a summer day first, changed back to today), and raised."""
    await page.goto(f"{base}/concerns/new")
    await check_page(page, "raise a concern")
    for part in ("day", "month", "year", "time"):  # it starts as now: empty it too
        await page.locator(f"#f-identified_at-{part}").fill("")
    await page.get_by_role("button", name="Continue").click()
    summary = page.locator(".nhsuk-error-summary")
    await expect(summary).to_be_focused()
    for href, words in MISSING.items():
        await expect(summary.locator(f"a[href='{href}']")).to_contain_text(re.compile(words, re.I))
    assert await page.locator(".nhsuk-error-summary a").count() == len(MISSING)
    await check_page(page, "raise a concern (errors)")

    await page.get_by_label("What is the id of the adult at risk?").fill("A-117")
    await page.get_by_label("What is their id?").fill("A-204")
    await page.get_by_label("What happened?").fill("A-204 blocked A-117 from the lounge")
    # first a summer day, long ago (so asked why only now): 14:30 read as British Summer Time, 13:30 UTC
    summer = datetime(when.year if when.month > 8 else when.year - 1, 7, 1, 13, 30, tzinfo=timezone.utc)
    await identified(page, summer)
    await page.get_by_text("It was identified more than 30 days ago", exact=True).click()
    await page.get_by_label("Why is this concern only being raised now?").fill("found at an audit")
    await page.get_by_role("button", name="Continue").click()
    await expect(identified_row(page)).to_have_text(re.compile(rf"\b1 Jul {summer.year}, 14:30 BST\s*$"))
    await page.get_by_role("button", name="Change your answers").click()
    await identified(page, when)  # and now as it was: today, two minutes ago
    await page.get_by_label("Why is this concern only being raised now?").fill("")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", name="Check your answers before raising the concern")).to_be_visible()
    await expect(identified_row(page)).to_have_text(london(when))
    await check_page(page, "check your answers")
    await page.get_by_role("button", name="Raise the concern").click()
    await page.wait_for_url(re.compile(r"/cases/SG-[^/]+$"))
    return page.url.rsplit("/", 1)[1]


async def test_a_concern_is_walked_to_closure_every_step_on_its_own_page(site, person):
    site.user("SSW-1", Assignment("senior_support_worker", ELM), name="Sam Support")
    site.user("TL-3", Assignment("team_leader", ELM), name="Tia Leader")
    site.user("DSL-2", Assignment("designated_safeguarding_lead", ELM), name="Dee Lead")
    site.user("QSL-1", Assignment("quality_safeguarding_lead"), name="Quinn Quality")
    site.user("RM-1", Assignment("registered_manager", ELM), name="Rae Manager")

    ssw = await person("SSW-1", width=375)  # a shared tablet
    await check_page(ssw, "my work (empty)")
    # two minutes ago, to the minute: the deadlines count from it, so the walk starts inside them
    when = (datetime.now(timezone.utc) - timedelta(minutes=2)).replace(second=0, microsecond=0)
    case_id = await raise_with_dates(ssw, site.base, when)
    raised = next(f.fact for f in site.case_facts(case_id) if isinstance(f.fact, ConcernRaised))
    assert raised.concern.identified_at == when  # the UK wall-clock time read in UK time
    await expect(ssw.get_by_role("status")).to_contain_text(f"Concern raised as case {case_id}")
    await expect(ssw.locator("main form button", has_text=re.compile("^Complete this step"))).to_have_count(0)
    await check_page(ssw, "case page (raised)")
    await on_its_own_page(ssw, case_id, "record_concern", "step page (record the concern)")
    await expect(ssw.locator(".countdown").first).to_contain_text(re.compile(r"\b(1[0-5]|[0-9]) min \d+ s left"))
    await answer(ssw, "record_concern", {"What behaviour was seen?": "blocked the lounge door", "Who started the interaction?": "A-204",
                                          "How did the adult at risk seem straight afterwards?": "tearful"})
    await expect(ssw.get_by_role("status")).to_contain_text("Done: record the initial peer-to-peer concern, recorded")
    await check_page(ssw, "case page (a step done)")

    tl = await person("TL-3", width=1280)
    await expect(tl.locator(f"li[data-case='{case_id}'][data-step='peer_risk_review']")).to_be_visible()
    await check_page(tl, "my work")
    await tl.locator(f"li[data-case='{case_id}'][data-step='peer_risk_review'] a").first.click()
    await on_its_own_page(tl, case_id, "peer_risk_review", "step page (peer-risk review)")
    await answer(tl, "peer_risk_review", {"Does the alleged source still have access to the adult at risk?": False,
                                          "Has the behaviour been repeated, or was the adult targeted?": True,
                                          "Has any other adult been affected?": False, "Is the alleged source also an adult at risk?": False})
    await expect(tl.get_by_role("status")).to_contain_text("Done: immediate peer-risk review, recorded")

    dsl = await person("DSL-2", width=1280)
    await dsl.goto(f"{site.base}/cases/{case_id}")
    await on_its_own_page(dsl, case_id, "route_decision", "step page (route decision)")
    await answer(dsl, "route_decision", {"What type of abuse is it?": "psychological", "Are there any other types of risk?": ["Physical", "Sexual exploitation"],
                                         "Where was the risk?": "care_home_residential",
                                         "Who did the risk come from?": "other_known_to_individual", "Was the adult at risk humiliated?": False,
                                         "Was the adult at risk coerced or controlled?": False, "Was the adult at risk exploited?": False,
                                         "Does the concern meet the threshold for a safeguarding referral?": False})
    await expect(dsl.get_by_role("status")).to_contain_text("Done: safeguarding route decision, recorded")
    route = next(f.fact for f in site.case_facts(case_id) if isinstance(f.fact, StepCompleted) and f.fact.step == "route_decision")
    assert route.record["further_types_of_risk"] == ["physical", "sexual_exploitation"]  # both ticked boxes
    await dsl.goto(f"{site.base}/")  # a step without a deadline is on My work too
    await dsl.locator(f"li[data-case='{case_id}'][data-step='conclude_case'] a").first.click()
    await on_its_own_page(dsl, case_id, "conclude_case", "step page (conclude the case)")
    await answer(dsl, "conclude_case", {"Why is the case being concluded?": "enquiry concluded, no further risk"})
    await expect(dsl.get_by_role("status")).to_contain_text("recorded")

    qsl = await person("QSL-1", width=1280)
    await qsl.goto(f"{site.base}/cases/{case_id}")
    await on_its_own_page(qsl, case_id, "closure_learning_review", "step page (closure and learning review)")
    await answer(qsl, "closure_learning_review", {"Was the concern found to be true?": "unsubstantiated",
                                                  "What percentage of the planned actions were completed?": "100",
                                                  "What has been learned?": "seat changes noted",
                                                  "What was the risk when the case closed?": "reduced"})
    await expect(qsl.get_by_role("status")).to_contain_text("recorded")
    await expect(qsl.locator("#case-summary")).to_contain_text("Closed")
    await check_page(qsl, "case page (closed)")
    await qsl.get_by_role("link", name="Read the chronology").click()
    await expect(qsl.locator("#chronology")).to_contain_text("Case closed by")
    await check_page(qsl, "chronology")
    await qsl.emulate_media(media="print")  # what a manager prints for a strategy meeting
    await expect(qsl.locator("header.nhsuk-header")).to_be_hidden()
    await qsl.screenshot(path=str(ARTEFACTS / "case-page-printed.png"), full_page=True)

    done = {f.fact.step: (f.fact.actor, f.fact.role) for f in site.case_facts(case_id) if isinstance(f.fact, StepCompleted)}
    assert done == {"record_concern": ("SSW-1", "senior_support_worker"), "peer_risk_review": ("TL-3", "team_leader"),
                    "route_decision": ("DSL-2", "designated_safeguarding_lead"), "conclude_case": ("DSL-2", "designated_safeguarding_lead"),
                    "closure_learning_review": ("QSL-1", "quality_safeguarding_lead")}
    assert any(isinstance(f.fact, CaseClosed) for f in site.case_facts(case_id))

    # the closed case found again: on the Cases page, and by the adult's id, the search in the access log
    rm = await person("RM-1", width=1280)
    await rm.get_by_role("link", name="Cases", exact=True).click()
    await expect(rm.locator(f"tr[data-case='{case_id}']")).to_be_visible()
    await check_page(rm, "cases")
    await rm.get_by_label("Search").fill("A-117")
    await rm.get_by_role("button", name="Find cases").click()
    await expect(rm.locator("tr[data-case]")).to_have_count(1)
    await expect(rm.locator(f"tr[data-case='{case_id}']")).to_be_visible()
    await check_page(rm, "cases (search by adult id)")
    searched = [a for a in site.accounts.access_log(user_id="RM-1") if "search A-117" in (a.target or "")]
    assert [(a.action, a.allowed) for a in searched] == [("read", True)], searched
    await rm.locator(f"tr[data-case='{case_id}'] a").first.click()
    await expect(rm.locator("#case-summary")).to_contain_text("Closed")

    # an inspector with a grant for this case reaches it from home by the Cases page
    until = datetime.now(timezone.utc) + timedelta(days=30)
    site.user("INS-1", Assignment("inspector", cases=(case_id,), until=until), name="Ira Inspector")
    inspector = await person("INS-1", width=1280)
    await check_page(inspector, "home (inspector)")
    await inspector.get_by_role("link", name="See the cases you can read").click()
    await expect(inspector.locator("tr[data-case]")).to_have_count(1)
    await check_page(inspector, "cases (inspector)")
    await inspector.get_by_role("link", name=case_id, exact=True).click()
    await inspector.wait_for_url(f"{site.base}/cases/{case_id}")
    await expect(inspector.locator("#case-summary")).to_contain_text("Closed")
    await check_page(inspector, "case page (inspector)")
