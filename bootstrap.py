"""The composition root: the one place Safeguard's parts are wired together. The worker, the CLI,
the web app, the simulation, the benchmarks and the tests all build what they need from here:
the event store, the connection to Temporal, the worker, and the `Ports` every use case takes.
It imports no face: the CLI's `serve` and `dev` start the web app themselves."""

from __future__ import annotations

import sys

# The workflow sandbox runs the workflow module afresh for every case: let it load compiled
# bytecode rather than compile the source each time (PYTHONDONTWRITEBYTECODE is set on these
# machines). Before the imports below, so the workflow modules' bytecode is written.
sys.dont_write_bytecode = False

import asyncio  # noqa: E402
import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Literal

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import TLSConfig
from temporalio.worker import FixedSizeSlotSupplier, UnsandboxedWorkflowRunner, Worker, WorkerTuner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.audit_activities import AuditActivities
from activities.case_activities import CaseActivities
from activities.legacy_activities import LegacyCaseActivities
from activities.process_activities import ProcessActivities
from casework.ports import Ports
from casework.refusals import Unavailable
from casework.temporal.availability import RPC_TIMEOUT
from activities.alert_activities import AlertActivities
from alerts.senders import Senders
from casework.temporal.processes import keep_proposing
from casework.temporal.stopped import keep_watching
from configuration.files import private_data_dir
from configuration.redaction import PersonalTextInterceptor
from configuration.settings import Settings
from configuration.worker_slots import FewNewAtOnce
from encryption.payload_codec import data_converter
from encryption.seal import SealCheck, Sealer, sealing_key, sealing_keys
from eventsourcing.persistence import IntegrityError, InternalError
from eventstore.application import SafeguardingRecords
from eventstore.keys import KeyStore
from eventstore.master_keys import ring_for
from operations.keys import open_key_store
from projections.feed import ProjectionFeed
from projections.registry import open_feed
from domain.governance import AUDITS, AuditDefinition, AuditRequest
from workflows.audit import GovernanceAuditWorkflow
from workflows.governance_action import GovernanceActionWorkflow
from workflows.concern import SafeguardingConcernWorkflow
from workflows.provider_process import ProviderConcernProcessWorkflow
from workflows.queues import background_queue

WORKFLOWS = [SafeguardingConcernWorkflow, GovernanceAuditWorkflow, ProviderConcernProcessWorkflow, GovernanceActionWorkflow]
LOCAL_ACTIVITIES = 12  # at once: what staff wait on
ACTIVITIES = 16  # regular ones at once: alerts being sent (each waits on a mail server), the service's history, audits
THREADS = LOCAL_ACTIVITIES + ACTIVITIES  # activities are sync functions, each holds a thread while it runs
WORKFLOW_TASKS = 100  # at once (Temporal's default) ...
NEW_WORKFLOW_TASKS = 8  # ... of which from the task queue itself, chiefly raises: a burst waits at Temporal (configuration/worker_slots.py)
BACKGROUND_ACTIVITIES = 2  # at once on the background queue: each raise's service history (workflows/queues.py)
STARTS_RACED = 3  # tries at opening the store, while other processes open it at the same moment
DRAIN = timedelta(seconds=5)  # a stopping worker lets the activities it holds end for this long


def open_records(settings: Settings, serving: bool = False) -> SafeguardingRecords:
    """The event store; `serving` (a worker or web process starting) refuses keys it could not unwrap."""
    private_data_dir(settings.data_dir)  # before any file is made: the store, its WAL, the keys, owner only
    keys = open_keys(settings, serving)
    for _ in range(STARTS_RACED - 1):
        try:
            return SafeguardingRecords(env=settings.event_store_env(), keys=keys)
        except (IntegrityError, InternalError) as e:
            # Another process starting at the same moment (a second replica) created the same tables,
            # or replaced the same stored function ("tuple concurrently updated", PostgreSQL), first.
            if isinstance(e, InternalError) and "concurrently updated" not in str(e):
                raise
    return SafeguardingRecords(env=settings.event_store_env(), keys=keys)


def master_key_source(settings: Settings) -> str:
    """Where the current master key comes from: a setting, a file, or the one generated into the data directory."""
    ring = ring_for(settings)
    return f"{ring.sources[ring.current]} (version {ring.current})"


