"""A case note, the staff action added to prove the application layer (issue 17): one use case
(`casework.cases.add_note`) and three adapters. Anyone who may read a case adds a note to it; the
note is a fact in the case's stream, shown in the chronology and the evidence pack, and audited;
sent twice with one key it is recorded once; a bad note, or one from someone who may not read the
case, records nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import pytest_asyncio
from typer.testing import CliRunner

from bootstrap import build_worker
from domain.access import Assignment
from domain.facts import NoteAdded
from tests.cli_support import cli_against
from tests.api_support import Api
from tests.test_api import raise_case
from tests.test_pages import Pages, csrf, form_key, raise_case as raise_on_a_page

ELM, OAK = "SVC-ELM", "SVC-OAK"


@pytest_asyncio.fixture(loop_scope="session")
async def api(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Api(env, settings, records)


def notes(records, case_id: str) -> list[NoteAdded]:
    return [r.fact for r in records.stored_facts(case_id) if isinstance(r.fact, NoteAdded)]


async def test_a_note_over_the_api_is_recorded_once_shown_and_audited(api):
    case_id = await raise_case(api)
    before = api.case_events(case_id)
    async with api.as_user("TL-71", Assignment("team_leader", ELM)) as c:
        url = f"/cases/{case_id}/notes"
        first = await c.post(url, json={"text": "Spoke to A-117's key worker"}, headers={"Idempotency-Key": "n-1"})
        again = await c.post(url, json={"text": "Spoke to A-117's key worker"}, headers={"Idempotency-Key": "n-1"})
        reused = await c.post(url, json={"text": "something else"}, headers={"Idempotency-Key": "n-1"})
        second = await c.post(url, json={"text": "A-204 moved to the other lounge"})
        empty = await c.post(url, json={"text": "   "})
        named = await c.post(url, json={"text": "x", "actor": "TL-9"})
        chronology = (await c.get(f"/cases/{case_id}/chronology")).json()
    assert first.status_code == 200 and first.json() == {"case_id": case_id, "note": 1}, first.text
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert reused.status_code == 422 and "different request" in reused.json()["detail"]
    async with api.as_user("TL-75", Assignment("team_leader", ELM)) as c:  # one key, another kind of request
        await c.post(f"/cases/{case_id}/notes", json={"text": "a note"}, headers={"Idempotency-Key": "k-9"})
        crossed = await c.post(f"/cases/{case_id}/developments", json={"kind": "other", "summary": "x"},
                               headers={"Idempotency-Key": "k-9"})
    assert crossed.status_code == 422 and "different request" in crossed.json()["detail"]
    assert second.json()["note"] == 2
    assert empty.status_code == 422 and "note: text: is empty or only spaces" in empty.json()["detail"]
    assert named.status_code == 422 and "actor comes from who you are signed in as" in named.json()["detail"]
    [one, two, _] = notes(api.records, case_id)
    assert (one.text, one.actor, one.role, one.channel, one.request_id) == (
        "Spoke to A-117's key worker", "TL-71", "team_leader", "api", "TL-71:n-1")
    assert two.request_id.startswith("once:") and api.case_events(case_id) == before + 3  # its own, under the seal; and TL-75's
    assert [e["details"]["text"] for e in chronology if e["type"] == "NoteAdded"][:2] == [one.text, two.text]
    writes = [a for a in api.accounts.access_log(case_id=case_id, user_id="TL-71") if a.action == "write"]
    assert [a.what for a in writes] == ["POST /api/v1/cases/{case_id}/notes"] * 2


async def test_a_note_needs_a_staff_reader_of_the_case(api):
    case_id = await raise_case(api)
    before = api.case_events(case_id)
    until = datetime.now(timezone.utc) + timedelta(days=1)
    async with api.as_user("TL-72", Assignment("team_leader", OAK)) as other:
        elsewhere = await other.post(f"/cases/{case_id}/notes", json={"text": "a note"})
    async with api.as_user("INSP-7", Assignment("inspector", None, (case_id,), until)) as inspector:
        granted = await inspector.post(f"/cases/{case_id}/notes", json={"text": "Reviewed for the inspection"})
    async with api.as_user("OD-7", Assignment("operations_director", None)) as director:  # organisation-wide staff
        across = await director.post(f"/cases/{case_id}/notes", json={"text": "Reviewed at the monthly meeting"})
    assert elsewhere.status_code == 404 and elsewhere.json()["detail"] == f"no case {case_id}"
    assert granted.status_code == 403 and f"Your inspection access is to read case {case_id}, not to add to it" in granted.json()["detail"]
    assert across.status_code == 200, across.text
    assert [(n.actor, n.role) for n in notes(api.records, case_id)] == [("OD-7", "operations_director")]
    assert api.case_events(case_id) == before + 1
    for refused in ("TL-72", "INSP-7"):
        [refusal] = [a for a in api.accounts.access_log(case_id=case_id) if a.user_id == refused]
        assert (refusal.action, refusal.allowed) == ("refused", False)


async def test_a_note_from_the_case_page_and_in_the_evidence_pack(env, settings, records):
    from evidence.pack import build_pack
    from projections.registry import open_documents

    async with build_worker(env.client, records, settings):
        pages = Pages(env, settings, records)
        c = await pages.as_user("SSW-77", Assignment("senior_support_worker", ELM))
        case_id = await raise_on_a_page(c)
        assert f'href="/cases/{case_id}/notes/new"' in (await c.get(f"/cases/{case_id}")).text
        html = (await c.get(f"/cases/{case_id}/notes/new")).text  # the note's own page
        assert 'action="/cases/' + case_id + '/notes"' in html
        data = {"csrf_token": csrf(html), "form_key": form_key(html, f"/cases/{case_id}/notes"),
                "text": "A-117 asked to move rooms"}
        first, second = await asyncio.gather(c.post(f"/cases/{case_id}/notes", data=data),
                                             c.post(f"/cases/{case_id}/notes", data=data))
        assert first.status_code == second.status_code == 303
        page = (await c.get(f"/cases/{case_id}")).text
        assert "Note 1 added." in page or "This note was already added (note 1" in page
        refused = await c.post(f"/cases/{case_id}/notes", data={**data, "form_key": "other", "text": ""})
        assert refused.status_code == 422 and "Enter the note" in refused.text and "only spaces" not in refused.text
        assert "nhsuk-error-summary" in refused.text and "<h1 class=\"nhsuk-heading-l\">Add a note</h1>" in refused.text
        assert [n.text for n in notes(records, case_id)] == ["A-117 asked to move rooms"]
        pack = build_pack(records, open_documents(records), case_id, "test", datetime.now(timezone.utc))
        assert "A-117 asked to move rooms" in pack.model_dump_json()


async def test_a_note_from_the_command_line(env, settings, records, monkeypatch, tmp_path):
    from cli.main import app
    from configuration.settings import get_settings
    from domain.concern import ConcernBody
    from casework.temporal.cases import raise_concern
    from tests.api_support import concern_body

    cli_against(env, settings, monkeypatch)
    runner = CliRunner()
    try:
        async with build_worker(env.client, records, settings):
            case_id = (await raise_concern(env.client, settings.task_queue,
                                           ConcernBody.model_validate(concern_body()))).case_id
            added = await asyncio.to_thread(runner.invoke, app, ["concern", "note", case_id, "--text", "Called A-117's sister",
                                                                 "--as", "team_leader", "--actor", "TL-73", "--json"])
            bad = await asyncio.to_thread(runner.invoke, app, ["concern", "note", case_id, "--text", "a\x00b",
                                                               "--as", "team_leader", "--actor", "TL-73"])
    finally:
        get_settings.cache_clear()
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout) == {"case_id": case_id, "note": 1}
    assert bad.exit_code == 2 and "note: text: contains a NUL character" in bad.stderr
    [note] = notes(records, case_id)
    assert (note.actor, note.role, note.channel) == ("TL-73", "team_leader", "cli")


async def test_a_case_with_notes_and_keyed_requests_replays(driver):
    """What this issue added to the case's workflow (the note update, request ids in commands and
    facts, refusals carrying their kind) replays: a history with each of them, and a refused one."""
    from casework.refusals import AlreadyRecorded
    from casework.temporal import cases as temporal
    from domain.concern import CaseNote, StepCompletion
    from tests.cases import RECORDS
    from tests.conftest import concern
    from tests.test_replay import replayer

    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:35:00+00:00")
    note = CaseNote(text="Spoke to the key worker", actor="TL-74", role="team_leader", request_id="TL-74:k1")
    assert await temporal.add_note(driver.env.client, case.id, note) == 1
    completion = StepCompletion(step="record_concern", role="senior_support_worker", actor="SSW-74",
                                record=RECORDS["record_concern"], request_id="SSW-74:k2")
    await temporal.complete_step(driver.env.client, case.id, completion)
    try:
        await temporal.complete_step(driver.env.client, case.id, completion)
        raise AssertionError("a request id recorded twice")
    except AlreadyRecorded:
        pass
    history = await case.handle.fetch_history()
    assert (await replayer(driver.env.client.data_converter).replay_workflow(history)).replay_failure is None


async def test_a_raise_with_a_key_is_the_same_case_again_and_the_key_with_another_concern_is_refused(api):
    from tests.api_support import concern_body

    async with api.as_user("SSW-76", Assignment("senior_support_worker", ELM)) as c:
        body = {k: v for k, v in concern_body().items() if k != "case_id"}
        first = await c.post("/cases", json=body, headers={"Idempotency-Key": "raise-1"})
        again = await c.post("/cases", json=body, headers={"Idempotency-Key": "raise-1"})
        other = await c.post("/cases", json={**body, "summary": "another concern"}, headers={"Idempotency-Key": "raise-1"})
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["case_id"] == first.json()["case_id"] and again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422 and "different request" in other.json()["detail"]


async def test_a_keyed_request_keeps_no_text_outside_its_case(api):
    """Issue 18: an answer kept for an Idempotency-Key once held a raise's whole body (its summary
    too) in a stream under the store's key, readable after the case's key was destroyed. Answers are
    now read back from the case's own facts: no other stream holds any of its text."""
    from eventstore.events import case_stream
    from projections.feed import decode
    from tests.api_support import concern_body

    summary = "Quillon shoved Perpetua into the linen cupboard"
    async with api.as_user("SSW-78", Assignment("senior_support_worker", ELM)) as c:
        raised = await c.post("/cases", json={**concern_body(), "summary": summary}, headers={"Idempotency-Key": "k-r"})
        case_id = raised.json()["case_id"]
        await c.post(f"/cases/{case_id}/notes", json={"text": "Perpetua's sister was told"}, headers={"Idempotency-Key": "k-n"})
    stream = str(case_stream(case_id))
    outside = [r for r in decode(api.records, api.records.recorder.select_notifications(start=1, limit=10_000))
               if r.stream != stream]
    assert outside and not [r.type for r in outside if summary in r.fact.model_dump_json() or "Perpetua" in
                            r.fact.model_dump_json()]
