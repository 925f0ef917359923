"""Records workflow histories for the replay test.

Run when the workflow gains behaviour worth pinning (never to "fix" a failing replay: a
replay failure means running cases would break, so guard the change with workflow.patched):

    .venv/bin/python -m tests.histories.record_histories [STORY ...]

Name stories to record only those (e.g. `alerted`): the others' files stay as they were.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from configuration.logging import configure_logging
from configuration.settings import Settings
from domain.pathway import current_pathway
from encryption.seal import sealing_key
from simulation.runner import start_test_environment
from tests.cases import CaseDriver
from tests.conftest import concern
from tests.stories import amended, corrected_closed, full_pathway, missed_and_escalated
from bootstrap import build_worker, open_records

HERE = Path(__file__).parent
# Bump when the workflow code gains a `workflow.patched` branch, so histories of both sides stay.
WORKFLOW_REVISION = "alerts-at-open"
LAST_RUN = {"corrected_closed"}  # stories whose pinned history is the case's last run, not its first


def contacts(records) -> None:
    """People with contact details at every rung, for the alerted story: the on-call cover Tuesday
    to Wednesday, so messages go in and out of working hours."""
    from datetime import datetime, timezone
    from domain.access import Assignment
    from eventstore.accounts import Accounts
    from eventstore.oncall import OnCallRota
    accounts, rota = Accounts(records), OnCallRota(records)
    start = datetime(2027, 1, 12, 0, 0, tzinfo=timezone.utc)
    for n, role in enumerate(("senior_support_worker", "team_leader", "registered_manager", "designated_safeguarding_lead",
                              "operations_director", "nominated_individual"), 1):
        user = f"H-{n}"
        accounts.add_user(user, user, None, by="histories")
        accounts.grant(user, Assignment(role, "SVC-ELM"), by="histories")
        accounts.set_contact(user, f"h{n}@example.org", None, True, by="histories")
        for day in range(0, 28, 7):
            rota.set("SVC-ELM", role, user, start + timedelta(days=day), start + timedelta(days=day + 7), by="histories")


async def main(only: list[str]) -> None:
    from tests.servers.mail import MailServer
    configure_logging(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, MailServer() as mail:
        settings = Settings(data_dir=Path(tmp), task_queue=f"histories-{uuid.uuid4().hex[:6]}", workflow_sandbox=True)
        alerting = settings.model_copy(update=dict(smtp_host="127.0.0.1", smtp_port=mail.port, smtp_from="alerts@sg.example"))
        env = await start_test_environment(None, sealing_key(settings))  # plain payloads: the histories replay keyless
        records = open_records(settings)
        stories = {
            "full_pathway": (full_pathway, 10_000, settings),
            "missed_and_escalated": (missed_and_escalated, 10_000, settings),
            "continued_as_new": (missed_and_escalated, 40, settings),
            "alerted": (missed_and_escalated, 10_000, alerting),  # alerts on: told, climbing, approaching (issue 20)
            "amended": (amended, 10_000, settings),  # records corrected, decisions reviewed (issue 22)
            "corrected_closed": (corrected_closed, 10_000, settings),  # a closed case's own run for a correction
        }
        for name, (story, limit, story_settings) in stories.items():
            if only and name not in only:
                continue
            if story_settings is alerting:
                contacts(records)
            async with build_worker(env.client, records, story_settings):
                driver = CaseDriver(env, story_settings, records)
                case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", case_id=f"HIST-{name}"), history_limit=limit)
                first_run = (await case.handle.describe()).run_id
                await story(case)
                # a closed case's correction runs in a run of its own: that run's history is the one pinned
                run = (await case.handle.describe()).run_id if name in LAST_RUN else first_run
                history = await env.client.get_workflow_handle(case.id, run_id=run).fetch_history()
                (HERE / f"{name}@{current_pathway().version}+{WORKFLOW_REVISION}.json").write_text(history.to_json())
                print(f"{name}: {len(history.events)} history events")
                await driver.terminate_open_cases()
    await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
