"""Records workflow histories for the replay test.

Run when the workflow gains behaviour worth pinning (never to "fix" a failing replay: a
replay failure means running cases would break, so guard the change with workflow.patched):

    .venv/bin/python -m tests.histories.record_histories
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import uuid
from pathlib import Path

from configuration.logging import configure_logging
from configuration.settings import Settings
from domain.pathway import current_pathway
from encryption.seal import sealing_key
from simulation.runner import start_test_environment
from tests.cases import CaseDriver
from tests.conftest import concern
from tests.stories import full_pathway, missed_and_escalated
from bootstrap import build_worker, open_records

HERE = Path(__file__).parent
# Bump when the workflow code gains a `workflow.patched` branch, so histories of both sides stay.
WORKFLOW_REVISION = "decider"


async def main() -> None:
    configure_logging(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), task_queue=f"histories-{uuid.uuid4().hex[:6]}", workflow_sandbox=True)
        env = await start_test_environment(None, sealing_key(settings))  # plain payloads: the histories replay keyless
        records = open_records(settings)
        async with build_worker(env.client, records, settings):
            driver = CaseDriver(env, settings, records)
            stories = {
                "full_pathway": (full_pathway, 10_000),
                "missed_and_escalated": (missed_and_escalated, 10_000),
                "continued_as_new": (missed_and_escalated, 40),
            }
            for name, (story, limit) in stories.items():
                case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", case_id=f"HIST-{name}"), history_limit=limit)
                first_run = (await case.handle.describe()).run_id
                await story(case)
                history = await env.client.get_workflow_handle(case.id, run_id=first_run).fetch_history()
                (HERE / f"{name}@{current_pathway().version}+{WORKFLOW_REVISION}.json").write_text(history.to_json())
                print(f"{name}: {len(history.events)} history events")
            await driver.terminate_open_cases()
    await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