def open_keys(settings: Settings, serving: bool = False) -> KeyStore | None:
    """The key store for encryption at rest (None when it is off: events are then stored as JSON):
    in PostgreSQL with the PostgreSQL event store, else a SQLite file (operations/keys.py)."""
    if not settings.encrypt_at_rest:
        return None
    return open_key_store(settings, serving=serving)


def converter_for(settings: Settings, records: SafeguardingRecords | None = None):
    """The data converter: payloads encrypted with the case's key when encryption at rest is on.
    Given `records`, its key store is shared (one cache of keys, one connection to the key store)."""
    return data_converter(records.keys if records is not None else open_keys(settings))


def client_options(settings: Settings, records: SafeguardingRecords | None = None) -> dict[str, Any]:
    """What every client of Safeguard's has: its data converter, and the interceptor sealing each
    command it sends (encryption/seal.py), so its workflows take commands from Safeguard alone."""
    return {"data_converter": converter_for(settings, records), "interceptors": [Sealer(sealing_key(settings))]}


def on_connection(client: Client, settings: Settings, records: SafeguardingRecords) -> Client:
    """The same connection to Temporal as Safeguard's client for `records`' key store (for a server
    started with another converter: a benchmark's, a test's)."""
    return Client(**{**client.config(), **client_options(settings, records)})


def temporal_tls(settings: Settings) -> TLSConfig | bool:
    """Mutual TLS to Temporal's frontend when a client certificate is configured (production), else
    none (the embedded dev server listens on 127.0.0.1 only). Unreadable files are refused by name."""
    paths = {"SAFEGUARD_TEMPORAL_TLS_CA": settings.temporal_tls_ca, "SAFEGUARD_TEMPORAL_TLS_CERT": settings.temporal_tls_cert,
             "SAFEGUARD_TEMPORAL_TLS_KEY": settings.temporal_tls_key}
    if not any(paths.values()):
        return False
    missing = [name for name, path in paths.items() if name != "SAFEGUARD_TEMPORAL_TLS_CA" and path is None]
    if missing:
        raise ValueError(f"mutual TLS to Temporal needs a client certificate and its key: set {' and '.join(missing)}")
    try:
        read = {name: path.read_bytes() if path else None for name, path in paths.items()}
    except OSError as e:
        raise ValueError(f"cannot read {e.filename} for mutual TLS to Temporal: {e.strerror}") from None
    return TLSConfig(server_root_ca_cert=read["SAFEGUARD_TEMPORAL_TLS_CA"], client_cert=read["SAFEGUARD_TEMPORAL_TLS_CERT"],
                     client_private_key=read["SAFEGUARD_TEMPORAL_TLS_KEY"], domain=settings.temporal_tls_server_name)


async def connect(settings: Settings, records: SafeguardingRecords | None = None, **options: Any) -> Client:
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                tls=temporal_tls(settings), **client_options(settings, records), **options)


def ports(settings: Settings, records: SafeguardingRecords | None = None, client: Client | None = None,
          connect_with: Callable[[], Awaitable[Client]] | None = None,
          within: timedelta | None | Literal["configured"] = "configured",
          check_worker: Callable[[Client], Awaitable[None]] | None = None) -> Ports:
    """What every use case takes: the store, and Temporal connected on first use (`client` if given;
    else `connect_with`, else `connect`, bounded). `within`: how long a person waits on a workflow
    (by default `answer_within_seconds`; None: until it answers)."""
    records = records or open_records(settings)
    if within == "configured":
        within = timedelta(seconds=settings.answer_within_seconds)

    async def connected() -> Client:
        if client is not None:
            return client
        if connect_with is not None:
            return await connect_with()
        try:
            async with asyncio.timeout(RPC_TIMEOUT.total_seconds()):
                return await connect(settings, records)
        except Exception as e:
            raise Unavailable(f"cannot reach Temporal at {settings.temporal_address} ({e.__class__.__name__})") from None

    return Ports(settings, records, connected, within=within, check_worker=check_worker,
                 senders=Senders.from_settings(settings))


