"""The composition root: the one place Safeguard's parts are wired together. The worker, the CLI,
the simulation, the benchmarks and the tests all build what they need from here."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from activities.audit_activities import AuditActivities
from activities.case_activities import CaseActivities
from activities.legacy_activities import LegacyCaseActivities
from configuration.settings import Settings
from eventstore.application import SafeguardingRecords
from projections.registry import open_feed
from workflows.audit import GovernanceAuditWorkflow
from workflows.concern import SafeguardingConcernWorkflow

WORKFLOWS = [SafeguardingConcernWorkflow, GovernanceAuditWorkflow]


def open_records(settings: Settings) -> SafeguardingRecords:
    return SafeguardingRecords(env=settings.event_store_env())


async def connect(settings: Settings, **options: Any) -> Client:
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                data_converter=pydantic_data_converter, **options)


def activities(records: SafeguardingRecords, settings: Settings, acts: CaseActivities | None = None) -> list[Any]:
    acts = acts or CaseActivities(records, settings)
    legacy = LegacyCaseActivities(acts)
    audits = AuditActivities(records, settings)
    return [acts.case_policy, acts.holiday_table, acts.append_facts, acts.assess_case_threshold, acts.service_history,
            legacy.load_case_policy, legacy.compute_deadlines, legacy.record_facts, legacy.assess_threshold,
            audits.run_governance_audit]


def build_worker(client: Client, records: SafeguardingRecords, settings: Settings, acts: CaseActivities | None = None,
                 **options: Any) -> Worker:
    return Worker(client, task_queue=settings.task_queue, workflows=WORKFLOWS,
                  activities=activities(records, settings, acts),
                  activity_executor=ThreadPoolExecutor(max_workers=8), **options)


def start_projections(records: SafeguardingRecords) -> threading.Event:
    """Keep the read models current in a background thread; set the returned event to stop it."""
    stop = threading.Event()
    feed = open_feed(records)
    threading.Thread(target=feed.run, args=(stop,), name="projections", daemon=True).start()
    return stop
