"""The pages without a browser: pure helpers (plain-English times, forms from policy data, the
seed sentences quoted), and page behaviour over httpx against the real app on the time-skipping
server with a worker and a SQLite store (the browser tests in tests/test_browser.py cover the rest)."""

from __future__ import annotations

import asyncio
import html as html_
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from bootstrap import build_worker
from domain.access import Assignment
from domain.deadlines import WorkingCalendar
from domain.facts import DevelopmentRecorded, EscalationAcknowledged, StepCompleted
from domain.pathway import current_pathway
from domain.seed_sentences import LINES, SEED_FILE, SEED_FILES, SENTENCES, seed_quotes
from domain.sources import plain_citations
from eventstore.accounts import Accounts
from tests.browser_support import PASSWORD
from web.app import create_app
from web.pages import CSRF_REFUSED, forms
from web.pages.formats import LONDON, countdown, duration, from_london_input, london, time_left

ELM, OAK = "SVC-ELM", "SVC-OAK"
SERVICES = {ELM: {"name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"}}
UTC = timezone.utc


# ---- pure ---------------------------------------------------------------------------------------


@pytest.mark.unit
def test_durations_and_time_left_in_plain_english():
    now = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    assert time_left(now + timedelta(minutes=14, seconds=5), now) == "14 min 5 s left"
    assert time_left(now - timedelta(minutes=35), now) == "overdue by 35 min"
    assert time_left(now + timedelta(hours=5), now, working_left_s=2 * 3600 + 600) == "2 working hours 10 min left"
    assert duration(3 * 86400 + 3600) == "3 days 1 hour"
    assert duration(3600) == "1 hour"


@pytest.mark.unit
def test_london_times_name_their_zone_and_inputs_read_as_london():
    assert london("2027-01-12T09:40:00+00:00") == "Tue 12 Jan 2027, 09:40 GMT"
    assert london("2027-07-12T09:40:00+00:00") == "Mon 12 Jul 2027, 10:40 BST"
    assert from_london_input("2027-07-12T10:40") == datetime(2027, 7, 12, 9, 40, tzinfo=UTC)


@pytest.mark.unit
def test_a_working_time_countdown_carries_the_working_windows_it_counts():
    calendar = WorkingCalendar()
    now = datetime(2027, 1, 12, 16, 0, tzinfo=UTC)  # a Tuesday, an hour before the working day ends
    due = calendar.add_working_time(now, timedelta(hours=4))  # route_decision: four working hours
    c = countdown("route_decision", due, now, calendar)
    assert c["text"] == "4 working hours left"
    assert sum(b - a for a, b in c["windows"]) == 4 * 3600 * 1000
    assert countdown("record_concern", now + timedelta(minutes=15), now, calendar)["windows"] is None


@pytest.mark.unit
def test_every_step_quotes_its_seed_passages_word_for_word():
    folder = next((d for d in ("/work/shared/seeds", "../shared/seeds") if Path(d, SEED_FILE).exists()), None)
    if folder is None:
        pytest.skip("the seed files are not on this machine")
    lines = {seed: Path(folder, name).read_text().split("\n") for seed, name in SEED_FILES.items()}
    for key, (line, sentence) in SENTENCES.items():
        assert lines["001"][line - 1].split(": ", 1)[1] == sentence, key
    for seed, cited in LINES.items():
        for line, text in cited.items():
            assert lines[seed][line - 1].strip() == text, (seed, line)
    for step in current_pathway().steps:
        if step.seed[:3].isdigit():  # cites a seed (one cites a regulation instead)
            assert seed_quotes(step.seed), step.id


@pytest.mark.unit
def test_a_form_becomes_a_typed_record_and_a_refusal_is_split_by_field():
    step = current_pathway().step("closure_learning_review")
    fields = forms.step_fields(step)
    record = forms.record_from({"substantiation_outcome": "substantiated", "action_completion_rate": "90",
                                "lessons": " x ", "notes": ""}, fields)
    assert record == {"substantiation_outcome": "substantiated", "action_completion_rate": 90, "lessons": "x"}
    peer = forms.step_fields(current_pathway().step("peer_risk_review"))
    assert forms.record_from({"source_still_has_access": "true", "repeated_or_targeted": "false"}, peer) == \
        {"source_still_has_access": True, "repeated_or_targeted": False}
    by_field, rest = forms.errors_by_field(
        "record for route_decision: missing field 'abuse_category' (choice); field 'humiliation' expects true or "
        "false, got \"maybe\" (string); unknown field 'x' (this step records: abuse_category)",
        ["abuse_category", "humiliation"], "record for route_decision: ")
    assert by_field == {"abuse_category": "missing field 'abuse_category' (choice)",
                        "humiliation": "field 'humiliation' expects true or false, got \"maybe\" (string)"}
    assert rest == ["unknown field 'x' (this step records: abuse_category)"]