def activities(records: SafeguardingRecords, settings: Settings, acts: CaseActivities | None = None,
               feed: ProjectionFeed | None = None) -> list[Any]:
    acts = acts or CaseActivities(records, settings, feed)
    legacy = LegacyCaseActivities(acts)
    audits = AuditActivities(records, settings)
    process = ProcessActivities(records, settings, acts.feed)
    alerts = AlertActivities(records, settings)
    return [alerts.alert_policy, alerts.deliver, acts.open_case, acts.check_restart, acts.holiday_table, acts.append_facts, acts.assess_case_threshold, acts.service_history,
            legacy.load_case_policy, legacy.compute_deadlines, legacy.record_facts, legacy.assess_threshold,
            audits.run_governance_audit, audits.governance_action_clock, audits.complete_governance_action, audits.record_action_alert,
            process.context, process.append]


class CaseWorker(Worker):
    """The worker, and beside it the worker of the background queue (workflows/queues.py), which
    runs while it runs."""

    background: Worker

    async def run(self) -> None:
        async with self.background:
            await super().run()


def build_worker(client: Client, records: SafeguardingRecords, settings: Settings, acts: CaseActivities | None = None,
                 feed: ProjectionFeed | None = None, sandboxed: bool | None = None, **options: Any) -> CaseWorker:
    """The worker. `sandboxed` (default: the `workflow_sandbox` setting) runs workflows in Temporal's
    sandbox; tests always do, so a non-deterministic call in workflow code fails them."""
    sandboxed = settings.workflow_sandbox if sandboxed is None else sandboxed
    acts = acts or CaseActivities(records, settings, feed)
    # an activity's personal inputs are remembered, so a failure quoting them logs none of it
    # and each update's command is taken only with Safeguard's seal (encryption/seal.py)
    options["interceptors"] = [PersonalTextInterceptor(), SealCheck(sealing_keys(settings)), *options.get("interceptors", ())]
    # Local activities (what staff wait on) always find a thread: the regular ones (alerts, the
    # service's history, audits) have threads of their own. A few workflow tasks at once from the
    # task queue itself (configuration/worker_slots.py).
    tuner = WorkerTuner.create_composite(workflow_supplier=FewNewAtOnce(WORKFLOW_TASKS, NEW_WORKFLOW_TASKS),
                                         activity_supplier=FixedSizeSlotSupplier(ACTIVITIES),
                                         local_activity_supplier=FixedSizeSlotSupplier(LOCAL_ACTIVITIES),
                                         nexus_supplier=FixedSizeSlotSupplier(1))
    worker = CaseWorker(client, task_queue=settings.task_queue, workflows=WORKFLOWS,
                        workflow_runner=SandboxedWorkflowRunner() if sandboxed else UnsandboxedWorkflowRunner(),
                        activities=activities(records, settings, acts, feed),
                        activity_executor=ThreadPoolExecutor(max_workers=THREADS), tuner=tuner, **options)
    # the service's history after a raise, a few at a time (and on the task queue as well, for a
    # case that asked for it there before the background queue was)
    worker.background = Worker(client, task_queue=background_queue(settings.task_queue), activities=[acts.service_history],
                               activity_executor=ThreadPoolExecutor(max_workers=BACKGROUND_ACTIVITIES),
                               max_concurrent_activities=BACKGROUND_ACTIVITIES, interceptors=options["interceptors"],
                               **{k: v for k, v in options.items() if k == "graceful_shutdown_timeout"})
    return worker


async def serve(client: Client, settings: Settings, records: SafeguardingRecords | None = None) -> None:
    """Run the worker until cancelled, keeping the read models current and the audit schedules in place.
    Cancelled (Ctrl-C, SIGTERM), it stops polling and gives the activities it holds a few seconds to end."""
    records = records or open_records(settings)
    feed = open_feed(records)
    stop = start_projections(feed)
    start_checkpoints(records, feed, settings, stop)
    proposing = asyncio.create_task(keep_proposing(client, settings.task_queue, feed.documents, records,
                                                   settings.calendar))  # 004 proposals and service reviews
    watching = asyncio.create_task(keep_watching(client, records, open_feed(records), settings.stopped_case_check_seconds))
    migrating = asyncio.create_task(asyncio.to_thread(migrate_services, settings, records))  # beside the worker, never before it
    try:
        await ensure_schedules(client, settings)
        await build_worker(client, records, settings, feed=feed, graceful_shutdown_timeout=DRAIN).run()
    finally:
        proposing.cancel()
        watching.cancel()
        migrating.cancel()
        stop.set()


