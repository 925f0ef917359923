"""The browser walk of issue 22. The first administrator, made as the README says (`safeguard users
add` and `users grant ... administrator`), adds a registered manager under Administration and sends
them a link to set a password; the link is caught by the test's SMTP server and opened signed out,
a password too easy to guess is refused in plain words, one is set, and they sign in. They complete
the seriousness assessment (which files the threshold decision); another registered manager at the
service corrects its record with a reason, which sends the threshold decision to its maker for
review; the maker records a new level. The chronology shows the original entry and its correction,
each linking to the other, and "as at" before the correction the original alone; the commissioner
records (page and API) and the national return (API: it has no page) count the level as it now is,
and "as at" before the correction as it was.
Every page visited passes check_page (axe-core at 1280 and 375 px, no engine words).

Why a registered manager and the threshold level: the commissioner records and the national return
read only coded answers and instants of a record (projections/commissioner.py, national.py), which
an addendum may not correct, save the national return's instants, which the commissioner records do
not read. What both read anew from a correction on is a decision changed on review: the threshold
level (both) or the closure outcome (the commissioner records only). The level rests on the
registered manager's seriousness assessment. The raise and the concern's record, which are not the
point here, are done through the application layer."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from playwright.async_api import expect
from typer.testing import CliRunner

from bootstrap import build_worker
from casework.cases import CompleteStep, RaiseConcern, complete_step, raise_concern
from configuration.settings import get_settings
from domain.access import Assignment
from domain.facts import DecisionReviewed, StepAmended, StepCompleted, ThresholdDecisionFiled
from tests.api_support import concern_body
from tests.browser_support import check_page, free_port, serve, set_password_from_link, sign_in
from tests.cases import RECORDS
from tests.servers.mail import MailServer
from tests.test_browser import ELM, SERVICES, answer, browser, open_step, person  # noqa: F401  (fixtures)
from tests.test_pages import settled

LONDON = ZoneInfo("Europe/London")
NEW_PASSWORD = "the heron waits by the weir"
NOTE = "A-117 told TL-3 the next day that she keeps away from A-204 at lunch too"
REASON = "what A-117 told TL-3 was left out of the assessment"


@pytest.fixture(autouse=True)
def patient():
    """On a loaded machine a step recorded through Temporal can take a while: every expect() here waits
    up to 30 s (a bound for what never happens, not a speed target), then the default again."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


@pytest_asyncio.fixture(loop_scope="session")
async def site(env, settings, records):
    """tests/test_browser.py's site, its email going to the test's SMTP server (the reset link's
    way), and its public address the one the link is built from."""
    with MailServer() as mail:
        settings.services = SERVICES
        settings.smtp_host, settings.smtp_port, settings.smtp_from = "127.0.0.1", mail.port, "alerts@sg.example"
        async with build_worker(env.client, records, settings):
            port = free_port()
            settings.public_url = f"http://127.0.0.1:{port}"
            async with serve(settings, records, env.client, port=port) as s:
                s.mail = mail
                yield s


@pytest_asyncio.fixture(loop_scope="session")
async def fresh(browser):  # noqa: F811
    """A page in a browser context of its own, signed in to nothing; every one closed at the end."""
    contexts = []

    async def new_page():
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                            timezone_id="Europe/London")
        contexts.append(context)
        return await context.new_page()

    yield new_page
    for c in contexts:
        await c.close()


def first_administrator(settings, monkeypatch) -> str:
    """Made at set-up as the README says, with the CLI on the same store: its password shown once."""
    from cli.main import app

    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "ADM-1", "--name", "Ada Admin", "--json"])
    assert added.exit_code == 0, added.output
    granted = runner.invoke(app, ["users", "grant", "ADM-1", "administrator"])
    assert granted.exit_code == 0, granted.output
    return json.loads(added.stdout)["generated_password"]


def threshold_levels(records: list[dict], service: str = ELM) -> dict[str, int]:
    figures = next(r for r in records if r["service_id"] == service)["figures"]
    return {k: figures[k] for k in ("consultation_decisions", "reportable_decisions")}


async def commissioner_api(page, site, as_at: datetime | None = None) -> list[dict]:
    """GET /api/v1/commissioner/records with the page's session (as it stood at `as_at`)."""
    r = await page.request.get(f"{site.base}/api/v1/commissioner/records",
                               params={"as_at": as_at.isoformat()} if as_at else None)
    assert r.ok, await r.text()
    return await r.json()