# ---- pages over httpx -------------------------------------------------------------------------------


class Pages:
    def __init__(self, env, settings, records) -> None:
        settings.services = SERVICES
        self.app = create_app(settings, records=records, client=env.client)
        self.records, self.accounts = records, Accounts(records)
        self.transport = httpx.ASGITransport(app=self.app, client=("10.0.0.9", 50000))

    async def as_user(self, user_id: str, *assignments: Assignment) -> httpx.AsyncClient:
        self.accounts.add_user(user_id, f"User {user_id}", PASSWORD, by="test")
        for a in assignments:
            self.accounts.grant(user_id, a, by="test")
        return await self.sign_in(user_id)

    async def sign_in(self, user_id: str) -> httpx.AsyncClient:
        """A new browser signed in as an existing user."""
        c = httpx.AsyncClient(transport=self.transport, base_url="https://testserver", timeout=30)
        form = (await c.get("/sign-in")).text  # its token is this browser's own (login CSRF)
        token = re.search(r'name="login_csrf" value="([^"]+)"', form).group(1)
        r = await c.post("/sign-in", data={"user_id": user_id, "password": PASSWORD, "next": "/", "login_csrf": token})
        assert r.status_code == 303, r.text
        return c


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def form_key(html: str, action: str) -> str:
    form = html[html.index(f'action="{action}"'):]
    return re.search(r'name="form_key" value="([^"]+)"', form).group(1)


