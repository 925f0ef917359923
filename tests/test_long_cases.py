"""Long-lived cases stay healthy: the workflow continues as new with its state intact."""

from temporalio.client import WorkflowExecutionStatus

from tests.conftest import concern


async def test_case_continues_as_new_and_keeps_its_clock(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"), history_limit=40)
    first_run = (await case.handle.describe()).run_id
    await case.at("2027-01-12T09:35:00+00:00")
    await case.complete("record_concern")
    # Three weeks of 72-hourly oversight reviews nobody does: each is missed and escalated.
    await case.at("2027-02-02T12:00:00+00:00")
    latest = driver.env.client.get_workflow_handle(case.id)
    desc = await latest.describe()
    assert desc.status == WorkflowExecutionStatus.RUNNING and desc.run_id != first_run
    oversight = [s for s in case.steps() if s["step"] == "live_case_oversight"]
    # due 15, 18, 21, 24, 27, 30 Jan and 2 Feb 09:35 (all missed), and the next, due 5 Feb, open
    assert [s["due"][:10] for s in oversight] == [
        "2027-01-15", "2027-01-18", "2027-01-21", "2027-01-24", "2027-01-27", "2027-01-30", "2027-02-02", "2027-02-05"]
    assert all(s["missed_at"] for s in oversight[:7]) and oversight[7]["missed_at"] is None
    seqs = [f.seq for f in case.facts()]
    assert seqs == list(range(1, len(seqs) + 1))  # no gap, no duplicate across runs
    # The continued run still accepts work and knows what is open.
    status = await latest.query("status")
    assert status["events_recorded"] == len(seqs)
    case.handle = latest
    receipt = await case.complete("live_case_oversight")
    assert receipt.occurrence == 1 and receipt.on_time is False
