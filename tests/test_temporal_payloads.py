"""Temporal's copy of a case is encrypted with the case's own key (encryption/payload_codec.py):
the concern's summary, adult ids and records are not in the Temporal server's SQLite file, replay
still works through the codec, and shredding the case's key under retention makes its Temporal
history unreadable too."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import WorkflowSerializationContext
from temporalio.testing import WorkflowEnvironment

from bootstrap import WORKFLOWS, build_worker, open_records
from casework.temporal.cases import case_id_for, complete_step, raise_concern
from casework.temporal.processes import process_workflow_id
from configuration.binaries import temporal_cli
from configuration.settings import Settings
from domain.concern import ConcernBody, StepCompletion, is_case_workflow
from domain.governance import AUDITS
from encryption.seal import Sealer, sealing_key
from encryption.payload_codec import CASE, KEY, CaseKeyCodec, UnknownKey, data_converter, decrypt, payload_case
from eventstore.events import case_stream
from eventstore.keys import STORE_KEY, Erased
from evidence.replay import fetch_runs, replay_case
from tests.cases import RECORDS
from tests.conftest import concern
from tests.stories import full_pathway
from workflows.governance_action import action_workflow_id

SUMMARY = "Ottoline cornered Bartholomew by the piano"
ADULTS = ("ADULT-TP-4410", "ADULT-TP-9921")
RECORD_TEXT = "pinned against the music cabinet"


def plain(value: object) -> Payload:
    return pydantic_data_converter.payload_converter.to_payload(value)


def codec_for(records, workflow_id: str | None) -> CaseKeyCodec:
    codec = CaseKeyCodec(records.keys)
    return codec.with_context(WorkflowSerializationContext("default", workflow_id)) if workflow_id else codec


@pytest.mark.unit
async def test_a_case_payload_is_encrypted_under_the_case_key_and_decodes_back(records):
    original = plain({"summary": SUMMARY})
    [sealed] = await codec_for(records, "CASE-1").encode([original])
    assert SUMMARY.encode() not in sealed.SerializeToString()
    assert sealed.metadata[KEY] == case_stream("CASE-1").hex.encode() and payload_case(sealed) == "CASE-1"
    assert await CaseKeyCodec(records.keys).decode([sealed]) == [original]  # decoding needs no context


@pytest.mark.unit
async def test_other_workflows_take_the_store_key_and_plain_payloads_pass_through(records):
    for workflow_id in (action_workflow_id("GA-1"), process_workflow_id("SVC-ELM"), None):
        [sealed] = await codec_for(records, workflow_id).encode([plain({"x": 1})])
        assert sealed.metadata[KEY] == STORE_KEY.hex.encode() and CASE not in sealed.metadata
    written_before_the_codec = plain({"summary": SUMMARY})
    assert await CaseKeyCodec(records.keys).decode([written_before_the_codec]) == [written_before_the_codec]


@pytest.mark.unit
async def test_a_shredded_case_key_leaves_its_payloads_unreadable(records, tmp_path):
    [sealed] = await codec_for(records, "CASE-2").encode([plain({"summary": SUMMARY})])
    records.keys.shred(case_stream("CASE-2"), date(2035, 1, 20))
    with pytest.raises(Erased, match="2035-01-20"):
        decrypt(records.keys, sealed)
    other = open_records(Settings(data_dir=tmp_path / "elsewhere"))
    with pytest.raises(UnknownKey, match="does not hold"):
        [sealed_here] = await codec_for(records, "CASE-3").encode([plain(1)])
        decrypt(other.keys, sealed_here)


@pytest.mark.unit
async def test_the_converter_set_to_a_payloads_context_keeps_its_converters_and_encrypts_for_that_case(records, monkeypatch):
    converter = data_converter(records.keys)
    made = []
    monkeypatch.setattr(type(converter.payload_converter), "__init__",
                        lambda self, *a, **k: made.append(self) or pytest.fail("payload converter made again"))
    for_case = converter.with_context(WorkflowSerializationContext("default", "CASE-4"))
    assert not made and for_case.payload_converter is converter.payload_converter
    assert for_case.failure_converter is converter.failure_converter
    assert converter.payload_codec.workflow_id is None and for_case.payload_codec.workflow_id == "CASE-4"
    [sealed] = await for_case.encode([{"summary": SUMMARY}])
    assert payload_case(sealed) == "CASE-4" and SUMMARY.encode() not in sealed.SerializeToString()
    assert await converter.decode([sealed], [dict]) == [{"summary": SUMMARY}]


@pytest.mark.unit
def test_the_ids_of_other_workflows_are_never_case_ids():
    others = [action_workflow_id("GA-1"), process_workflow_id("SVC-ELM")] + [a.schedule.schedule_id for a in AUDITS.values()]
    assert not any(is_case_workflow(w) for w in others)
    body = {k: v for k, v in concern("2027-01-12T09:30:00+00:00").items() if k != "case_id"}
    assert is_case_workflow(case_id_for(ConcernBody.model_validate(body)))
    with pytest.raises(ValueError, match="Safeguard's own workflows"):
        ConcernBody.model_validate({**body, "case_id": "governance-action-7"})


async def test_replay_and_the_store_comparison_work_through_the_codec(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", summary=SUMMARY))
    await full_pathway(case)
    report = await replay_case(driver.env.client, driver.records, case.id, WORKFLOWS, driver.env.client.data_converter)
    assert report.status == "consistent", report.problems
    assert report.history_facts == len(case.facts())
    runs = await fetch_runs(driver.env.client, case.id)
    raw = b"".join(e.SerializeToString() for run in runs for e in run.events)
    assert SUMMARY.encode() not in raw and case.id.encode() in raw  # Temporal's own copy is encrypted

    # retention shreds the case's key: its Temporal history can no longer be read
    driver.records.keys.shred(case_stream(case.id), date(2035, 1, 20))
    started = runs[0].events[0].workflow_execution_started_event_attributes.input.payloads
    with pytest.raises(Erased):
        await driver.env.client.data_converter.decode(started)
    erased = await replay_case(driver.env.client, driver.records, case.id, WORKFLOWS, driver.env.client.data_converter)
    assert erased.status == "erased" and erased.ok


@pytest.mark.parametrize("encrypted", [True, False], ids=["with the codec", "without (the scan can find it)"])
async def test_the_temporal_database_file_holds_no_personal_data(tmp_path, encrypted):
    settings = Settings(data_dir=tmp_path, task_queue=f"codec-{uuid.uuid4().hex[:6]}", workflow_sandbox=True)
    records = open_records(settings)
    db = tmp_path / "temporal.sqlite"
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(), dev_server_database_filename=str(db),
        data_converter=data_converter(records.keys if encrypted else None), interceptors=[Sealer(sealing_key(settings))])
    now = datetime.now(timezone.utc).replace(microsecond=0)
    body = ConcernBody.model_validate(concern((now - timedelta(minutes=5)).isoformat(), summary=SUMMARY,
                                              adult_at_risk={"id": ADULTS[0]}, alleged_source={"id": ADULTS[1]}))
    try:
        async with build_worker(env.client, records, settings):
            status = await raise_concern(env.client, settings.task_queue, body, now=now)
            record = {**RECORDS["record_concern"], "behaviour_observed": RECORD_TEXT, "initiated_by": ADULTS[1]}
            await complete_step(env.client, status.case_id,
                                StepCompletion(step="record_concern", role="senior_support_worker", actor="SSW-14", record=record))
            if encrypted:
                report = await replay_case(env.client, records, status.case_id, WORKFLOWS, env.client.data_converter)
                assert report.status == "consistent", report.problems
            await env.client.get_workflow_handle(status.case_id).terminate("test finished")
    finally:
        await env.shutdown()  # the server closes its database: everything is in the file
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("temporal.sqlite*"))
    assert status.case_id.encode() in stored  # the scan reads what the server wrote
    found = [t for t in (SUMMARY, *ADULTS, RECORD_TEXT) if t.encode() in stored]
    assert found == ([] if encrypted else [SUMMARY, *ADULTS, RECORD_TEXT])
