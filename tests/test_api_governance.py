"""Governance over the API: audits, the actions they raise (completed by their owner's role, with
evidence, as the identity says), and the national return as an audited export."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest_asyncio

from bootstrap import build_worker
from domain.access import Assignment
from eventstore.audit import action_stream
from simulation.runner import CaseClock
from tests.api_support import Api
from tests.test_governance_actions import missed_seriousness_case, weekly
from workflows.governance_action import ActionInput, GovernanceActionWorkflow, action_workflow_id


@pytest_asyncio.fixture(loop_scope="session")
async def api(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Api(env, settings, records)


async def test_an_audit_action_completed_by_its_owners_role_and_the_national_export(api):
    env = api.env
    missed_seriousness_case(api.records, "2027-02-02T16:00:00+00:00")
    (action,) = weekly(api.records, date(2027, 2, 8)).actions
    ref = f"weekly-2027-02-08-{action.action}"
    clock = CaseClock(env, datetime.fromisoformat("2027-02-09T10:00:00+00:00") - await env.get_current_time())
    handle = await env.client.start_workflow(GovernanceActionWorkflow.run, ActionInput(ref=ref, clock_offset=clock.offset),
                                             id=action_workflow_id(ref), task_queue=api.settings.task_queue)
    for _ in range(100):  # the workflow loads the action from the store first
        try:
            await handle.query(GovernanceActionWorkflow.status)
            break
        except Exception:
            await asyncio.sleep(0.05)
    async with api.as_user("TL-5", Assignment("team_leader", "SVC-ELM")) as tl, \
            api.as_user("QSL-5", Assignment("quality_safeguarding_lead")) as qsl:
        refused = await tl.post(f"/governance/actions/{ref}/completion", json={"evidence": "briefing"})
        assert refused.status_code == 403
        assert refused.json()["detail"] == (f"Only a quality safeguarding lead can complete action {ref}. "
                                            "You are a team leader at SVC-ELM.")
        unknown = await qsl.post("/governance/actions/weekly-1999-01-01-x/completion", json={"evidence": "x"})
        assert unknown.status_code == 404
        named = await qsl.post(f"/governance/actions/{ref}/completion", json={"evidence": "x", "role": "team_leader"})
        assert named.status_code == 422
        done = await qsl.post(f"/governance/actions/{ref}/completion",
                              json={"evidence": "same-day assessment briefing for RM-1 and RM-2"})
        assert done.status_code == 200, done.text
        assert (done.json()["status"], done.json()["completed_by"]) == ("completed", "quality_safeguarding_lead")
        view = await qsl.get("/governance")  # (the action, raised in 2027 on the test's clock, is not yet shown now)
        assert view.status_code == 200 and "actions" in view.json() and view.json()["audits"]
        assert (await tl.get("/reports/national", params={"year": 2026})).status_code == 403
        report = await qsl.get("/reports/national", params={"year": 2026})
        assert report.status_code == 200 and report.json()["year"] == "2026-27"
    completed = [r.fact for r in api.records.stream(action_stream(ref))][-1]
    assert (completed.actor, completed.role) == ("QSL-5", "quality_safeguarding_lead")
    exports = [a for a in api.accounts.access_log(user_id="QSL-5") if a.action == "export"]
    assert [e.what for e in exports] == ["GET /api/v1/reports/national"]
