"""Escalations of work other than a case are told too (issue 20): a governance action missed goes
to the role it escalated to, by email with a link to the governance page, and the action's stream
records who was told. No personal data in the message."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from configuration.settings import Settings
from domain.access import Assignment
from eventstore.accounts import Accounts
from eventstore.audit import action_stream
from simulation.runner import CaseClock
from tests.servers.mail import MailServer
from tests.test_governance_actions import at, missed_seriousness_case, weekly
from workflows.governance_action import ActionInput, GovernanceActionWorkflow, action_workflow_id


@pytest.fixture
def mail():
    with MailServer() as server:
        yield server


@pytest.fixture
def settings(tmp_path, mail) -> Settings:
    return Settings(data_dir=tmp_path, task_queue=f"test-{uuid.uuid4().hex[:8]}", workflow_sandbox=True,
                    smtp_host="127.0.0.1", smtp_port=mail.port, smtp_from="alerts@sg.example", public_url="https://sg.example")


async def test_a_missed_governance_action_is_told_to_the_role_it_escalated_to(env, driver, records, mail):
    accounts = Accounts(records)
    accounts.add_user("OD-1", "OD-1", None, by="test")
    accounts.grant("OD-1", Assignment("operations_director", None), by="test")  # organisation-wide
    accounts.set_contact("OD-1", "olu@example.org", None, True, by="test")
    case_id = missed_seriousness_case(records, "2027-02-02T16:00:00+00:00")
    raised_at = at("2027-02-08T07:00:00+00:00")
    clock = CaseClock(env, raised_at - await env.get_current_time())
    (action,) = weekly(records, date(2027, 2, 8)).actions
    ref = f"weekly-2027-02-08-{action.action}"
    handle = await env.client.start_workflow(GovernanceActionWorkflow.run, ActionInput(ref=ref, clock_offset=clock.offset),
                                             id=action_workflow_id(ref), task_queue=driver.settings.task_queue)
    driver.handles.append(handle)
    await clock.advance_to(at("2027-02-13T10:00:00+00:00"))  # due Friday 12 February 17:00: missed, to the operations director
    for _ in range(60):
        told = [r.fact for r in records.stream(action_stream(ref)) if r.fact.type == "WorkAlerted"]
        if told:
            break
        await env.sleep(timedelta(seconds=1))
    [fact] = told
    assert (fact.alert_id, fact.to_role, [(t.user_id, t.channel) for t in fact.told], fact.not_delivered) == (
        f"{ref}.E1", "operations_director", [("OD-1", "email")], None)
    [message] = mail.mailbox.messages
    assert message["Subject"] == "Safeguarding governance action escalated"
    body = message.get_payload()
    assert "https://sg.example/governance" in body and "for the organisation" in body
    assert case_id not in body and "A-117" not in body
    state = await handle.query(GovernanceActionWorkflow.status)
    assert state.alerted == (f"{ref}.E1",)


async def test_a_missed_provider_process_review_is_told_to_the_commissioner(driver, records, mail):
    from tests.test_provider_process import ACTION_PLAN_REVIEW, PROVIDER_MEETING, Process, service
    svc = service("ELM", "Elm House", "Northgate Care")
    accounts = Accounts(records)
    accounts.add_user("COM-2", "COM-2", None, by="test")
    accounts.grant("COM-2", Assignment("commissioner", None), by="test")
    accounts.set_contact("COM-2", "cam@example.org", None, True, by="test")
    p = await Process.at(driver, svc["id"], "2027-01-13T10:00:00+00:00")
    opened = await p.open()
    await p.notices()
    now = await p.now()
    review_date = now + timedelta(days=14)
    await p.step(PROVIDER_MEETING.id, held_at=now.isoformat(), review_date=review_date.isoformat(),
                 actions=[{"id": "A1", "action": "retrain staff", "owner": "RM-9", "due": (now + timedelta(days=30)).isoformat()}])
    await p.step("share_minutes", shared_at=now.isoformat(), minutes_reference="MIN-1")
    await p.advance(review_date + timedelta(hours=1))  # the review missed: escalated to the commissioner
    for _ in range(60):
        told = [f.fact for f in p.facts(opened.process_id) if f.type == "WorkAlerted"]
        if told:
            break
        await driver.env.sleep(timedelta(seconds=1))
    [fact] = told
    assert (fact.alert_id, fact.to_role, [(t.user_id, t.channel) for t in fact.told]) == (
        f"{opened.process_id}.E1", "commissioner", [("COM-2", "email")])
    [message] = mail.mailbox.messages
    assert message["Subject"] == "Safeguarding provider concern process escalated"
    assert f"https://sg.example/commissioner/services/{svc['id']}" in message.get_payload()
    assert ACTION_PLAN_REVIEW.id.replace("_", " ") in message.get_payload()
    await p.terminate()