def migrate_services(settings: Settings, records: SafeguardingRecords) -> Any:
    """Services as records (issue 22), at every start of the worker (`safeguard dev`, `safeguard worker`):
    each service the settings (SAFEGUARD_SERVICES) or an earlier concern names that has no record yet is
    recorded once; run again, it records nothing. A failure is logged and the worker runs on (the
    lists then show the settings' services, and `safeguard services migrate` tries again)."""
    import structlog

    from casework.services import migrate
    from domain.access import Principal

    log = structlog.get_logger("safeguard.services")
    starting = Principal("safeguard:start", "Safeguard, starting", channel="cli", operator=True, named=False,
                         request="services migrate (at start)")
    try:
        done = migrate(ports(settings, records), starting, datetime.now(timezone.utc).replace(microsecond=0))
    except Exception:
        log.exception("services not migrated")
        return None
    if done.recorded or done.not_recorded:
        log.info("services recorded", recorded=[r.service_id for r in done.recorded],
                 not_recorded=[f"{service}: {why}" for service, why in done.not_recorded])
    return done


def start_projections(feed: ProjectionFeed) -> threading.Event:
    """Keep the read models current in a background thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=feed.run, args=(stop,), name="projections", daemon=True).start()
    return stop


def start_checkpoints(records: SafeguardingRecords, feed: ProjectionFeed, settings: Settings, stop: threading.Event) -> None:
    """Record checkpoints of the chain heads in a background thread: when a case concludes or closes,
    and every `evidence_checkpoint_minutes` while anything changed (evidence/checkpointing.py)."""
    from evidence.checkpointing import Checkpointing

    if settings.evidence_checkpoint_minutes > 0:
        taking = Checkpointing(records, feed.documents, settings.evidence_checkpoint_minutes * 60,
                               poll=settings.evidence_checkpoint_poll_seconds)
        threading.Thread(target=taking.run, args=(stop,), name="evidence-checkpoints", daemon=True).start()


# ---- the governance audits' Temporal Schedules ---------------------------------------------------
# `ensure_schedules` creates, or brings up to date, one Schedule per audit in `domain/governance.py`;
# the worker (and `safeguard dev`) calls it at start, so the schedules follow the data and creating
# them again changes nothing.

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def schedule_spec(definition: AuditDefinition) -> ScheduleSpec:
    s = definition.schedule
    hour, minute = [ScheduleRange(s.at.hour)], [ScheduleRange(s.at.minute)]
    if s.every == "week":
        # Temporal counts weekdays from Sunday = 0; the data counts from Monday = 0
        cal = ScheduleCalendarSpec(hour=hour, minute=minute, day_of_week=[ScheduleRange((s.day_of_week + 1) % 7)], comment=s.note)
        return ScheduleSpec(calendars=[cal], time_zone_name=s.time_zone)
    if s.every == "month":
        cal = ScheduleCalendarSpec(hour=hour, minute=minute, day_of_month=[ScheduleRange(s.day_of_month)], comment=s.note)
        return ScheduleSpec(calendars=[cal], time_zone_name=s.time_zone)
    # every 14 days: interval specs count from the Unix epoch in absolute time (no time zone)
    every = timedelta(days=14)
    first = datetime.combine(s.anchor, s.at, tzinfo=timezone.utc)
    return ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every, offset=(first - _EPOCH) % every)])


def audit_schedule(definition: AuditDefinition, task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            GovernanceAuditWorkflow.run,
            AuditRequest(kind=definition.kind, requested_by=f"schedule {definition.schedule.schedule_id}"),
            id=definition.schedule.schedule_id,  # Temporal appends each run's scheduled time
            task_queue=task_queue,
        ),
        spec=schedule_spec(definition),
        # one run at a time; after an outage, run what was missed in the last three days
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=3)),
    )


async def ensure_schedules(client: Client, settings: Settings) -> list[str]:
    """Create each audit's schedule, or update it to match the data (keeping it paused if someone paused it)."""
    ids = []
    for definition in AUDITS.values():
        schedule = audit_schedule(definition, settings.task_queue)
        schedule_id = definition.schedule.schedule_id
        try:
            await client.create_schedule(schedule_id, schedule)
        except ScheduleAlreadyRunningError:
            def keep_state(current: ScheduleUpdateInput, wanted: Schedule = schedule) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=dataclasses.replace(wanted, state=current.description.schedule.state))

            await client.get_schedule_handle(schedule_id).update(keep_state)
        ids.append(schedule_id)
    return ids
