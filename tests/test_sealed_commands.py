"""Only Safeguard can command a case (issue 18): a command sent to Temporal round the application
layer (a plain client, as `temporal workflow update execute` is) is refused before anything enters
history or the store, with the claimed actor logged; a seal lifted from one case or command to
another does not hold; a case started round Safeguard fails without recording anything."""

from __future__ import annotations

import logging

import pytest
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.converter import DataConverter

from domain.concern import CaseNote, ConcernBody, Development, StepCompletion
from domain.seal import command_key, seal_of
from encryption.seal import REFUSED, sealing_key
from tests.cases import RECORDS
from tests.conftest import concern
from workflows.case_input import CaseInput
from workflows.concern import SafeguardingConcernWorkflow

FORGED = StepCompletion(step="record_concern", role="senior_support_worker", actor="FORGED-99",
                        record=RECORDS["record_concern"], channel="api")


def plain(client: Client) -> Client:
    """A client of the same server without Safeguard's sealing interceptor (it keeps the payload codec,
    so it reads what the case answers: a forger holding more than the trial's did)."""
    return Client(**{**client.config(), "interceptors": []})


async def test_an_update_sent_round_safeguard_is_refused_and_records_nothing(driver, caplog):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    before = len(case.facts())
    forger = plain(driver.env.client).get_workflow_handle(case.id)
    with caplog.at_level(logging.WARNING):
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await forger.execute_update(SafeguardingConcernWorkflow.complete_step, FORGED)
    assert getattr(refused.value.cause, "message", "") == REFUSED
    assert len(case.facts()) == before
    assert any("not sealed by Safeguard" in r.getMessage() and getattr(r, "claimed_actor", None) == "FORGED-99"
               for r in caplog.records), [r.getMessage() for r in caplog.records]
    # the same command through Safeguard's client is taken
    await case.handle.execute_update(SafeguardingConcernWorkflow.complete_step, FORGED.model_copy(update={"actor": "SSW-1"}))
    assert [f.fact.actor for f in case.facts() if f.type == "StepCompleted"] == ["SSW-1"]


async def test_a_seal_lifted_to_another_case_or_command_does_not_hold(driver, settings):
    one = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    other = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    key = sealing_key(settings)
    note = CaseNote(text="a note", actor="TL-1", role="team_leader", request_id="once:1")
    forger = plain(driver.env.client)
    lifted = note.model_copy(update={"seal": seal_of(key, one.id, "add_note", note)})
    with pytest.raises(WorkflowUpdateFailedError):
        await forger.get_workflow_handle(other.id).execute_update(SafeguardingConcernWorkflow.add_note, lifted)
    changed = lifted.model_copy(update={"text": "another note"})
    with pytest.raises(WorkflowUpdateFailedError):
        await forger.get_workflow_handle(one.id).execute_update(SafeguardingConcernWorkflow.add_note, changed)
    wrong_key = note.model_copy(update={"seal": seal_of(command_key(b"\x01" * 32), one.id, "add_note", note)})
    with pytest.raises(WorkflowUpdateFailedError):
        await forger.get_workflow_handle(one.id).execute_update(SafeguardingConcernWorkflow.add_note, wrong_key)
    assert await forger.get_workflow_handle(one.id).execute_update(SafeguardingConcernWorkflow.add_note, lifted) == 1
    assert not [f for f in other.facts() if f.type == "NoteAdded"]


async def test_a_case_started_round_safeguard_fails_and_records_nothing(driver):
    body = ConcernBody.model_validate(concern("2027-01-12T09:30:00+00:00", case_id="FORGED-START-1"))
    forger = plain(driver.env.client)
    handle = await forger.start_workflow(SafeguardingConcernWorkflow.run, CaseInput(case_id=body.case_id, concern=body),
                                         id=body.case_id, task_queue=driver.settings.task_queue)
    with pytest.raises(WorkflowFailureError):
        await handle.result()
    assert driver.records.stored_facts(body.case_id) == []


async def test_a_sealed_command_lifted_from_history_and_sent_again_records_nothing_more(driver, settings):
    """The trial's replay: a real command's payload, as history holds it, sent again unchanged by a
    client with no key and no codec. Its seal holds, but its request id is recorded already."""
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    handle = case.handle
    assert await handle.execute_update(SafeguardingConcernWorkflow.add_note,
                                       CaseNote(text="a note", actor="TL-1", role="team_leader")) == 1
    await handle.execute_update(SafeguardingConcernWorkflow.record_development,
                                Development(kind="new_incident", summary="pushed in the corridor", actor="TL-1",
                                            role="team_leader"))
    sent = {}
    async for event in handle.fetch_history_events():
        if event.HasField("workflow_execution_update_accepted_event_attributes"):
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
            sent[request.input.name] = request.input.args.payloads[0]
    before = [f.type for f in case.facts()]
    bare = Client(**{**driver.env.client.config(), "interceptors": [], "data_converter": DataConverter.default})
    for name in ("add_note", "record_development"):
        try:
            await bare.get_workflow_handle(case.id).execute_update(name, RawValue(sent[name]), result_type=RawValue)
        except (WorkflowUpdateFailedError, KeyError):  # KeyError: the bare client cannot read the encrypted refusal
            pass  # refused as already recorded; a development is answered with its number: either way, once
    assert [f.type for f in case.facts()] == before
    unkeyed = CaseNote(text="no request id", actor="TL-1", role="team_leader")  # sealed, but by hand and with none
    key = sealing_key(settings)
    with pytest.raises(WorkflowUpdateFailedError):
        await plain(driver.env.client).get_workflow_handle(case.id).execute_update(
            SafeguardingConcernWorkflow.add_note, unkeyed.model_copy(update={"seal": seal_of(key, case.id, "add_note", unkeyed)}))
