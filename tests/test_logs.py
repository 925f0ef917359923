"""Logs carry case ids and steps, never a summary, a record's text or anything but ids."""

import logging

from tests.conftest import concern

SECRET_SUMMARY = "Mrs Example was pushed by Mr Sample near the piano"
SECRET_RECORD = "Mr Sample shouted at Mrs Example"


async def test_logs_name_cases_and_steps_but_hold_no_personal_detail(driver, caplog):
    caplog.set_level(logging.DEBUG)
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", summary=SECRET_SUMMARY))
    await case.at("2027-01-12T10:00:00+00:00")  # missed: an escalation is logged
    await case.complete("record_concern", role="team_leader", behaviour_observed=SECRET_RECORD)
    records = [r for r in caplog.records if r.name.startswith(("safeguard", "temporalio.workflow"))]
    assert any(getattr(r, "case_id", None) == case.id and getattr(r, "step", None) == "record_concern" for r in records)
    dumped = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert SECRET_SUMMARY not in dumped and SECRET_RECORD not in dumped
    assert "Mrs Example" not in dumped
