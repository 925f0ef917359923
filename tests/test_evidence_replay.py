"""`safeguard evidence replay`: every run of a case (across continue-as-new) replays on today's
code, and the store holds exactly the facts its history recorded; a closed case whose history
Temporal no longer holds is "retained by Safeguard only"; a difference is named by event."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from bootstrap import WORKFLOWS, build_worker, client_options, open_records
from configuration.binaries import temporal_cli
from configuration.settings import Settings
from tests.cases import CaseDriver
from domain.facts import DevelopmentRecorded
from evidence.replay import ReplayReport, case_ids, every_case, fetch_runs, replay_case, summary
from tests.conftest import concern
from tests.pure_case import PureCase, StoryCase
from tests.stories import full_pathway, missed_and_escalated
from tests.test_postgres_store import SERVER, pg_driver, pg_settings  # noqa: F401  (fixtures)


RAISED_BY = {"actor": "SSW-14", "role": "senior_support_worker"}


async def replay(driver, case_id):
    return await replay_case(driver.env.client, driver.records, case_id, WORKFLOWS, driver.env.client.data_converter)


async def test_a_case_that_continued_as_new_replays_and_matches_the_store(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"), history_limit=40)
    await missed_and_escalated(case)
    runs = await fetch_runs(driver.env.client, case.id)
    assert len(runs) >= 2  # it continued as new
    report = await replay(driver, case.id)
    assert report.status == "consistent", report.problems
    assert report.runs == len(runs) and report.history_facts == report.store_facts == len(case.facts())
    assert report.line().startswith(f"{case.id}: consistent ({len(runs)} runs")
    assert case_ids(driver.records) == [case.id]

    await driver.terminate_open_cases()  # then a fact slipped into the store behind the workflow's back
    n = len(case.facts())
    driver.records.record(case.id, n + 1, [DevelopmentRecorded(at="2027-03-01T10:00:00+00:00", development=9,
                                                               kind="update", summary="not by the workflow")])
    report = await replay(driver, case.id)
    assert report.status == "inconsistent" and not report.ok
    assert report.problems == [f"events #{n + 1}-#{n + 1} are in the store but the workflow never recorded them"]


async def test_a_closed_case_past_temporal_retention_is_retained_by_safeguard(driver):
    closed = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="RET-1"))
    await full_pathway(StoryCase(closed))
    driver.records.record("RET-1", 1, closed.facts)  # its workflow history is gone (never in this server)
    report = await replay(driver, "RET-1")
    assert report.status == "retained" and report.ok and "history retained by Safeguard only" in report.line()

    live = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="RET-2"))
    driver.records.record("RET-2", 1, live.facts)
    report = await replay(driver, "RET-2")
    assert report.status == "no history" and not report.ok


async def test_the_replay_command(driver, monkeypatch):
    import asyncio

    from typer.testing import CliRunner

    from cli.main import app
    from configuration.settings import get_settings

    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"), history_limit=40)
    await missed_and_escalated(case)
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(driver.settings.data_dir))
    monkeypatch.setenv("SAFEGUARD_TEMPORAL_ADDRESS", driver.env.client.service_client.config.target_host)
    get_settings.cache_clear()
    try:
        one = await asyncio.to_thread(CliRunner().invoke, app, ["evidence", "replay", case.id])
        assert one.exit_code == 0 and one.stdout.startswith(f"{case.id}: consistent ("), one.output
        every = await asyncio.to_thread(CliRunner().invoke, app, ["evidence", "replay", "--all"])
        assert every.exit_code == 0, every.output
        assert every.stdout.splitlines()[0] == "1 consistent, 0 erased under retention, 0 failing"
        unknown = await asyncio.to_thread(CliRunner().invoke, app, ["evidence", "replay", "SG-NOPE"])
        assert unknown.exit_code == 2 and unknown.stdout == "", unknown.output
        assert unknown.stderr.splitlines() == ["error: no case SG-NOPE in Temporal or in the event store"]
        neither = await asyncio.to_thread(CliRunner().invoke, app, ["evidence", "replay"])
        assert neither.exit_code == 2 and "give one case id, or --all" in neither.stderr
    finally:
        get_settings.cache_clear()


@pytest.mark.unit
def test_the_summary_counts_each_status():
    reports = [ReplayReport("A", "consistent"), ReplayReport("B", "consistent"),
               ReplayReport("C", "erased", problems=["erased under retention on 2027-01-01"])]
    assert summary(reports) == "2 consistent, 1 erased under retention, 0 failing"
    reports += [ReplayReport("D", "retained"), ReplayReport("E", "inconsistent"), ReplayReport("F", "no history")]
    assert summary(reports) == ("2 consistent, 1 with history retained by Safeguard only, 1 erased under retention, "
                                "2 failing")


@pytest_asyncio.fixture(loop_scope="session")
async def local_driver(tmp_path):
    """The real local dev server (the time-skipping one cannot list workflows)."""
    settings = Settings(data_dir=tmp_path, task_queue=f"replay-{uuid.uuid4().hex[:6]}", workflow_sandbox=True)
    records = open_records(settings)
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli(), **client_options(settings, records))
    async with build_worker(env.client, records, settings):
        d = CaseDriver(env, settings, records)
        yield d
        await d.terminate_open_cases()
    await env.shutdown()


async def test_replay_all_finds_a_case_gone_from_the_store_entirely(local_driver):
    import sqlite3

    from eventstore.events import case_stream

    kept = await local_driver.raise_concern(concern("2026-11-20T09:30:00+00:00", raised_by=RAISED_BY))
    gone = await local_driver.raise_concern(concern("2026-11-20T10:30:00+00:00", raised_by=RAISED_BY))
    recorded = len(gone.facts())
    with sqlite3.connect(local_driver.settings.event_store_env()["SQLITE_DBNAME"]) as db:
        db.execute("DELETE FROM stored_events WHERE originator_id = ?", [case_stream(gone.id).hex])
    client = local_driver.env.client
    for _ in range(100):  # Temporal's list of workflows is eventually consistent
        ids, listed = await every_case(client, local_driver.records, "SafeguardingConcernWorkflow")
        if gone.id in ids:
            break
        await asyncio.sleep(0.1)
    assert listed and ids == [kept.id, gone.id]
    reports = {c: await replay(local_driver, c) for c in ids}
    assert reports[kept.id].status == "consistent"
    assert reports[gone.id].status == "inconsistent"
    assert reports[gone.id].problems == [f"events #1-#{recorded} were recorded by the workflow but are not in the store"]


@pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
async def test_replay_on_postgres(pg_driver):
    case = await pg_driver.raise_concern(concern("2027-01-12T09:30:00+00:00"), history_limit=40)
    await missed_and_escalated(case)
    report = await replay_case(pg_driver.env.client, pg_driver.records, case.id, WORKFLOWS,
                               pg_driver.env.client.data_converter)
    assert report.status == "consistent" and report.runs >= 2, report.problems
    assert report.store_facts == len(case.facts())
