"""`safeguard evidence replay`: every run of a case (across continue-as-new) replays on today's
code, and the store holds exactly the facts its history recorded; a closed case whose history
Temporal no longer holds is "retained by Safeguard only"; a difference is named by event."""

from __future__ import annotations

from temporalio.contrib.pydantic import pydantic_data_converter

from bootstrap import WORKFLOWS
from domain.facts import DevelopmentRecorded
from evidence.replay import case_ids, fetch_runs, replay_case
from tests.conftest import concern
from tests.pure_case import PureCase, StoryCase
from tests.stories import full_pathway, missed_and_escalated


async def replay(driver, case_id):
    return await replay_case(driver.env.client, driver.records, case_id, WORKFLOWS, pydantic_data_converter)


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
        assert every.exit_code == 0 and every.stdout.startswith("1 of 1 cases consistent"), every.output
        neither = await asyncio.to_thread(CliRunner().invoke, app, ["evidence", "replay"])
        assert neither.exit_code == 2 and "give one case id, or --all" in neither.stderr
    finally:
        get_settings.cache_clear()
