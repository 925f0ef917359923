"""Records GovernanceAuditWorkflow histories for the replay test (tests/test_replay.py).

A weekly audit over a week with a missed same-day seriousness assessment, so it raises an action.
Run with the code whose histories are to be pinned on the path, e.g. before issue 12's patch:

    cd /path/to/older/checkout && AUDIT_HISTORIES=$PWD/../this/tests/histories/audits \
        .venv/bin/python /path/to/this/tests/histories/record_audit_histories.py NAME
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from configuration.logging import configure_logging
from configuration.settings import Settings
from domain.governance import AuditRequest
from encryption.seal import sealing_key
from simulation.runner import start_test_environment
from tests.conftest import concern
from tests.pure_case import PureCase
from workflows.audit import GovernanceAuditWorkflow
from bootstrap import build_worker, open_records

HERE = Path(os.environ.get("AUDIT_HISTORIES", Path(__file__).parent / "audits"))  # where they are written


async def main(name: str) -> None:
    configure_logging(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), task_queue=f"histories-{uuid.uuid4().hex[:6]}", workflow_sandbox=True)
        env = await start_test_environment(None, sealing_key(settings))  # plain payloads: the histories replay keyless
        records = open_records(settings)
        today = (await env.get_current_time()).date() - timedelta(days=1)
        as_of = today - timedelta(days=today.weekday())
        pure = PureCase(concern(f"{as_of - timedelta(days=6)}T10:00:00+00:00", case_id="HIST-AUDIT-1"))
        pure.at(pure.now + timedelta(minutes=5)).complete("record_concern")
        pure.at(pure.now + timedelta(hours=8))
        records.record("HIST-AUDIT-1", 1, pure.facts)
        async with build_worker(env.client, records, settings):
            handle = await env.client.start_workflow(GovernanceAuditWorkflow.run, AuditRequest(kind="weekly", as_of=as_of),
                                                     id=f"HIST-{name}", task_queue=settings.task_queue)
            record = await handle.result()
            print(f"{name}: actions {[a.action for a in record.actions]}")
            history = await handle.fetch_history()
            (HERE / f"{name}.json").write_text(history.to_json())
            print(f"{name}: {len(history.events)} history events")
            for a in record.actions:  # the tracking workflows an audit starts (issue 12), if any
                try:
                    await env.client.get_workflow_handle(f"governance-action-weekly-{as_of}-{a.action}").terminate("recorded")
                except Exception:
                    pass
    await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