async def national_api(page, site, as_at: datetime | None = None) -> dict[str, int]:
    """The national return's count of this year's concerns by threshold level (the provider's own
    figures), as it stood at `as_at`."""
    now = datetime.now(LONDON)
    r = await page.request.get(f"{site.base}/api/v1/reports/national",
                               params={"year": now.year if now.month >= 4 else now.year - 1,
                                       **({"as_at": as_at.isoformat()} if as_at else {})})
    assert r.ok, await r.text()
    return (await r.json())["provider"]["by_threshold_level"]


async def test_an_administrator_adds_a_manager_whose_record_is_corrected_and_reported_as_corrected(
        site, person, fresh, settings, monkeypatch):  # noqa: F811
    site.user("SSW-1", Assignment("senior_support_worker", ELM), name="Sam Support")
    site.user("RM-1", Assignment("registered_manager", ELM), name="Rae Manager")
    site.user("QSL-1", Assignment("quality_safeguarding_lead"), name="Quinn Quality")
    password = first_administrator(settings, monkeypatch)

    # 1. the administrator adds a registered manager and sends them a link to set a password
    adm = await fresh()
    await sign_in(adm, site.base, "ADM-1", password)
    await adm.locator("header").get_by_role("link", name="Administration").click()
    await expect(adm.get_by_role("heading", level=1)).to_have_text("Administration")
    await check_page(adm, "walk 22: administration")
    await adm.get_by_role("link", name="Users and roles").click()
    await check_page(adm, "walk 22: users and roles")
    await adm.get_by_role("button", name="Add a user").click()
    await adm.get_by_label("User id").fill("RM-7")
    await adm.get_by_label("Name", exact=True).fill("Rory Newman")
    await adm.get_by_label("Email address (optional)").fill("rory@example.org")
    await check_page(adm, "walk 22: add a user")
    await adm.get_by_role("button", name="Add the user").click()
    await expect(adm.get_by_role("heading", level=1)).to_have_text("Rory Newman")
    await adm.get_by_label("Role", exact=True).select_option("registered_manager")
    await adm.get_by_label("Where", exact=True).select_option(ELM)
    await adm.get_by_role("button", name="Give them the role").click()
    await expect(adm.get_by_text("Rory Newman now holds the role registered manager at SVC-ELM.")).to_be_visible()
    await check_page(adm, "walk 22: a new user with a role")
    await adm.get_by_role("button", name="Send a password reset link").click()
    await expect(adm.get_by_text("A link to set a password was sent to RM-7's email address")).to_be_visible()
    await check_page(adm, "walk 22: a link sent")
    assert [m["To"] for m in site.mail.mailbox.messages] == ["rory@example.org"]
    link = re.search(r"http://127\.0\.0\.1:\d+/reset/\S+",
                     site.mail.mailbox.messages[-1].get_payload(decode=True).decode()).group(0)

    # 2. the link opened signed out: a password too easy to guess refused, one set, then signed in with it
    rm7 = await fresh()
    await set_password_from_link(rm7, link, site.base, "RM-7", NEW_PASSWORD, (
        "walk 22: set your password", "walk 22: a password refused", "walk 22: sign in after setting a password"))

    # 3. a concern raised and recorded (through the application layer); the new manager assesses it
    case_id = await raised_and_recorded(site)
    await rm7.reload()  # My work, as it is now
    await check_page(rm7, "walk 22: my work, a new manager")
    assessment = rm7.locator(f"li[data-case='{case_id}'][data-step='seriousness_assessment'] a").first
    await expect(assessment).to_be_visible()
    await assessment.click()
    await rm7.wait_for_url(re.compile("/steps/seriousness_assessment/1$"))
    await check_page(rm7, "walk 22: the seriousness assessment")
    await answer(rm7, "seriousness_assessment", {
        "How many similar incidents have there been?": "0", "Is there an imbalance of power between the adults?": "some",
        "Does the adult at risk show fear of the other person, or avoid them?": False,
        "How much has the adult been affected?": "some"})
    await expect(rm7.get_by_role("status")).to_contain_text("Done: same-day seriousness assessment")
    assessed = next(r for r in site.case_facts(case_id)
                    if isinstance(r.fact, StepCompleted) and r.fact.step == "seriousness_assessment")
    assert (assessed.fact.actor, assessed.fact.role) == ("RM-7", "registered_manager")
    filed = next(r.fact for r in site.case_facts(case_id) if isinstance(r.fact, ThresholdDecisionFiled))
    assert filed.decision.level == "consultation"
    qsl = await person("QSL-1")
    assert threshold_levels(await commissioner_api(qsl, site)) == {"consultation_decisions": 1, "reportable_decisions": 0}
    assert await national_api(qsl, site) == {"non_reportable": 0, "consultation": 1, "reportable": 0}

    # 4. another registered manager at the service corrects the record, with a reason (a reason left out first)
    rm1 = await person("RM-1")
    await rm1.goto(f"{site.base}/cases/{case_id}")
    await open_step(rm1, "seriousness_assessment")
    await rm1.get_by_role("link", name="Correct this record").click()
    await expect(rm1.get_by_role("heading", level=1)).to_have_text(re.compile("^Correct the record: "))
    # the threshold category chose the tool's questions: the level rests on it, so it is not offered for correction
    await expect(rm1.get_by_label("What kind of harm is it?", exact=False)).to_have_count(0)
    await check_page(rm1, "walk 22: correct a record")
    await rm1.get_by_label("Is there anything else to add?").fill(NOTE)
    await rm1.get_by_role("button", name="Record the correction").click()
    await expect(rm1.locator(".nhsuk-error-summary")).to_contain_text("Enter the reason for the correction")
    await check_page(rm1, "walk 22: correct a record, no reason")
    await rm1.get_by_label("Why are you correcting this record?").fill(REASON)
    await rm1.get_by_role("button", name="Record the correction").click()
    await rm1.wait_for_url(f"{site.base}/cases/{case_id}/steps/seriousness_assessment/1")
    await expect(rm1.locator(".nhsuk-notification-banner--success")).to_contain_text("Correction recorded")
    await expect(rm1.locator("#amendment-1")).to_contain_text(REASON)
    await expect(rm1.locator("main")).to_contain_text("Impact on the adult: Some harm or distress, or a risk of harm")
    await check_page(rm1, "walk 22: a corrected record")

    # ... which sends the threshold level to its maker for review: they record the new level
    await rm7.goto(f"{site.base}/")
    review = rm7.locator(f"li[data-case='{case_id}'][data-step='decision_review'] a").first
    await expect(review).to_be_visible()
    await check_page(rm7, "walk 22: my work, a review")
    await review.click()
    await expect(rm7.get_by_role("heading", level=1)).to_have_text("Review the threshold decision after a correction")
    await rm7.get_by_label("No, it has changed: record the new decision").check()
    await expect(rm7.get_by_text("What is the threshold level now?")).to_be_visible()
    await check_page(rm7, "walk 22: review the threshold decision")
    await rm7.locator("[name=new_threshold_level][value=reportable]").check()
    await rm7.get_by_label("Why does the decision stand, or why has it changed?").fill(
        "A-117 avoids A-204: with fear or avoidance the tool says reportable")
    await rm7.get_by_role("button", name=re.compile("^Complete this step")).click()
    await expect(rm7.get_by_role("status")).to_contain_text("recorded")
    await expect(rm7.locator("#case-summary")).to_contain_text(re.compile(r"Seriousness level\s*Reportable"))  # as reviewed
    await check_page(rm7, "walk 22: the review done")

    # 5. the store holds the original, the correction and the review
    facts = site.case_facts(case_id)
    [amended] = [r for r in facts if isinstance(r.fact, StepAmended)]
    [reviewed] = [r for r in facts if isinstance(r.fact, DecisionReviewed)]
    a, v = amended.fact, reviewed.fact
    assert (a.step, a.occurrence, a.actor, a.role, a.reason, a.decisions) == (
        "seriousness_assessment", 1, "RM-1", "registered_manager", REASON, ("threshold_level",))
    assert [(c.field, c.old, c.new) for c in a.changes] == [("notes", None, NOTE)]
    assert (v.actor, v.outcome, [(c.field, c.old, c.new) for c in v.changes]) == (
        "RM-7", "changed", [("threshold_level", "consultation", "reportable")])
    assert assessed.fact.record.get("notes") in (None, "")  # the original record is kept as it was made

    # the chronology: the original entry and its correction, each naming the other with a link to it
    await rm1.goto(f"{site.base}/cases/{case_id}")
    await rm1.get_by_role("link", name="Read the chronology").click()
    original, correction = rm1.locator(f"#entry-{assessed.seq}"), rm1.locator(f"#entry-{amended.seq}")
    await expect(original).to_contain_text("Same-day seriousness assessment (threshold matrix): done by RM-7 (registered manager)")
    await expect(original).to_contain_text(re.compile(rf"Corrected later\s*amendment 1 \(entry {amended.seq}\)"))
    await expect(correction).to_contain_text(
        "Same-day seriousness assessment (threshold matrix): record corrected (amendment 1) by RM-1 (registered manager)")
    await expect(correction).to_contain_text(re.compile(rf"Corrects\s*entry {assessed.seq}, the record as first made"))
    await expect(correction).to_contain_text(re.compile(rf"Notes\s*added \({re.escape(NOTE)}\)"))
    await expect(correction).to_contain_text(REASON)
    await expect(correction).to_contain_text(re.compile(r"Decisions made on the original record\s*threshold level"))
    await expect(rm1.locator(f"#entry-{reviewed.seq}")).to_contain_text(
        re.compile(r"Threshold level\s*changed from requires consultation to reportable"))
    decided = rm1.locator("li.chronology__entry", has_text="Seriousness decided: requires consultation")  # as decided then
    await expect(decided).to_contain_text(re.compile(rf"Decision reviewed later\s*after amendment 1 \(entry {reviewed.seq}\)"))
    await correction.get_by_role("link", name=f"entry {assessed.seq}").click()
    await expect(original).to_be_in_viewport()
    await original.get_by_role("link", name=f"entry {amended.seq}").click()
    await expect(correction).to_be_in_viewport()
    await check_page(rm1, "walk 22: the chronology, corrected")
    before = (a.at - timedelta(seconds=1)).astimezone(LONDON)
    assert assessed.at <= before
    await rm1.goto(f"{site.base}/cases/{case_id}/chronology?as_at={before.replace(tzinfo=None).isoformat()}")
    await expect(rm1.get_by_role("heading", level=1)).to_contain_text("Chronology as at")
    await expect(rm1.locator(f"#entry-{assessed.seq}")).to_be_visible()
    await expect(rm1.locator(f"#entry-{amended.seq}")).to_have_count(0)
    await expect(rm1.locator("#chronology")).not_to_contain_text("Corrected later")
    await check_page(rm1, "walk 22: the chronology as at before the correction")

    # the commissioner records and the national return count the level as it is now; as at before, as it was
    await qsl.goto(f"{site.base}/commissioner")
    row = qsl.locator("#commissioner-records tr", has_text=ELM)
    await row.get_by_text("Figures").click()
    for figure, n in (("Consultation decisions", "0"), ("Reportable decisions", "1")):
        await expect(row.locator("dt", has_text=re.compile(f"^{figure}$")).locator("xpath=following-sibling::dd[1]")).to_have_text(n)
    await check_page(qsl, "walk 22: commissioner records")
    assert threshold_levels(await commissioner_api(qsl, site)) == {"consultation_decisions": 0, "reportable_decisions": 1}
    assert threshold_levels(await commissioner_api(qsl, site, before)) == {"consultation_decisions": 1, "reportable_decisions": 0}
    assert await national_api(qsl, site) == {"non_reportable": 0, "consultation": 0, "reportable": 1}
    assert await national_api(qsl, site, before) == {"non_reportable": 0, "consultation": 1, "reportable": 0}

    # the access log holds the administrator's changes and the reads: the case's pages, the chronology, the reports
    log = [(x.user_id, x.action, x.what) for x in site.accounts.access_log() if x.allowed]
    admin = [(x.action, x.what) for x in site.accounts.access_log(user_id="RM-7") if x.user_id == "ADM-1" and x.action != "read"]
    assert admin == [("user_added", "POST /admin/users"), ("grant", "POST /admin/users/{user_id}/roles"),
                     ("reset_link_issued", "POST /admin/users/{user_id}/reset-link")]
    assert ("RM-7", "password_set", "POST /reset/{token}") in log
    on_the_case = [(x.user_id, x.action, x.what) for x in site.accounts.access_log(case_id=case_id) if x.allowed]
    step = "/cases/{case_id}/steps/{step}/{occurrence}"
    assert on_the_case.count(("RM-7", "read", f"GET {step}")) == 2 and on_the_case.count(("RM-7", "write", f"POST {step}")) == 2
    assert ("RM-1", "read", f"GET {step}/amend") in on_the_case and on_the_case.count(("RM-1", "write", f"POST {step}/amend")) == 1
    assert on_the_case.count(("RM-1", "read", "GET /cases/{case_id}/chronology")) == 2  # now, and as at before
    assert ("QSL-1", "read", "GET /commissioner") in log and ("QSL-1", "read", "GET /api/v1/commissioner/records") in log
    assert log.count(("QSL-1", "export", "GET /api/v1/reports/national")) == 3


async def raised_and_recorded(site) -> str:
    """A concern raised at Elm House by a senior support worker, who records it: through casework."""
    ports = site.app.state.web.ports
    ssw = site.accounts.account("SSW-1").principal("web", session_id="s-ssw")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    body = {k: v for k, v in concern_body().items() if k != "case_id"}
    case_id = (await raise_concern(ports, ssw, RaiseConcern(body, key="walk-22"), now)).value.case_id
    await settled(site.records, case_id)
    await complete_step(ports, ssw, CompleteStep(case_id, "record_concern", RECORDS["record_concern"]), now)
    return case_id
