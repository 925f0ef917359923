"""Records provider-concern process workflow histories (004) for the replay test.

Run when the process workflow gains behaviour worth pinning (never to "fix" a failing replay:
guard the change with workflow.patched instead):

    .venv/bin/python -m tests.histories.record_process_histories
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from casework.temporal.processes import process_workflow_id
from configuration.logging import configure_logging
from configuration.settings import Settings
from domain.provider_concerns import provider_concern_process
from encryption.seal import sealing_key
from simulation.runner import start_test_environment
from tests.cases import CaseDriver
from tests.test_commissioner import run_case, service
from tests.test_provider_decider import SUSPENSION_EVIDENCE
from tests.test_provider_process import Process
from bootstrap import build_worker, open_records

HERE = Path(__file__).parent / "provider_process"
WORKFLOW_REVISION = "first"  # bump when the process workflow gains a `workflow.patched` branch


async def caution_to_continue(p: Process) -> None:
    """Opened, notices, a meeting with a plan, an action missed, the review, then continue."""
    await p.open()
    await p.notices()
    now = await p.now()
    await p.step("provider_meeting", held_at=now.isoformat(), review_date=(now + timedelta(days=14)).isoformat(),
                 actions=[{"id": "A1", "action": "1:1 staffing", "owner": "RM-9", "due": (now + timedelta(days=7)).isoformat()},
                          {"id": "A2", "action": "retrain staff", "owner": "RM-9", "due": (now + timedelta(days=3)).isoformat()}])
    await p.advance(now + timedelta(days=5))
    await p.step("action_update", action_id="A1", undertaken=True)
    await p.step("action_plan_review", actions_undertaken={"A1": True, "A2": False}, risks="managed")
    await p.decide("continue", risk_assessment="managed", safeguarding_plan="supervised spaces",
                   monitoring_arrangements="weekly visits", review_arrangements="three months")


async def suspended_and_escalated(p: Process) -> None:
    """Immediate action, a refused then made suspension, informing late and escalated, then closed."""
    await p.open()
    await p.step("immediate_action", role="commissioner", serious_risk="serious injury", action="remove_alleged_perpetrator",
                 potential_criminal_offence=True)
    await p.notices()
    try:
        await p.decide("suspend", **{k: v for k, v in SUSPENSION_EVIDENCE.items() if k != "period_to"})
    except Exception:
        pass  # refused: nothing recorded
    await p.decide("suspend", **SUSPENSION_EVIDENCE)
    await p.advance(await p.now() + timedelta(days=5))
    now = (await p.now()).isoformat()
    await p.step("inform_police", informed_at=now, reference="POL-1")
    await p.step("inform_neighbouring_commissioners", informed_at=now, informed="LA-N, ICB-S",
                 wider_sharing={"service_users": True, "relatives": True, "further_authorities": False,
                                "other_organisations": False, "public": False}, wider_sharing_rationale="residents told")


async def first_run_history(client, workflow_id: str):
    """The history of the process's first run: walked back through the runs continue-as-new began."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    while previous := history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=previous).fetch_history()
    return history


async def main() -> None:
    configure_logging(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), task_queue=f"histories-{uuid.uuid4().hex[:6]}", workflow_sandbox=True)
        env = await start_test_environment(None, sealing_key(settings))  # plain payloads: the histories replay keyless
        records = open_records(settings)
        async with build_worker(env.client, records, settings):
            driver = CaseDriver(env, settings, records)
            stories = (("caution_to_continue", caution_to_continue, None),
                       ("suspended_and_escalated", suspended_and_escalated, None),
                       ("continued_as_new", caution_to_continue, 20))  # its first run, ending in continue-as-new
            for name, story, limit in stories:
                svc = service("HIST", "History House", "Northgate Care")
                await run_case(driver, svc, "2027-01-12T09:30:00+00:00", "A-117", "A-204")
                p = await Process.at(driver, svc["id"], "2027-01-13T10:00:00+00:00")
                p.history_limit = limit
                await story(p)
                history = await first_run_history(env.client, process_workflow_id(svc["id"]))
                (HERE / f"{name}@{provider_concern_process().version}+{WORKFLOW_REVISION}.json").write_text(history.to_json())
                print(f"{name}: {len(history.events)} history events")
            await driver.terminate_open_cases()
    await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
