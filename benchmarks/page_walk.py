"""Measure the pages (issue 21): one concern walked from raising to closure by four people in a real
browser at 1280 px, and for each step the clicks made, the answers typed and the questions its form
shows; the height in px of My work, the raise form, the case page (as the walk goes, and for a
second case with ten steps done), a step's page and the chronology.
Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.page_walk
    # the same walk on the pages before issue 21 (commit ad2eae8: every step's form on the case page)
    git worktree add /tmp/before ad2eae8 && cp benchmarks/page_walk.py /tmp/before/benchmarks/
    cd /tmp/before && /work/main/.venv/bin/python -m benchmarks.page_walk

The app is served by uvicorn over the time-skipping Temporal server with a real worker and a SQLite
store (tests/browser_support.py), Debian's chromium driven by Playwright (SAFEGUARD_TEST_CHROMIUM).
Which pages there are is read from the code it runs: with web/pages/case_step.py each step has its
own page, reached from the case's task list; without it the step's form is on the case page.

Counted as clicks: each link or button pressed and each choice made (a radio, a box, a list's
option). Typing an answer is counted apart. A form's questions are its visible answers, by name (a
date's day, month, year and time are one question); a question revealed by an answer is counted
once shown. Each step starts on the case page (not counted: the person arrives from My work or a link).
"""

from __future__ import annotations

import asyncio
import logging
import importlib.util
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import async_playwright

from bootstrap import build_worker, open_records
from configuration.logging import configure_logging
from configuration.settings import Settings
from domain.access import Assignment
from encryption.seal import sealing_key
from simulation.runner import start_test_environment
from domain.concern import StepCompletion
from tests.browser_support import CHROMIUM_ARGS, chromium_path, serve, sign_in
from tests.cases import RECORDS, ROLES
from workflows.concern import SafeguardingConcernWorkflow

ELM = "SVC-ELM"
SERVICES = {ELM: {"name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"}}
STEP_PAGES = importlib.util.find_spec("web.pages.case_step") is not None  # issue 21: one step, one page
PEOPLE = {"SSW-1": "senior_support_worker", "TL-3": "team_leader", "DSL-2": "designated_safeguarding_lead",
          "QSL-1": "quality_safeguarding_lead"}
# each step, who does it and the answers, by the question's words then (before) and now
WALK = [
    ("record_concern", "SSW-1",
     {"Behaviour observed": "blocked the lounge door", "Initiated by": "A-204", "Presentation": "tearful"},
     {"What behaviour was seen?": "blocked the lounge door", "Who started the interaction?": "A-204",
      "How did the adult at risk seem straight afterwards?": "tearful"}),
    ("peer_risk_review", "TL-3",
     {"Source still has access": False, "Repeated or targeted": True, "Other adult affected": False,
      "Source also adult at risk": False},
     {"Does the alleged source still have access to the adult at risk?": False,
      "Has the behaviour been repeated, or was the adult targeted?": True,
      "Has any other adult been affected?": False, "Is the alleged source also an adult at risk?": False}),
    ("route_decision", "DSL-2",
     {"Abuse category": "psychological", "Further types of risk": ["Physical"], "Location of risk": "care_home_residential",
      "Source of risk": "other_known_to_individual", "Humiliation": False, "Coercion": False, "Exploitation": False,
      "External threshold met": False},
     {"What type of abuse is it?": "psychological", "Are there any other types of risk?": ["Physical"],
      "Where was the risk?": "care_home_residential", "Who did the risk come from?": "other_known_to_individual",
      "Was the adult at risk humiliated?": False, "Was the adult at risk coerced or controlled?": False,
      "Was the adult at risk exploited?": False, "Does the concern meet the threshold for a safeguarding referral?": False}),
    ("conclude_case", "DSL-2", {"Reason": "enquiry concluded, no further risk"},
     {"Why is the case being concluded?": "enquiry concluded, no further risk"}),
    ("closure_learning_review", "QSL-1",
     {"Substantiation outcome": "unsubstantiated", "Action completion rate": "100", "Lessons": "seat changes noted",
      "Risk outcome": "reduced"},
     {"Was the concern found to be true?": "unsubstantiated", "What percentage of the planned actions were completed?": "100",
      "What has been learned?": "seat changes noted", "What was the risk when the case closed?": "reduced"}),
]

