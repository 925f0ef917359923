"""Correcting a record (issue 22) by its three faces, each a thin adapter over casework/amendments.py:
the API (201 with the amendment's number, a key sent again answered from the fact, a decision
field refused with nothing recorded, problem+json), the CLI (`safeguard step amend` with --set,
clear errors) and the pages (a done step's page shows its record as corrected with each correction
in words and a "Correct this record" link for those who may; the form asks only what may be
corrected, with its value now, and a reason; a refusal shows the page again in plain words)."""

from __future__ import annotations

import asyncio
import json
import re

import pytest_asyncio
from typer.testing import CliRunner

from bootstrap import build_worker
from domain.access import Assignment
from domain.facts import StepAmended
from tests.cli_support import cli_against
from tests.api_support import Api
from tests.cases import RECORDS
from tests.test_api import raise_case
from tests.test_pages import Pages, csrf, form_key, raise_case as raise_on_a_page, settled

ELM = "SVC-ELM"


@pytest_asyncio.fixture(loop_scope="session")
async def api(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Api(env, settings, records)


def amendments(records, case_id: str) -> list[StepAmended]:
    return [r.fact for r in records.stored_facts(case_id) if isinstance(r.fact, StepAmended)]


async def recorded_by(api: Api, user: str, role: str) -> str:
    """A case whose record_concern `user` completed over the API."""
    case_id = await raise_case(api)
    async with api.as_user(user, Assignment(role, ELM)) as c:
        r = await c.post(f"/cases/{case_id}/steps/record_concern/completions", json={"record": RECORDS["record_concern"]})
        assert r.status_code == 200, r.text
    return case_id


async def test_the_api_records_a_correction_once_and_answers_its_receipt(api):
    case_id = await recorded_by(api, "SSW-301", "senior_support_worker")
    url = f"/cases/{case_id}/steps/record_concern/1/amendments"
    body = {"changes": {"initiated_by": "A-205"}, "reason": "A-205 started it, as TL-1 saw: A-204 was typed in error"}
    async with api.client(api.token("SSW-301")) as c:  # the author
        first = await c.post(url, json=body, headers={"Idempotency-Key": "fix-1"})
        again = await c.post(url, json=body, headers={"Idempotency-Key": "fix-1"})
        reused = await c.post(url, json={**body, "reason": "another reason"}, headers={"Idempotency-Key": "fix-1"})
    assert first.status_code == 201, first.text
    assert first.json() == {"case_id": case_id, "step": "record_concern", "occurrence": 1, "amendment": 1}
    assert again.status_code == 201 and again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert reused.status_code == 422 and "different request" in reused.json()["detail"]
    [fact] = amendments(api.records, case_id)
    assert [(c.field, c.old, c.new) for c in fact.changes] == [("initiated_by", "A-204", "A-205")]
    assert (fact.actor, fact.role, fact.channel, fact.request_id) == ("SSW-301", "senior_support_worker", "api",
                                                                       "SSW-301:fix-1")
    writes = [a for a in api.accounts.access_log(case_id=case_id, user_id="SSW-301") if a.action == "write"]
    assert [a.what for a in writes][-1:] == ["POST /api/v1/cases/{case_id}/steps/{step}/{occurrence}/amendments"]


async def test_the_api_refuses_a_decision_field_another_s_record_and_bad_bodies_recording_nothing(api):
    case_id = await recorded_by(api, "SSW-302", "senior_support_worker")
    async with api.as_user("TL-302", Assignment("team_leader", ELM)) as c:
        r = await c.post(f"/cases/{case_id}/steps/peer_risk_review/completions", json={"record": RECORDS["peer_risk_review"]})
        assert r.status_code == 200, r.text
    before = api.case_events(case_id)
    url = f"/cases/{case_id}/steps/peer_risk_review/1/amendments"
    async with api.client(api.token("TL-302")) as c:
        decision = await c.post(url, json={"changes": {"source_still_has_access": True}, "reason": "misread"})
        no_reason = await c.post(url, json={"changes": {"notes": "A-204 moved rooms"}, "reason": "  "})
        nothing = await c.post(url, json={"changes": {}, "reason": "nothing to say"})
        shape = await c.post(url, json={"changes": {"notes": "x"}, "reason": "x", "actor": "TL-9"})
        not_done = await c.post(f"/cases/{case_id}/steps/route_decision/1/amendments",
                                json={"changes": {"notes": "x"}, "reason": "x"})
        others = await c.post(f"/cases/{case_id}/steps/record_concern/1/amendments",
                              json={"changes": {"notes": "seen by TL-302"}, "reason": "added what I saw"})
        zero = await c.post(f"/cases/{case_id}/steps/record_concern/0/amendments", json={"changes": {}, "reason": "x"})
    assert decision.status_code == 422 and decision.headers["content-type"] == "application/problem+json"
    assert "cannot be corrected" in decision.json()["detail"] and "source_still_has_access" in decision.json()["detail"]
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"], no_reason.text
    assert nothing.status_code == 422 and "at least one" in nothing.json()["detail"]
    assert shape.status_code == 422 and "actor comes from who you are signed in as" in shape.json()["detail"]
    assert not_done.status_code == 409, not_done.text
    assert others.status_code == 403 and "Only the person who recorded this step" in others.json()["detail"]
    assert zero.status_code == 422
    assert amendments(api.records, case_id) == [] and api.case_events(case_id) == before
    refused = [a for a in api.accounts.access_log(case_id=case_id, user_id="TL-302") if a.action == "refused"]
    assert not any(a.allowed for a in refused)
    # the decision field and the empty correction, by the field's name (never the text), and another's record
    assert [a.reason for a in refused][:2] == ["correction refused: source_still_has_access",
                                               "correction refused: changes"], refused
    assert "Only the person who recorded this step" in refused[-1].reason
    # a registered manager at the service may correct another's record
    async with api.as_user("RM-302", Assignment("registered_manager", ELM)) as c:
        r = await c.post(f"/cases/{case_id}/steps/record_concern/1/amendments",
                         json={"changes": {"notes": "seen by TL-302"}, "reason": "TL-302's account added"})
    assert r.status_code == 201 and r.json()["amendment"] == 1, r.text


async def test_the_command_line_corrects_a_record_with_set_and_says_what_is_wrong(env, settings, records, monkeypatch):
    from cli.main import app
    from configuration.settings import get_settings

    cli_against(env, settings, monkeypatch)
    runner = CliRunner()

    def run(*args: str):
        return asyncio.to_thread(runner.invoke, app, list(args))
    try:
        async with build_worker(env.client, records, settings):
            api = Api(env, settings, records)
            case_id = await recorded_by(api, "SSW-303", "senior_support_worker")
            as_rm = ("--as", "registered_manager", "--actor", "RM-303")
            done = await run("step", "amend", case_id, "record_concern", "--set", "initiated_by=A-206",
                             "--set", "notes=seen by TL-1", "--reason", "the wrong id was typed", *as_rm, "--json")
            cleared = await run("step", "amend", case_id, "record_concern", "--set", "notes:=null",
                                "--reason", "the note belonged elsewhere", *as_rm)
            bad_set = await run("step", "amend", case_id, "record_concern", "--set", "initiated_by", "--reason", "x", *as_rm)
            bad_json = await run("step", "amend", case_id, "record_concern", "--set", "notes:={", "--reason", "x", *as_rm)
            nothing = await run("step", "amend", case_id, "record_concern", "--reason", "x", *as_rm)
            no_reason = await run("step", "amend", case_id, "record_concern", "--set", "presentation=calm", *as_rm)
            twice = await run("step", "amend", case_id, "record_concern", "--set", "notes=a", "--set", "notes=b",
                              "--reason", "x", *as_rm)
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout) == {"case_id": case_id, "step": "record_concern", "occurrence": 1, "amendment": 1}
    assert cleared.exit_code == 0 and f"amendment 2 recorded on {case_id}" in cleared.stdout, cleared.stderr
    assert bad_set.exit_code == 2 and "write it as FIELD=VALUE (text) or FIELD:=JSON" in bad_set.stderr
    assert bad_json.exit_code == 2 and "--set notes is not valid JSON" in bad_json.stderr
    assert nothing.exit_code == 2 and "give at least one change" in nothing.stderr
    assert no_reason.exit_code == 2 and "reason: is empty" in no_reason.stderr, no_reason.stderr
    assert twice.exit_code == 2 and "notes is given twice" in twice.stderr
    first, second = amendments(records, case_id)
    assert {c.field: (c.old, c.new) for c in first.changes} == {"initiated_by": ("A-204", "A-206"), "notes": (None, "seen by TL-1")}
    assert [(c.field, c.old, c.new) for c in second.changes] == [("notes", "seen by TL-1", None)]
    assert (first.actor, first.role, first.channel) == ("RM-303", "registered_manager", "cli")