@pytest_asyncio.fixture(loop_scope="session")
async def pages(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Pages(env, settings, records)


def identified_now(html: str) -> dict[str, str]:
    """The raise form's date and time, as it starts (now), as the browser posts its parts."""
    return {f"identified_at-{p}": re.search(rf'name="identified_at-{p}" type="text" inputmode="numeric" value="([^"]*)"', html).group(1)
            for p in ("day", "month", "year", "time")}


async def raise_case(c: httpx.AsyncClient) -> str:
    html = (await c.get("/concerns/new")).text
    now = (await c.get("/concerns/new")).text
    r = await c.post("/concerns", data={"csrf_token": csrf(html), "form_key": form_key(html, "/concerns"),
                                        **identified_now(now), "confirm": "yes",
                                        "service": ELM, "adult_at_risk": "A-117", "alleged_source": "A-204",
                                        "summary": "A-204 blocked A-117 from the lounge"})
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[1]


async def settled(records, case_id: str) -> int:
    """The case's facts once the service's history (attached just after the raise answers) has landed."""
    deadline = time.monotonic() + 120  # a bound for what never happens, not a speed target
    while time.monotonic() < deadline:
        facts = records.stored_facts(case_id)
        if any(type(r.fact).__name__ == "ServiceHistoryAttached" for r in facts):
            return len(facts)
        await asyncio.sleep(0.02)
    raise AssertionError(f"{case_id}: no ServiceHistoryAttached")


async def test_a_development_sent_twice_is_recorded_once_and_says_so(pages):
    c = await pages.as_user("SSW-20", Assignment("senior_support_worker", ELM))
    case_id = await raise_case(c)
    html = (await c.get(f"/cases/{case_id}/developments/new")).text  # its own page, linked from the case's
    assert f'href="/cases/{case_id}/developments/new"' in (await c.get(f"/cases/{case_id}")).text
    data = {"csrf_token": csrf(html), "form_key": form_key(html, f"/cases/{case_id}/developments"),
            "kind": "new_incident", "summary": "A-204 shouted at A-117 at lunch"}
    first, second = await asyncio.gather(c.post(f"/cases/{case_id}/developments", data=data),
                                         c.post(f"/cases/{case_id}/developments", data=data))
    assert first.status_code == second.status_code == 303
    page = (await c.get(f"/cases/{case_id}")).text  # (the two answers race for the session's one message)
    assert "Development 1 recorded." in page or "This development was already recorded (development 1" in page
    again = await c.post(f"/cases/{case_id}/developments", data=data)  # the form sent again later (a second tab)
    assert again.status_code == 303
    assert "This development was already recorded (development 1" in (await c.get(f"/cases/{case_id}")).text
    assert len([r for r in pages.records.stored_facts(case_id) if isinstance(r.fact, DevelopmentRecorded)]) == 1


async def test_a_form_without_the_csrf_token_is_refused_and_records_nothing(pages):
    c = await pages.as_user("SSW-21", Assignment("senior_support_worker", ELM))
    case_id = await raise_case(c)
    before = await settled(pages.records, case_id)
    r = await c.post(f"/cases/{case_id}/developments", data={"kind": "other", "summary": "no token"})
    assert r.status_code == 403 and "This form is out of date, or did not come from Safeguard's pages, so nothing " \
        "was recorded. Go back, reload the page and send it again." in html_.unescape(r.text)
    assert "CSRF" not in r.text and "csrf_token field" not in r.text  # the API's words (X-CSRF-Token), not a page's
    api = await c.post(f"/api/v1/cases/{case_id}/developments", json={"kind": "other", "summary": "no token"})
    assert api.status_code == 403 and api.json()["detail"].startswith(CSRF_REFUSED) and "X-CSRF-Token" in api.json()["detail"]
    assert len(pages.records.stored_facts(case_id)) == before


async def test_an_escalation_to_my_role_is_acknowledged_from_my_work_once(pages):
    ssw = await pages.as_user("SSW-22", Assignment("senior_support_worker", ELM))
    tl = await pages.as_user("TL-22", Assignment("team_leader", ELM))
    dsl = await pages.as_user("DSL-22", Assignment("designated_safeguarding_lead", ELM))
    case_id = await raise_case(ssw)
    html = (await ssw.get(f"/cases/{case_id}")).text
    r = await ssw.post(f"/cases/{case_id}/steps/record_concern/1", data={
        "csrf_token": csrf(html), "behaviour_observed": "blocked the door", "initiated_by": "A-204", "presentation": "calm"})
    assert r.status_code == 303, r.text
    html = (await tl.get(f"/cases/{case_id}")).text
    r = await tl.post(f"/cases/{case_id}/steps/peer_risk_review/1", data={
        "csrf_token": csrf(html), "source_still_has_access": "true", "repeated_or_targeted": "false",
        "other_adult_affected": "false", "source_also_adult_at_risk": "false"})
    assert r.status_code == 303, r.text
    home = (await dsl.get("/")).text
    assert "live risk: the alleged source still has access" in home.lower()
    action = re.search(rf'action="(/cases/{case_id}/escalations/[^"]+/acknowledge)"', home).group(1)
    r = await dsl.post(action, data={"csrf_token": csrf(home), "back": "/"})  # without saying what was done
    assert r.status_code == 303 and "Enter what was done" in (await dsl.get("/")).text
    assert not [f for f in pages.records.stored_facts(case_id) if isinstance(f.fact, EscalationAcknowledged)]
    r = await dsl.post(action, data={"csrf_token": csrf(home), "back": "/", "note": "moved A-204 to the garden room"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    r = await dsl.post(action, data={"csrf_token": csrf(home), "back": "/", "note": "again"})  # the same button again
    assert "was already acknowledged" in (await dsl.get("/")).text
    acks = [f for f in pages.records.stored_facts(case_id) if isinstance(f.fact, EscalationAcknowledged)]
    assert [(a.fact.actor, a.fact.role) for a in acks] == [("DSL-22", "designated_safeguarding_lead")]
    # the case page read was audited, the chronology as at the raise shows only what was then recorded
    first = pages.records.stored_facts(case_id)[0].at.astimezone(timezone.utc)
    then = (await dsl.get(f"/cases/{case_id}/chronology", params={"as_at": (first - timedelta(seconds=1)).astimezone(LONDON).strftime("%Y-%m-%dT%H:%M:%S")})).text
    assert "Chronology as at" in then and "Nothing was recorded by then" in then
    assert "Concern raised by SSW-22 (senior support worker)" in (await dsl.get(f"/cases/{case_id}/chronology", params={"as_at": first.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M:%S")})).text
    assert any(a.action == "read" and a.user_id == "DSL-22" for a in pages.accounts.access_log(case_id=case_id))
    # the evidence pack is a button for those who may export it; care staff are told who may
    assert f'action="/api/v1/cases/{case_id}/evidence-pack"' in then and "Export the evidence pack" in then
    staff = (await ssw.get(f"/cases/{case_id}")).text
    assert "evidence-pack" not in staff and ("Only a designated safeguarding lead, nominated individual, operations director, quality "
                                              "safeguarding lead or registered manager at the service") in staff
    # the Temporal UI, at the case's workflow, is linked for administrators only (issue 22)
    dsl_page = (await dsl.get(f"/cases/{case_id}")).text
    assert "evidence-pack" in dsl_page and not [p for p in (staff, dsl_page, then) if "Temporal" in p or ":8233" in p]
    adm = await pages.as_user("ADM-22", Assignment("designated_safeguarding_lead", ELM), Assignment("administrator"))
    adm_page = (await adm.get(f"/cases/{case_id}")).text
    assert f'<a href="http://127.0.0.1:8233/namespaces/default/workflows/{case_id}">Open this case' in adm_page


async def test_governance_runs_an_audit_now_and_commissioners_read_service_rows(pages):
    ssw = await pages.as_user("SSW-23", Assignment("senior_support_worker", ELM))
    await raise_case(ssw)
    qsl = await pages.as_user("QSL-23", Assignment("quality_safeguarding_lead"))
    html = (await qsl.get("/governance")).text
    assert "No audit has been recorded yet" in html
    r = await qsl.post("/governance/audits", data={"csrf_token": csrf(html), "kind": "weekly"})
    assert r.status_code == 303
    html = (await qsl.get("/governance")).text
    assert "recorded as" in html and "period to" in html
    com = await pages.as_user("COM-1", Assignment("commissioner"))
    rows = (await com.get("/commissioner")).text
    assert f'href="/commissioner/services/{ELM}"' in rows and "A-117" not in rows
    history = await com.get(f"/commissioner/services/{ELM}")
    assert history.status_code == 200 and "Appendix A decision" in history.text
    assert (await ssw.get("/commissioner")).status_code == 403


async def test_the_threshold_tool_answers_level_indicators_and_notifications(pages):
    c = await pages.as_user("RM-24", Assignment("registered_manager", ELM))
    html = (await c.get("/threshold", params={"profile": "sussex", "category": "incidents_between_adults"})).text
    r = await c.post("/threshold", data={"csrf_token": csrf(html), "profile": "sussex",
                                         "category": "incidents_between_adults", "facts.impact": "significant",
                                         "facts.intentional_harm": "true"})
    assert r.status_code == 200
    assert "Matched indicators" in r.text and "Required notifications" in r.text and "Why" in r.text


async def test_the_seriousness_assessment_asks_the_threshold_tool_and_files_its_decision(pages):
    ssw = await pages.as_user("SSW-25", Assignment("senior_support_worker", ELM))
    rm = await pages.as_user("RM-25", Assignment("registered_manager", ELM))
    case_id = await raise_case(ssw)
    html = (await ssw.get(f"/cases/{case_id}/steps/record_concern/1")).text
    assert "within fifteen minutes of identification" in html  # the seed sentence, quoted as the step's help
    await ssw.post(f"/cases/{case_id}/steps/record_concern/1", data={
        "csrf_token": csrf(html), "behaviour_observed": "blocked the door", "initiated_by": "A-204", "presentation": "calm"})
    html = (await rm.get(f"/cases/{case_id}/steps/seriousness_assessment/1")).text
    assert 'id="threshold-tool"' in html and 'name="facts.impact"' in html
    assert "choose incidents between adults. Changing it changes the questions below." in html  # one full stop
    # each thing asked once (issue 21): what the step's record asks is not asked again by the tool
    assert html.count('name="frequency_of_similar_incidents"') == 1 and 'name="facts.prior_incidents_between_pair"' not in html
    assert html.count('id="f-fear_or_avoidance"') == 1 and 'name="facts.victim_fearful_or_adapting"' not in html
    questions = await rm.get("/threshold/questions", params={"profile": "sussex", "category": "physical"})
    assert 'name="facts.' in questions.text
    on_the_step = await rm.get("/threshold/questions", params={"profile": "sussex", "category": "incidents_between_adults",
                                                               "step": "1"})
    assert 'name="facts.impact"' in on_the_step.text and "facts.prior_incidents_between_pair" not in on_the_step.text
    alone = await rm.get("/threshold/questions", params={"profile": "sussex", "category": "incidents_between_adults"})
    assert "facts.prior_incidents_between_pair" in alone.text  # the tool on its own page asks it
    bad = await rm.post(f"/cases/{case_id}/steps/seriousness_assessment/1", data={
        "csrf_token": csrf(html), "frequency_of_similar_incidents": "lots", "power_imbalance": "some",
        "fear_or_avoidance": "true", "category": "incidents_between_adults"})
    assert bad.status_code == 422
    assert re.search(r'id="f-frequency_of_similar_incidents-error"\s*>.{0,200}must be a whole number', bad.text, re.S)
    r = await rm.post(f"/cases/{case_id}/steps/seriousness_assessment/1", data={
        "csrf_token": csrf(html), "frequency_of_similar_incidents": "2", "power_imbalance": "significant",
        "fear_or_avoidance": "true", "category": "incidents_between_adults", "facts.impact": "significant",
        "facts.intentional_harm": "true"})
    assert r.status_code == 303, r.text
    decided = next(f.fact.decision for f in pages.records.stored_facts(case_id) if f.type == "ThresholdDecisionFiled")
    page = (await rm.get(f"/cases/{case_id}")).text  # the level as a tag in the case's summary
    assert re.search(rf'Seriousness level</dt>.{{0,200}}nhsuk-tag--{ {"reportable": "red", "consultation": "orange", "non_reportable": "green"}[decided.level]}">'
                     rf'{decided.level.replace("_", " ").capitalize()}<', page, re.S)
    chronology_ = (await rm.get(f"/cases/{case_id}/chronology")).text  # the indicators and rationale, in full
    assert "Indicators matched" in chronology_ and "Rationale" in chronology_ and plain_citations(decided.rationale).split(" It is ")[0] in html_.unescape(chronology_)
    assert not re.search(r"\d{3}_[0-9a-f]{8,}", chronology_)  # the seed files named as documents
    done = [f.fact for f in pages.records.stored_facts(case_id) if isinstance(f.fact, StepCompleted)]
    assert done[-1].record["facts"]["impact"] == "significant"


@pytest.mark.unit
async def test_the_sign_in_page_offers_the_organisations_account_and_lands_on_my_work(settings, records):
    from tests.fake_oidc import FakeProvider

    with FakeProvider() as provider:
        provider.claims = {"sub": "TL-31", "name": "Tess Leader", "roles": ["elm-team-leaders"]}
        app = create_app(settings.model_copy(update={
            "oidc_issuer": provider.issuer, "oidc_client_id": "safeguard", "oidc_client_secret": "s3cret",
            "oidc_role_map": {"elm-team-leaders": ["team_leader@SVC-ELM"]}}), records=records)
        html = "text/html,application/xhtml+xml"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver",
                                     headers={"Accept": html}) as c:
            page = (await c.get("/sign-in")).text
            assert 'href="/api/v1/oidc/login"' in page
            start = await c.get("/api/v1/oidc/login")
            async with httpx.AsyncClient() as idp:  # the browser at the provider, over real HTTP
                back = await idp.get(start.headers["location"])
            r = await c.get(back.headers["location"].removeprefix("https://testserver"))
            assert r.status_code == 303 and r.headers["location"] == "/"
            home = await c.get("/")
            assert home.status_code == 200 and "Tess Leader" in home.text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings, records=records)),
                                 base_url="https://testserver") as c:
        assert "oidc/login" not in (await c.get("/sign-in")).text  # not configured: not offered


async def test_the_board_filters_by_service_role_and_overdue(pages):
    ssw = await pages.as_user("SSW-32", Assignment("senior_support_worker", ELM))
    case_id = await raise_case(ssw)
    rm = await pages.as_user("RM-32", Assignment("registered_manager", ELM))
    board = (await rm.get("/board")).text
    assert f'data-case="{case_id}" data-step="record_concern"' in board
    assert f'data-case="{case_id}"' not in (await rm.get("/board", params={"role": "team_leader"})).text
    assert f'data-case="{case_id}" data-step="record_concern"' in (await rm.get("/board", params={"role": "senior_support_worker"})).text
    assert "No open deadline matches these filters" in (await rm.get("/board", params={"overdue": "1"})).text
    assert f'data-case="{case_id}"' not in (await rm.get("/board", params={"service": OAK})).text
    outsider = await pages.as_user("RM-33", Assignment("registered_manager", OAK))
    assert f'data-case="{case_id}"' not in (await outsider.get("/board")).text  # another service's cases never show
    commissioner = await pages.as_user("COM-32", Assignment("commissioner"))
    assert (await commissioner.get("/board")).status_code == 403


async def test_a_service_raised_at_before_needs_no_details_and_a_new_one_says_what_to_give(pages, settings):
    """Found by a new-user trial: with no SAFEGUARD_SERVICES, a service staff had raised at before was
    refused with the validation library's words. Its details now come from its earlier concerns; a
    service new to Safeguard is told, next to the field, which details to give."""
    c = await pages.as_user("SSW-71", Assignment("senior_support_worker", ELM))
    case_id = await raise_case(c)  # ELM's details from the configured services
    await settled(pages.records, case_id)
    settings.services = {}  # as in the dev default: nothing configured
    html = (await c.get("/concerns/new")).text
    base = {"csrf_token": csrf(html), **identified_now(html), "confirm": "yes",
            "adult_at_risk": "A-118", "alleged_source": "A-204", "summary": "A-204 took A-118's seat"}
    known = await c.post("/concerns", data={**base, "form_key": form_key(html, "/concerns"), "service": ELM})
    assert known.status_code == 303, known.text
    html = (await c.get("/concerns/new")).text
    new = await c.post("/concerns", data={**base, "csrf_token": csrf(html), "form_key": form_key(html, "/concerns"),
                                          "service": "SVC-NEW9"})
    assert new.status_code == 422 and "String should have" not in new.text
    assert "This service is new to Safeguard: enter its name, provider and client group under" in new.text.replace("&#39;", "'")


async def test_a_source_who_is_not_a_service_user_and_a_reporter_who_is_not_staff(pages):
    """Issue 19 §3 (000 lines 19, 27): an online contact is recorded by kind, with no invented id, and a
    concern a relative reported is recorded by staff on their behalf, with the reporter's kind."""
    c = await pages.as_user("SSW-81", Assignment("senior_support_worker", ELM))
    html = (await c.get("/concerns/new")).text
    assert "Someone they know online or through social media" in html and "A relative or friend" in html
    base = {**identified_now(html), "confirm": "yes", "service": ELM,
            "adult_at_risk": "A-119", "summary": "messages sent to A-119 through a game chat, asking for money"}
    invented = await c.post("/concerns", data={**base, "csrf_token": csrf(html), "form_key": form_key(html, "/concerns"),
                                               "source_kind": "online_contact", "alleged_source": "X-999"})
    assert invented.status_code == 422
    assert "Only someone who uses the service has an id: leave the id empty, and do not make one up" in invented.text
    html = (await c.get("/concerns/new")).text
    r = await c.post("/concerns", data={**base, "csrf_token": csrf(html), "form_key": form_key(html, "/concerns"),
                                        "source_kind": "online_contact", "alleged_source": "", "reported_by": "relative_or_friend"})
    assert r.status_code == 303, r.text
    case_id = r.headers["location"].rsplit("/", 1)[1]
    raised = pages.records.stored_facts(case_id)[0].fact.concern
    assert (raised.alleged_source.kind, raised.alleged_source.id, raised.reported_by.kind) == ("online_contact", None,
                                                                                               "relative_or_friend")
    assert raised.raised_by.actor == "SSW-81"  # staff record it on the reporter's behalf
    page = (await c.get(f"/cases/{case_id}")).text
    assert "online contact (not a service user)" in page


async def test_a_missed_deadlines_escalation_is_not_offered_to_acknowledge_and_ends_with_its_step(pages):
    """It ends when its step is done: no acknowledge form, on My work or the case page, and a sent
    acknowledgement is refused for that reason (not for a missing note)."""
    ssw = await pages.as_user("SSW-23", Assignment("senior_support_worker", ELM))
    tl = await pages.as_user("TL-23", Assignment("team_leader", ELM))
    html = (await ssw.get("/concerns/new")).text
    earlier = (datetime.now(LONDON) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")  # record concern already overdue
    r = await ssw.post("/concerns", data={"csrf_token": csrf(html), "form_key": form_key(html, "/concerns"), "identified_at": earlier, "confirm": "yes",
                                          "service": ELM, "adult_at_risk": "A-117", "alleged_source": "A-204",
                                          "summary": "A-204 blocked A-117 from the lounge"})
    assert r.status_code == 303, r.text
    case_id = r.headers["location"].rsplit("/", 1)[1]
    deadline = time.monotonic() + 120  # a bound for what never happens, not a speed target
    while not [f for f in pages.records.stored_facts(case_id) if f.type == "Escalated"] and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    home = (await tl.get("/")).text
    assert "It ends when the step Record the initial peer-to-peer concern is done" in home and f"/cases/{case_id}/escalations/E1/acknowledge" not in home
    page_ = (await tl.get(f"/cases/{case_id}")).text
    assert "it ends when the step Record the initial peer-to-peer concern is done. There is nothing to acknowledge." in page_
    assert f"/cases/{case_id}/escalations/E1/acknowledge" not in page_
    r = await tl.post(f"/cases/{case_id}/escalations/E1/acknowledge", data={"csrf_token": csrf(page_), "note": "spoke to the team"})
    assert r.status_code == 303
    assert "E1 ends when the step Record the initial peer-to-peer concern is done: there is nothing to acknowledge." in (await tl.get(f"/cases/{case_id}")).text
    assert not [f for f in pages.records.stored_facts(case_id) if f.type == "EscalationAcknowledged"]
    html = (await ssw.get(f"/cases/{case_id}")).text
    r = await ssw.post(f"/cases/{case_id}/steps/record_concern/1", data={
        "csrf_token": csrf(html), "behaviour_observed": "blocked the door", "initiated_by": "A-204", "presentation": "calm"})
    assert r.status_code == 303, r.text
    assert "when the step Record the initial peer-to-peer concern was done late: no acknowledgement was needed after that" in (await tl.get(f"/cases/{case_id}")).text


async def test_an_empty_raise_form_names_every_missing_answer_at_once_and_records_nothing(pages):
    """Issue 21: an empty form flagged only the time and the service, the rest after a second try. Each
    missing answer is now in the error summary, linked to its question, in the design system's words."""
    c = await pages.as_user("SSW-91", Assignment("senior_support_worker", ELM))
    html = (await c.get("/concerns/new")).text
    before = pages.records.recorder.max_notification_id()
    empty = {p: "" for p in ("identified_at-day", "identified_at-month", "identified_at-year", "identified_at-time")}
    r = await c.post("/concerns", data={"csrf_token": csrf(html), "form_key": form_key(html, "/concerns"), **empty,
                                        "service": "", "adult_at_risk": "", "alleged_source": "", "summary": ""})
    assert r.status_code == 422
    text = r.text.replace("&#39;", "'")
    summary = text[text.index("nhsuk-error-summary"):text.index("</h1>")]
    for message, href in (("Enter the date the concern was identified", "#f-identified_at-day"),
                          ("Enter the service's id", "#service"),
                          ("Enter the id of the adult at risk, like A-117", "#adult_at_risk"),
                          ("Enter the id of the service user alleged to have caused the harm, like A-204", "#source_kind"),
                          ("Enter what happened", "#summary")):
        assert re.search(rf'href="{href}"\s*>\s*{re.escape(message)}', summary), message
    assert pages.records.recorder.max_notification_id() == before  # nothing recorded


async def test_raising_ends_on_a_check_your_answers_page_that_records_nothing_until_confirmed(pages):
    c = await pages.as_user("SSW-92", Assignment("senior_support_worker", ELM))
    html = (await c.get("/concerns/new")).text
    answers = {"csrf_token": csrf(html), "form_key": form_key(html, "/concerns"), **identified_now(html), "service": ELM,
               "adult_at_risk": "A-130", "alleged_source": "A-131", "summary": "A-131 pushed A-130 in the corridor"}
    before = pages.records.recorder.max_notification_id()
    check = await c.post("/concerns", data=answers)
    assert check.status_code == 200 and "Check your answers before raising the concern" in check.text
    assert "A-131 pushed A-130 in the corridor" in check.text and 'name="confirm" value="yes"' in check.text
    assert pages.records.recorder.max_notification_id() == before  # nothing recorded until confirmed
    back = await c.post("/concerns/new", data=answers)  # "Change your answers": the form as it was filled
    assert back.status_code == 200 and 'value="A-130"' in back.text
    done = await c.post("/concerns", data={**answers, "confirm": "yes"})
    assert done.status_code == 303


async def test_a_step_s_source_is_named_as_people_know_it_and_its_passage_has_a_page(pages):
    c = await pages.as_user("SSW-93", Assignment("senior_support_worker", ELM))
    shown = await c.get("/sources/001/11")
    assert shown.status_code == 200 and "Escalation pathway, phase 1, step 2" in shown.text
    assert "The Team Leader completes an immediate peer-risk review within thirty minutes" in shown.text
    assert not re.search(r"\d{3}_[0-9a-f]{8,}", shown.text)
    assert (await c.get("/sources/001/2")).status_code == 404  # not a passage Safeguard cites
    assert (await c.get("/sources/009/2")).status_code == 404


async def test_a_form_sent_after_the_session_ended_is_kept_and_given_back_once_after_signing_in(pages, settings):
    """Issue 21 §5: on a shared PC the session ends while a step is being filled in. What was typed is
    kept on the server (under the case's key), given back on the step's page once the same person has
    signed in again, and recorded only when they send it."""
    ssw = await pages.as_user("SSW-94", Assignment("senior_support_worker", ELM))
    case_id = await raise_case(ssw)
    step_page = f"/cases/{case_id}/steps/record_concern/1"
    html = (await ssw.get(step_page)).text
    typed = {"csrf_token": csrf(html), "form_key": form_key(html, step_page), "behaviour_observed": "A-204 blocked the door",
             "initiated_by": "A-204", "presentation": "tearful"}
    settings.session_idle_minutes = 0  # every request is now after the idle limit
    try:
        late = await ssw.post(step_page, data=typed, headers={"referer": f"https://testserver{step_page}"})
    finally:
        settings.session_idle_minutes = 30
    assert late.status_code == 303 and "why=idle-kept" in late.headers["location"]
    signed_out = (await ssw.get(late.headers["location"])).text
    assert "What you typed has been kept: sign in again to carry on." in signed_out
    assert not [f for f in pages.records.stored_facts(case_id) if f.type == "StepCompleted"]  # nothing recorded
    stored = [doc for _, doc in pages.app.state.web.ports.documents.scan("form_drafts")]
    assert stored and all("A-204 blocked the door" not in str(doc) for doc in stored)  # sealed under the case's key

    other = await pages.as_user("SSW-95", Assignment("senior_support_worker", ELM))
    assert "A-204 blocked the door" not in (await other.get(step_page)).text  # kept for the one who typed it

    again = await pages.sign_in("SSW-94")
    back = (await again.get(step_page)).text
    assert "What you typed before your session ended has been kept" in back and "A-204 blocked the door" in back
    assert "A-204 blocked the door" not in (await again.get(step_page)).text  # given back once
    sent = await again.post(step_page, data={**typed, "csrf_token": csrf(back)})
    assert sent.status_code == 303
    assert [f for f in pages.records.stored_facts(case_id) if f.type == "StepCompleted"]


async def test_a_concern_identified_long_ago_asks_why_it_is_raised_only_now(pages):
    """Found by the words work: a concern identified more than 30 days ago was refused ('say why') with
    nowhere on the page to say it. The raise form has the question; the refusal sits next to it."""
    c = await pages.as_user("SSW-96", Assignment("senior_support_worker", ELM))
    html = (await c.get("/concerns/new")).text
    long_ago = datetime.now(LONDON) - timedelta(days=40)
    answers = {"csrf_token": csrf(html), "form_key": form_key(html, "/concerns"), "service": ELM,
               "identified_at-day": str(long_ago.day), "identified_at-month": str(long_ago.month),
               "identified_at-year": str(long_ago.year), "identified_at-time": "10:15",
               "adult_at_risk": "A-140", "alleged_source": "A-141", "summary": "A-141 took A-140's money at the shop"}
    refused = await c.post("/concerns", data=answers)
    assert refused.status_code == 422
    assert re.search(r'href="#late_report_reason"\s*>', refused.text) and 'id="late_report_reason-error"' in refused.text
    check = await c.post("/concerns", data={**answers, "late_report_reason": "found at the monthly audit of incident forms"})
    assert check.status_code == 200 and "Why it is raised only now" in check.text
    done = await c.post("/concerns", data={**answers, "late_report_reason": "found at the monthly audit of incident forms",
                                           "confirm": "yes"})
    assert done.status_code == 303, done.text
    raised = pages.records.stored_facts(done.headers["location"].rsplit("/", 1)[1])[0].fact.concern
    assert raised.late_report_reason == "found at the monthly audit of incident forms"


async def test_the_design_system_is_served_by_safeguard_itself_with_no_inline_script_and_a_favicon(pages):
    c = await pages.as_user("SSW-97", Assignment("senior_support_worker", ELM))
    for path in ("/", "/concerns/new", "/cases", "/sign-in"):
        html = (await c.get(path)).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path  # the Content-Security-Policy allows none inline
        assert "https://" not in re.sub(r'<a [^>]*>', "", html.split("<body", 1)[0]), path  # no CDN in the head
    for asset, kind in (("/favicon.ico", "image/"), ("/static/vendor/nhsuk/nhsuk-frontend.min.css", "text/css"),
                        ("/static/vendor/nhsuk/nhsuk-frontend.min.js", "javascript"), ("/static/nhsuk-init.mjs", "javascript")):
        r = await c.get(asset)
        assert r.status_code == 200 and kind in r.headers["content-type"], asset
    css = (await c.get("/static/vendor/nhsuk/nhsuk-frontend.min.css")).text
    assert "assets.nhs.uk" not in css  # the font CDN's rules are left out


async def test_raising_a_concern_cannot_rename_a_service_safeguard_knows(pages):
    """Found by a new-user trial: the new-service details, typed for a known service, renamed it for
    everyone while the check page showed the old name. A known service keeps its details."""
    c = await pages.as_user("SSW-98", Assignment("senior_support_worker", ELM))
    html = (await c.get("/concerns/new")).text
    answers = {"csrf_token": csrf(html), "form_key": form_key(html, "/concerns"), **identified_now(html), "service": ELM,
               "service_name": "Birch Court", "service_provider": "Other Co", "service_client_group": "older people",
               "adult_at_risk": "A-150", "alleged_source": "A-151", "summary": "A-151 shouted at A-150"}
    before = pages.records.recorder.max_notification_id()
    refused = await c.post("/concerns", data={**answers, "confirm": "yes"})
    assert refused.status_code == 422 and "is already known to Safeguard as" in refused.text.replace("&#39;", "'")
    assert pages.records.recorder.max_notification_id() == before
    done = await c.post("/concerns", data={**answers, "service_name": "", "service_provider": "", "service_client_group": "",
                                           "confirm": "yes"})
    assert done.status_code == 303
    raised = pages.records.stored_facts(done.headers["location"].rsplit("/", 1)[1])[0].fact.concern
    assert raised.service.name == SERVICES[ELM]["name"]


async def test_an_address_no_page_answers_is_a_page_with_a_way_back_and_the_api_keeps_problem_json(pages):
    c = await pages.as_user("SSW-99", Assignment("senior_support_worker", ELM))
    missing = await c.get("/nope")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "There is no page at this address" in missing.text and 'href="/"' in missing.text
    api = await c.get("/api/v1/nope")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")