# the visible answers of a form, by name, a date's parts as one
QUESTIONS = """(form) => new Set([...form.querySelectorAll('input, select, textarea')]
  .filter(e => !['hidden', 'submit', 'button'].includes(e.type) && e.name && e.getClientRects().length)
  .map(e => e.name.replace(/-(day|month|year|time)$/, ''))).size"""
# the page's own height (not the window's, for a page shorter than it): the bottom of what the body holds
HEIGHT = "Math.ceil(Math.max(...[...document.body.children].map(e => e.getBoundingClientRect().bottom)) + window.scrollY)"


@dataclass
class Step:
    name: str
    clicks: int = 0
    typed: int = 0
    questions: int = 0
    seconds: float = 0.0


@dataclass
class Figures:
    steps: list[Step] = field(default_factory=list)
    heights: dict[str, int | str] = field(default_factory=dict)


async def answer(container, fields: dict, tally: Step) -> None:
    """Each answer by its question: yes/no and boxes in the question's group, a few choices as radios,
    a list's option, or typed."""
    for label, value in fields.items():
        group = container.get_by_role("group", name=re.compile("^" + re.escape(label)))
        if value is True or value is False:
            await group.get_by_label("Yes" if value else "No", exact=True).check()
            tally.clicks += 1
        elif isinstance(value, list):
            for box in value:
                await group.get_by_label(box, exact=True).check()
                tally.clicks += 1
        elif await group.count() and await group.locator(f"input[value='{value}']").count():
            await group.locator(f"input[value='{value}']").check()
            tally.clicks += 1
        elif await container.get_by_label(label, exact=False).first.evaluate("e => e.tagName") == "SELECT":
            await container.get_by_label(label, exact=False).first.select_option(value)
            tally.clicks += 1
        else:
            await container.get_by_label(label, exact=False).first.fill(value)
            tally.typed += 1


async def raise_concern(page, base: str, figures: Figures, adult: str = "A-117") -> str:
    tally = Step("raise the concern", clicks=1)  # the menu's "Raise a concern"
    t0 = time.perf_counter()
    await page.goto(f"{base}/concerns/new")
    figures.heights["raise form"] = await page.evaluate(HEIGHT)
    form = page.locator("main form").first
    tally.questions = await form.evaluate(QUESTIONS)
    if STEP_PAGES:
        await answer(page, {"What is the id of the adult at risk?": adult, "What is their id?": "A-204",
                            "What happened?": f"A-204 blocked {adult} from the lounge"}, tally)
        await page.get_by_role("button", name="Continue").click()
        await page.get_by_role("button", name="Raise the concern").click()  # on the check-your-answers page
        tally.clicks += 2
    else:
        await answer(page, {"Adult at risk (id)": adult, "Their service user id, if they use the service": "A-204",
                            "What happened": f"A-204 blocked {adult} from the lounge"}, tally)
        await page.get_by_role("button", name="Raise the concern").click()
        tally.clicks += 1
    await page.wait_for_url(re.compile(r"/cases/SG-[^/#?]+$"))
    tally.seconds = time.perf_counter() - t0
    figures.steps.append(tally)
    return page.url.rsplit("/", 1)[1]


async def opened(page, base: str, case_id: str, step_id: str):
    """The case page once the step has opened on it (a step opens a moment after the one before)."""
    where = f".nhsuk-task-list a[href*='/steps/{step_id}/']" if STEP_PAGES else f"article[id^='step-{step_id}-'] form"
    deadline = time.monotonic() + 60
    while True:
        await page.goto(f"{base}/cases/{case_id}")
        if await page.locator(where).count() or time.monotonic() > deadline:
            return page.locator(where).first
        await asyncio.sleep(0.2)


async def do_step(page, base: str, case_id: str, step_id: str, fields: dict, figures: Figures) -> None:
    tally = Step(step_id)
    t0 = time.perf_counter()
    found = await opened(page, base, case_id, step_id)
    figures.heights[f"case page before {step_id}"] = await page.evaluate(HEIGHT)
    if STEP_PAGES:
        await found.click()
        tally.clicks += 1
        await page.wait_for_url(re.compile(f"/steps/{step_id}/"))
        figures.heights[f"step page: {step_id}"] = await page.evaluate(HEIGHT)
        form = page.locator("main form", has=page.get_by_role("button", name=re.compile("^Complete this step"))).first
    else:
        form = found
    tally.questions = await form.evaluate(QUESTIONS)
    await answer(form, fields, tally)
    tally.questions = max(tally.questions, await form.evaluate(QUESTIONS))  # with what the answers revealed
    await form.get_by_role("button", name=re.compile("^Complete this step")).click()
    tally.clicks += 1
    await page.wait_for_url(re.compile(f"/cases/{case_id}(\\?|#|$)"))
    tally.seconds = time.perf_counter() - t0
    figures.steps.append(tally)


