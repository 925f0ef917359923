"""The Safeguard worker: runs case workflows and their activities on one task queue.

`python worker.py` connects to the Temporal server and event store named by SAFEGUARD_*
settings; `safeguard dev` starts the embedded stack and runs this worker inside it.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import structlog
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from activities.audit_activities import AuditActivities
from activities.case_activities import CaseActivities
from configuration.logging import configure_logging
from configuration.settings import Settings, get_settings
from eventstore.application import SafeguardingRecords
from projections.registry import open_feed
from workflows.audit import GovernanceAuditWorkflow, ensure_schedules
from workflows.concern import SafeguardingConcernWorkflow

WORKFLOWS = [SafeguardingConcernWorkflow, GovernanceAuditWorkflow]


def open_records(settings: Settings) -> SafeguardingRecords:
    return SafeguardingRecords(env=settings.event_store_env())


def build_worker(
    client: Client, records: SafeguardingRecords, settings: Settings, acts: CaseActivities | None = None, **options
) -> Worker:
    acts = acts or CaseActivities(records, settings)
    audits = AuditActivities(records, settings)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=[acts.load_case_policy, acts.compute_deadlines, acts.record_facts, acts.assess_threshold,
                    acts.service_history, audits.run_governance_audit],
        activity_executor=ThreadPoolExecutor(max_workers=8),
        **options,
    )


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address, namespace=settings.temporal_namespace, data_converter=pydantic_data_converter
    )


def start_projections(records: SafeguardingRecords) -> threading.Event:
    """Keep the read models current in a background thread; set the returned event to stop it."""
    stop = threading.Event()
    feed = open_feed(records)
    threading.Thread(target=feed.run, args=(stop,), name="projections", daemon=True).start()
    return stop


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format)
    client = await connect(settings)
    records = open_records(settings)
    stop = start_projections(records)
    await ensure_schedules(client, settings)
    structlog.get_logger("safeguard.worker").info("worker started", task_queue=settings.task_queue)
    try:
        await build_worker(client, records, settings).run()
    finally:
        stop.set()


if __name__ == "__main__":
    asyncio.run(main())