# ---- the pages -------------------------------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session")
async def pages(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Pages(env, settings, records)


async def done_on_a_page(c, records) -> str:
    case_id = await raise_on_a_page(c)
    await settled(records, case_id)
    page = (await c.get(f"/cases/{case_id}/steps/record_concern/1")).text
    r = await c.post(f"/cases/{case_id}/steps/record_concern/1", data={"csrf_token": csrf(page), **RECORDS["record_concern"]})
    assert r.status_code == 303, r.text
    return case_id


async def test_a_record_corrected_on_its_page_is_shown_as_corrected_with_the_correction_in_words(pages):
    ssw = await pages.as_user("SSW-304", Assignment("senior_support_worker", ELM))
    case_id = await done_on_a_page(ssw, pages.records)
    step_url = f"/cases/{case_id}/steps/record_concern/1"
    done = (await ssw.get(step_url)).text
    assert f'href="{step_url}/amend"' in done and "Correct this record" in done  # the author may
    form = (await ssw.get(f"{step_url}/amend")).text
    assert "Correct the record: Record the initial peer-to-peer concern" in form
    # only what may be corrected, each with its value now; the reason asked in words
    start = form.index(f'action="{step_url}/amend"')
    inside = form[start:form.index("</form>", start)]
    asked = set(re.findall(r'name="([a-z_]+)"', inside)) - {"csrf_token", "form_key"}
    assert asked == {"behaviour_observed", "initiated_by", "presentation", "notes", "amendment_reason"}
    assert 'value="A-204"' in form and "blocked the lounge door</textarea>" in form
    assert "Why are you correcting this record?" in form and "amendment_reason" not in re.sub(r'(name|id|for|aria-describedby)="[^"]*"', "", form)
    data = {"csrf_token": csrf(form), "form_key": form_key(form, f"{step_url}/amend"),
            "behaviour_observed": "blocked the lounge door", "initiated_by": "A-205", "presentation": "tearful", "notes": ""}
    refused = await ssw.post(f"{step_url}/amend", data={**data, "amendment_reason": ""})
    assert refused.status_code == 422 and "nhsuk-error-summary" in refused.text
    assert "Enter the reason for the correction" in refused.text and 'value="A-205"' in refused.text  # what was typed kept
    unchanged = await ssw.post(f"{step_url}/amend", data={**data, "initiated_by": "A-204", "amendment_reason": "x"})
    assert unchanged.status_code == 422 and "Change at least one answer" in unchanged.text
    bad = await ssw.post(f"{step_url}/amend", data={**data, "initiated_by": "Jane Smith", "amendment_reason": "typo"})
    assert bad.status_code == 422 and "Who started the interaction must be an id like A-117, not a name" in bad.text
    assert amendments(pages.records, case_id) == []
    sent = {**data, "amendment_reason": "A-205 started it: A-204 was typed in error"}
    first, second = await asyncio.gather(ssw.post(f"{step_url}/amend", data=sent), ssw.post(f"{step_url}/amend", data=sent))
    assert first.status_code == second.status_code == 303 and first.headers["location"] == step_url
    [fact] = amendments(pages.records, case_id)  # sent twice at once: recorded once
    assert [(c.field, c.old, c.new) for c in fact.changes] == [("initiated_by", "A-204", "A-205")]
    shown = (await ssw.get(step_url)).text
    assert "Correction recorded" in shown or "already recorded" in shown
    assert re.search(r'id="step-record".*Who started the interaction</dt><dd class="nhsuk-summary-list__value">A-205', shown, re.S)
    card = shown[shown.index('id="amendment-1"'):]
    assert "by SSW-304 (senior support worker)" in card and re.search(r"Corrected on \w{3} \d+ \w{3} \d{4}, \d\d:\d\d (GMT|BST)", card)
    assert "Who started the interaction: changed from A-204 to A-205" in card
    assert "A-205 started it: A-204 was typed in error" in card
    # a team leader there neither authored it nor manages: no link, and the form refuses in words
    tl = await pages.as_user("TL-304", Assignment("team_leader", ELM))
    assert "Correct this record" not in (await tl.get(step_url)).text
    refused = await tl.get(f"{step_url}/amend")
    assert refused.status_code == 403 and "Only the person who recorded this step" in refused.text


async def completed(env, case_id: str, step: str, role: str, actor: str) -> None:
    from domain.concern import StepCompletion
    from workflows.concern import SafeguardingConcernWorkflow

    await env.client.get_workflow_handle(case_id).execute_update(SafeguardingConcernWorkflow.complete_step, StepCompletion(
        step=step, occurrence=1, role=role, actor=actor, record=RECORDS[step]))


async def test_a_decision_resting_on_a_corrected_record_is_reviewed_on_an_ordinary_step_page(env, pages):
    dsl = await pages.as_user("DSL-305", Assignment("designated_safeguarding_lead", ELM))
    case_id = await raise_on_a_page(dsl)
    await settled(pages.records, case_id)
    await completed(env, case_id, "record_concern", "senior_support_worker", "SSW-305")
    await completed(env, case_id, "route_decision", "designated_safeguarding_lead", "DSL-305")
    step_url = f"/cases/{case_id}/steps/route_decision/1"
    form = (await dsl.get(f"{step_url}/amend")).text
    inside = form[form.index(f'action="{step_url}/amend"'):]
    assert 'name="external_threshold_met"' not in inside and 'name="abuse_category"' not in inside  # decisions stand
    r = await dsl.post(f"{step_url}/amend", data={"csrf_token": csrf(form), "form_key": form_key(form, f"{step_url}/amend"),
                                                  "notes": "A-204 had been moved before", "amendment_reason": "left out"})
    assert r.status_code == 303, r.text
    shown = (await dsl.get(step_url)).text
    card = shown[shown.index('id="amendment-1"'):]
    assert "The decision on whether to refer rested on the original record" in card
    assert f'href="/cases/{case_id}/steps/decision_review/1"' in card  # the review, a step of the case
    summary = (await dsl.get(f"/cases/{case_id}")).text
    assert "Review the safeguarding route decision after a correction" in summary and "decision_review<" not in summary
    review = (await dsl.get(f"/cases/{case_id}/steps/decision_review/1")).text
    assert "<h1 class=\"nhsuk-heading-l\">Review the safeguarding route decision after a correction</h1>" in review
    assert "The correction to review" in review and "Notes: added (A-204 had been moved before)" in review
    assert "Does the decision still stand?" in review and "No, it has changed: record the new decision" in review
    # the new decision is asked under "changed" (the design system's conditional reveal), in words
    changed = review[review.index('value="changed"'):]
    assert "nhsuk-radios__conditional" in changed and "Does the concern now meet the threshold for a safeguarding referral?" in changed
    for engine in ("decision_stands", "new_external_threshold_met", "review_reason"):
        assert engine not in re.sub(r'(name|id|for|aria-describedby|aria-controls|data-[a-z-]+)="[^"]*"', "", review)
    done = await dsl.post(f"/cases/{case_id}/steps/decision_review/1", data={
        "csrf_token": csrf(review), "decision_stands": "confirmed", "new_external_threshold_met": "false",  # hidden: left out
        "review_reason": "the referral stands: the move does not change the risk"})
    assert done.status_code == 303, done.text
    after = (await dsl.get(step_url)).text
    assert "reviewed it on" in after and "the decision stands" in after
    assert "the referral stands: the move does not change the risk" in after