async def walk(browser, site) -> Figures:
    figures = Figures()
    pages = {}
    for user, role in PEOPLE.items():
        site.user(user, Assignment(role, None if role == "quality_safeguarding_lead" else ELM))
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                            timezone_id="Europe/London")
        pages[user] = await context.new_page()
        await sign_in(pages[user], site.base, user)
    figures.heights["My work (senior support worker, nothing waiting)"] = await pages["SSW-1"].evaluate(HEIGHT)
    case_id = await raise_concern(pages["SSW-1"], site.base, figures)
    figures.heights["case page (raised)"] = await pages["SSW-1"].evaluate(HEIGHT)
    for step_id, user, before, now in WALK:
        if step_id == "peer_risk_review":
            await pages[user].goto(f"{site.base}/")
            figures.heights["My work (team leader, one step waiting)"] = await pages[user].evaluate(HEIGHT)
        await do_step(pages[user], site.base, case_id, step_id, now if STEP_PAGES else before, figures)
    qsl = pages["QSL-1"]
    await qsl.goto(f"{site.base}/cases/{case_id}")
    figures.heights["case page (closed)"] = await qsl.evaluate(HEIGHT)
    if STEP_PAGES:
        await qsl.goto(f"{site.base}/cases/{case_id}/chronology")
        figures.heights["chronology (closed)"] = await qsl.evaluate(HEIGHT)
    else:
        figures.heights["chronology (closed)"] = "on the case page"
    await ten_steps_done(pages["SSW-1"], site, figures)
    return figures


async def ten_steps_done(page, site, figures: Figures) -> None:
    """A second concern with ten of its steps completed through the workflow, each as the pathway
    opens it (those whose record holds no instant), as tests/test_case_page_browser.py does."""
    case_id = await raise_concern(page, site.base, Figures(), adult="A-118")  # another adult: another case
    handle = site.client.get_workflow_handle(case_id)
    for _ in range(10):
        status = await handle.query(SafeguardingConcernWorkflow.status)
        s = next(s for s in status.open_steps if not any(k.endswith("_at") for k in RECORDS[s.step]))
        await handle.execute_update(SafeguardingConcernWorkflow.complete_step, StepCompletion(
            step=s.step, occurrence=s.occurrence, role=ROLES[s.step], actor="STAFF-1", record=RECORDS[s.step]))
    await page.goto(f"{site.base}/cases/{case_id}")
    figures.heights["case page (10 steps done)"] = await page.evaluate(HEIGHT)
    if STEP_PAGES:
        await page.goto(f"{site.base}/cases/{case_id}/chronology")
        figures.heights["chronology (10 steps done)"] = await page.evaluate(HEIGHT)


def report(figures: Figures) -> None:
    print(f"layout: {'a page per step (issue 21)' if STEP_PAGES else 'every step on the case page (before issue 21)'}")
    print(f"{'step':<26}{'clicks':>7}{'typed':>7}{'questions':>11}{'seconds':>9}")
    for s in figures.steps:
        print(f"{s.name:<26}{s.clicks:>7}{s.typed:>7}{s.questions:>11}{s.seconds:>9.1f}")
    total = Step("whole walk", sum(s.clicks for s in figures.steps), sum(s.typed for s in figures.steps),
                 sum(s.questions for s in figures.steps), sum(s.seconds for s in figures.steps))
    print(f"{total.name:<26}{total.clicks:>7}{total.typed:>7}{total.questions:>11}{total.seconds:>9.1f}")
    print("page heights at 1280 px:")
    for name, px in figures.heights.items():
        print(f"  {name}: {px if isinstance(px, str) else f'{px:,} px'}")


async def main() -> None:
    configure_logging(level=logging.WARNING)
    tmp = tempfile.TemporaryDirectory(prefix="safeguard-bench-walk-")
    settings = Settings(data_dir=Path(tmp.name), task_queue="bench-walk")
    settings.services = SERVICES
    records = open_records(settings)
    env = await start_test_environment(records.keys, sealing_key(settings))
    try:
        async with build_worker(env.client, records, settings), serve(settings, records, env.client) as site, \
                async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                site.client = env.client
                report(await walk(browser, site))
            finally:
                await browser.close()
    finally:
        await env.shutdown()
        tmp.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
