"""A missed deadline is recorded and escalated up the chain, and further up while it stays open;
working-time deadlines respect bank holidays and daylight saving (001 timings, issue 2 'Time')."""

from tests.conftest import concern


async def test_missed_deadline_escalates_up_the_chain_until_done(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    # Nobody records the concern: due 09:45, then each further 15 minutes it goes one role higher.
    await case.at("2027-01-12T10:31:00+00:00")
    chain = [(e["at"], e["from_role"], e["to_role"], e["cause"]) for e in case.escalations()]
    assert chain == [
        ("2027-01-12T09:45:00Z", "senior_support_worker", "team_leader", "missed_deadline"),
        ("2027-01-12T10:00:00Z", "team_leader", "registered_manager", "still_open"),
        ("2027-01-12T10:15:00Z", "registered_manager", "designated_safeguarding_lead", "still_open"),
        ("2027-01-12T10:30:00Z", "designated_safeguarding_lead", "operations_director", "still_open"),
    ]
    assert case.types().count("DeadlineMissed") == 1
    status = await case.status()
    (open_step,) = [s for s in status.open_steps if s.step == "record_concern"]
    assert open_step.missed and open_step.can_complete[-1] == "operations_director"

    # The step stays open until done; then it is late, and its escalations are settled.
    await case.at("2027-01-12T10:50:00+00:00")
    assert len(case.escalations()) == 5  # operations_director -> nominated_individual at 10:45
    receipt = await case.complete("record_concern", role="operations_director")
    assert receipt.on_time is False
    assert (await case.status()).escalations == []
    assert case.step("record_concern")["missed_at"] == "2027-01-12T09:45:00Z"
    await case.at("2027-01-12T12:00:00+00:00")
    # since then only peer_risk_review (due 10:50+30m=11:20): missed at 11:20, still open at 11:50
    assert [e["step"] for e in case.escalations()[5:]] == ["peer_risk_review", "peer_risk_review"]


async def test_escalated_role_may_complete_but_others_may_not(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:50:00+00:00")  # missed at 09:45: escalated to team_leader
    receipt = await case.complete("record_concern", role="team_leader")
    assert receipt.on_time is False


async def test_bank_holiday_weekend_christmas_2026(driver):
    # Thursday 24 December 2026, 15:00: Christmas Day (Fri) and Boxing Day substitute (Mon 28) are bank holidays.
    case = await driver.raise_concern(concern("2026-12-24T15:00:00+00:00"))
    await case.at("2026-12-24T15:05:00+00:00")
    await case.complete("record_concern")
    # 4 working hours: 1h55m on Thursday, then 2h05m from Tuesday 29 December 09:00.
    assert case.step("route_decision")["due"] == "2026-12-29T11:05:00Z"
    assert case.step("seriousness_assessment")["due"] == "2026-12-24T17:00:00Z"
    # The 72-hourly oversight is clock time: holidays do not pause it.
    assert case.step("live_case_oversight")["due"] == "2026-12-27T15:05:00Z"
    opened = [f for f in case.facts() if f.type == "StepOpened" and f.fact.step == "route_decision"][0]
    assert opened.fact.holiday_table.startswith("holidays ") and "GB-ENG" in opened.fact.holiday_table
    # Nothing escalates over the holiday for the route decision; it does once Tuesday's time runs out.
    await case.at("2026-12-29T11:00:00+00:00")
    assert not any(e["step"] == "route_decision" for e in case.escalations())
    await case.at("2026-12-29T11:06:00+00:00")
    assert any(e["step"] == "route_decision" and e["to_role"] == "operations_director" for e in case.escalations())


async def test_daylight_saving_change_keeps_local_working_hours(driver):
    # Friday 26 March 2027 16:00 GMT; clocks go forward on Sunday 28 March (and Easter Monday 29th is a holiday).
    case = await driver.raise_concern(concern("2027-03-26T16:00:00+00:00"))
    await case.at("2027-03-26T16:10:00+00:00")
    await case.complete("record_concern")
    # Good Friday 26 March 2027 is itself a bank holiday: 4 working hours run from Tuesday 30 March 09:00 BST.
    assert case.step("route_decision")["due"] == "2027-03-30T12:00:00Z"  # 13:00 BST
    # End of the working day of a holiday event: the close of the next working day, 17:00 BST.
    assert case.step("seriousness_assessment")["due"] == "2027-03-30T16:00:00Z"
    # 72 clock hours are 72 elapsed hours across the change.
    assert case.step("live_case_oversight")["due"] == "2027-03-29T16:10:00Z"
