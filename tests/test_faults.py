"""Fault injection on real processes: a worker killed mid-append, the Temporal dev server killed
and restarted, a locked SQLite database, PostgreSQL restarted, two workers with one killed
again and again. Each checks what the event store holds afterwards, not just what was answered."""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bootstrap import connect, open_records
from casework.temporal.cases import complete_step, raise_concern
from casework.refusals import Refusal as CaseworkError
from casework.temporal.cases import case_status
from configuration.settings import Settings
from domain.concern import ConcernBody, StepCompletion
from tests.cases import RECORDS, ROLES
from tests.conftest import concern
from tests.test_postgres_store import pg_driver, pg_settings  # noqa: F401  (fixtures)
from tests.processes import DevServer, PostgresCluster, WorkerProcess, eventually, local_activity_attempts, processes

# A whole case in real time: every step that opens without waiting for a clock, to closure.
WALK = ["record_concern", "peer_risk_review", "route_decision", "seriousness_assessment", "external_referral",
        "follow_up_plan", "protection_plan", "implementation_check", "chronology_update", "pattern_impact_review",
        "service_risk_review", "follow_up_review", "conclude_case", "closure_learning_review"]


def record(step: str) -> dict[str, Any]:
    r = dict(RECORDS[step])
    if "referred_at" in r:  # an instant in the record: now, never in the future
        r["referred_at"] = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    return r


async def dev_server(procs, tmp_path: Path, queue: str, **settings: Any) -> tuple[DevServer, Settings, Any]:
    """A dev server on a SQLite file of the test's own, started and ready; settings for a task queue of
    its own on it; a client."""
    server = procs.add(DevServer(tmp_path / "temporal.sqlite", tmp_path / "server.log"))
    server.start()
    await server.ready()
    s = Settings(data_dir=tmp_path, task_queue=f"{queue}-{uuid.uuid4().hex[:6]}", temporal_address=server.address, **settings)
    return server, s, await connect(s)


@dataclass
class Outcomes:
    """What the client saw, per case: to check against what the store holds."""
    raised: set[str] = field(default_factory=set)
    succeeded: dict[str, list[str]] = field(default_factory=dict)  # case -> steps answered as completed
    lost: dict[str, list[str]] = field(default_factory=dict)  # case -> steps told "changed while recorded"
    retries: int = 0


async def raise_until_answered(client, settings: Settings, body: dict[str, Any], out: Outcomes, within_s: float = 60) -> None:
    """Raising is idempotent (same case id, same body): a raise lost with a worker is sent again."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            await raise_concern(client, settings.task_queue, ConcernBody.model_validate(body))
            out.raised.add(body["case_id"])
            return
        except CaseworkError as e:
            if "different concern" in str(e) or time.monotonic() > deadline:
                raise
            out.retries += 1
            await asyncio.sleep(0.2)


async def complete_until_done(client, case_id: str, step: str, out: Outcomes, within_s: float = 60) -> None:
    """Complete a step as staff would: when a request fails because its worker died (the case
    "changed while this was being recorded", or the request could not be answered), look at the
    case's status and send it again only if the step is still open."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            await complete_step(client, case_id, StepCompletion(step=step, role=ROLES[step], actor="STAFF-1", record=record(step)))
            out.succeeded.setdefault(case_id, []).append(step)
            return
        except CaseworkError as e:
            if "changed while this was being recorded" in str(e):
                out.lost.setdefault(case_id, []).append(step)
            elif not ("unavailable" in str(e).lower() or "try again" in str(e) or "already" in str(e)):
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"{case_id} {step} not completed within {within_s}s")
        out.retries += 1
        try:
            status = await case_status(client, case_id)
            if step in status.completed_steps:
                return  # the lost attempt's completion stands
        except CaseworkError:
            pass
        await asyncio.sleep(0.2)


def check_store(records, case_ids: list[str], out: Outcomes, walk: list[str] = WALK) -> dict[str, int]:
    """Each case's events are contiguous from 1, raised once, each step completed exactly once,
    and everything the client saw succeed is there."""
    counts = {}
    for case_id in case_ids:
        facts = records.stored_facts(case_id)
        seqs = [f.seq for f in facts]
        assert seqs == list(range(1, len(facts) + 1)), f"{case_id}: events not contiguous from 1: {seqs}"
        types = [f.type for f in facts]
        assert types.count("ConcernRaised") == 1 and types[0] == "ConcernRaised", f"{case_id}: {types}"
        completed = [f.fact.step for f in facts if f.type == "StepCompleted"]
        for step in walk:
            assert completed.count(step) == 1, f"{case_id}: {step} completed {completed.count(step)} times: {completed}"
        assert set(out.succeeded.get(case_id, [])) <= set(completed)
        counts[case_id] = len(facts)
    return counts


async def test_a_worker_killed_mid_append_loses_and_duplicates_nothing(tmp_path: Path):
    """A worker process is killed (SIGKILL) twice at random moments while sixteen cases are raised and
    walked to closure concurrently (appends in flight all the time), and started again each time.
    Every case closes; each case's events are contiguous from 1, it is raised once and each step is
    completed once; every completion the client was told succeeded is in the store.

    What is expected of the requests in flight at a kill: a raise may fail (it is sent again, and
    being idempotent, answers with the case); a completion may wait and be answered once the new
    worker takes its task, or be told the case "changed while this was being recorded" when the
    killed worker's attempt had already stored it (its facts stand): then the status shows the
    step done and it is not sent again; if the status shows it still open, it is sent again."""
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    with processes() as procs:
        print(f"seed {seed}")
        server, settings, client = await dev_server(procs, tmp_path, "kill")
        worker = procs.add(WorkerProcess(settings, tmp_path / "worker.log"))
        worker.start()
        await worker.polling(client)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        bodies = [concern((now - timedelta(minutes=1)).isoformat(), case_id=f"KILL-{i}-{uuid.uuid4().hex[:6]}") for i in range(16)]
        ids = [b["case_id"] for b in bodies]
        out = Outcomes()

        async def walk(body):
            await raise_until_answered(client, settings, body, out)
            for step in WALK:
                await complete_until_done(client, body["case_id"], step, out)

        started = time.monotonic()
        burst = asyncio.gather(*(walk(b) for b in bodies))
        kills = []
        for _ in range(2):
            # The burst takes a few seconds on a quiet machine (less than 2 s for eight cases), and a
            # restart stalls it while the new worker starts: kill early in each stretch.
            await asyncio.sleep(rng.uniform(0.1, 0.6))
            assert not burst.done(), "the burst ended before the kill"
            kills.append(round(time.monotonic() - started, 2))
            await worker.restart(client)  # SIGKILL, started again, polling
        await asyncio.wait_for(burst, 90)
        print(f"kills at {kills}s, walked in {time.monotonic() - started:.1f}s, {out.retries} retries, lost attempts {out.lost}")
        records = open_records(settings)
        check_store(records, ids, out)
        assert all(records.stored_facts(i)[-1].type == "CaseClosed" for i in ids)


async def test_the_temporal_server_killed_and_restarted_on_its_file_keeps_every_case_and_deadline(tmp_path: Path):
    """The dev server is killed (SIGKILL) just after three concerns are raised (identified 14 min 50 s
    ago: their first deadline falls due 10 s later), stays down while it falls due, and is started
    again on the same SQLite file and port; the worker and the client are never restarted. Each
    case records the missed deadline with its real due instant, noticed (`at`) after the restart,
    escalates it and goes on. A completion sent during the outage fails as unavailable and is sent
    again until the server answers; it is recorded late, after the missed deadline."""
    with processes() as procs:
        server, settings, client = await dev_server(procs, tmp_path, "outage")
        worker = procs.add(WorkerProcess(settings, tmp_path / "worker.log"))
        worker.start()
        await worker.polling(client)
        records = open_records(settings)
        out = Outcomes()

        identified = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=14, seconds=50)
        due = identified + timedelta(minutes=15)
        bodies = [concern(identified.isoformat(), case_id=f"OUT-{i}-{uuid.uuid4().hex[:6]}") for i in range(3)]
        ids = [b["case_id"] for b in bodies]
        await asyncio.gather(*(raise_until_answered(client, settings, b, out) for b in bodies))
        server.kill()
        assert datetime.now(timezone.utc) < due - timedelta(seconds=2), "raised too slowly for the deadline to fall in the outage"

        during = asyncio.create_task(complete_until_done(client, ids[2], "record_concern", out))  # sent while it is down
        await asyncio.sleep((due - datetime.now(timezone.utc)).total_seconds() + 3)
        assert not during.done()
        assert not [f for i in ids for f in records.stored_facts(i) if f.type == "DeadlineMissed"]  # no one to notice
        restarted = datetime.now(timezone.utc).replace(microsecond=0)
        server.start()
        await server.ready()

        for case_id in ids:
            missed = await eventually(lambda: [f.fact for f in records.stored_facts(case_id) if f.type == "DeadlineMissed"],
                                      30, f"{case_id}: the deadline missed in the outage recorded")
            assert [m.step for m in missed] == ["record_concern"]
            assert missed[0].due == due  # the real due instant, not when the server came back
            assert missed[0].at >= restarted > due  # noticed after the outage
        await asyncio.wait_for(during, 60)
        for case_id in ids[:2]:
            await complete_until_done(client, case_id, "record_concern", out)
        for case_id in ids:
            await complete_until_done(client, case_id, "peer_risk_review", out)
        check_store(records, ids, out, walk=["record_concern", "peer_risk_review"])
        for case_id in ids:
            facts = records.stored_facts(case_id)
            types = [f.type for f in facts]
            assert types.index("DeadlineMissed") < types.index("Escalated") < types.index("StepCompleted"), types
            assert [f.fact.to_role for f in facts if f.type == "Escalated"] == ["team_leader"]
            assert next(f.fact for f in facts if f.type == "StepCompleted").on_time is False


async def test_a_request_handed_over_with_an_overdue_timer_is_decided_after_the_missed_deadline(tmp_path: Path):
    """After an outage (no worker, or no server) the deadline's timer and a late completion reach the
    worker in one workflow task, and the SDK runs update handlers before timers: the case must still
    record the deadline as missed (then escalated) before the late completion, as it does when the
    timer is on time. Otherwise the chronology and the audits miss a missed deadline."""
    from bootstrap import build_worker

    with processes() as procs:
        server, settings, client = await dev_server(procs, tmp_path, "late", workflow_sandbox=True)
        records = open_records(settings)
        identified = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=14, seconds=56)
        due = identified + timedelta(minutes=15)
        body = concern(identified.isoformat(), case_id=f"LATE-{uuid.uuid4().hex[:6]}")
        async with build_worker(client, records, settings):
            await raise_concern(client, settings.task_queue, ConcernBody.model_validate(body))
            await eventually(lambda: any(f.type == "ServiceHistoryAttached" for f in records.stored_facts(body["case_id"])),
                             10, "the service's history attached")
        assert datetime.now(timezone.utc) < due, "raised too slowly"
        # no worker: the deadline's timer fires with no one to hear it, then a late completion is sent
        await asyncio.sleep((due - datetime.now(timezone.utc)).total_seconds() + 1.5)
        late = asyncio.create_task(complete_step(client, body["case_id"], StepCompletion(
            step="record_concern", role="senior_support_worker", actor="SSW-1", record=record("record_concern"))))
        await asyncio.sleep(0.5)  # the update waits with the timer's task for a worker
        async with build_worker(client, records, settings):
            receipt = await asyncio.wait_for(late, 30)
        assert receipt.on_time is False
        facts = records.stored_facts(body["case_id"])
        types = [f.type for f in facts]
        assert "DeadlineMissed" in types, types
        assert types.index("DeadlineMissed") < types.index("Escalated") < types.index("StepCompleted"), types
        (missed,) = [f.fact for f in facts if f.type == "DeadlineMissed"]
        assert missed.due == due and missed.at > due
        await client.get_workflow_handle(body["case_id"]).terminate("test finished")


async def test_a_locked_sqlite_database_delays_an_append_which_then_lands_once(driver, settings):
    """Another connection holds the write lock (BEGIN IMMEDIATE) for two seconds: the append waits for
    it (SQLITE_LOCK_TIMEOUT is 10 s), nothing is stored meanwhile, then the completion lands once."""
    import sqlite3

    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:35:00+00:00")
    await case.recorded("ServiceHistoryAttached")
    before = len(case.facts())
    db = settings.event_store_env()["SQLITE_DBNAME"]
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        completing = asyncio.create_task(case.complete("record_concern"))
        await asyncio.sleep(2)
        assert not completing.done() and len(case.facts()) == before  # readers are not blocked; the append waits
    finally:
        holder.execute("COMMIT")
        holder.close()
    receipt = await asyncio.wait_for(completing, 15)
    waited = time.monotonic() - started
    assert receipt.on_time is True and 2 <= waited < 10
    facts = case.facts()
    assert [f.seq for f in facts] == list(range(1, len(facts) + 1))
    assert [f.fact.step for f in facts if f.type == "StepCompleted"] == ["record_concern"]


POSTGRES = os.environ.get("SAFEGUARD_TEST_POSTGRES")


@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
async def test_postgres_restarted_mid_run_the_append_retries_and_lands_once(tmp_path: Path):
    """The event store's PostgreSQL stops at once (as if it crashed) and is started again, twice: once
    with completions sent while it is down (their appends fail and are retried until it is back: the
    members of staff wait, then each completion lands once), once at a random moment in a burst.
    The server is the test's own (scripts/postgres on a free port), so stopping it disturbs no other test."""
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    with processes() as procs:
        print(f"seed {seed}")
        pg = procs.add(PostgresCluster())
        pg.start()
        server, settings, client = await dev_server(procs, tmp_path, "pg", event_store="postgres", postgres_host="127.0.0.1",
                                                    postgres_port=pg.port, postgres_user="postgres", postgres_dbname="postgres")
        worker = procs.add(WorkerProcess(settings, tmp_path / "worker.log"))
        worker.start()
        await worker.polling(client)
        out = Outcomes()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        bodies = [concern((now - timedelta(minutes=1)).isoformat(), case_id=f"PG-{i}-{uuid.uuid4().hex[:6]}") for i in range(4)]
        ids = [b["case_id"] for b in bodies]
        await asyncio.gather(*(raise_until_answered(client, settings, b, out) for b in bodies))
        await asyncio.gather(*(complete_until_done(client, i, "record_concern", out) for i in ids))

        # down for longer than an append may take (10 s): the first attempt times out and the append is retried
        pg.stop("immediate")
        sent = asyncio.gather(*(complete_until_done(client, i, "peer_risk_review", out) for i in ids))
        await asyncio.sleep(12)
        assert not sent.done(), "answered with the event store down"
        pg.start()
        await asyncio.wait_for(sent, 45)
        assert all(out.succeeded[i][-1] == "peer_risk_review" for i in ids)  # each answered as done

        async def walk(case_id):
            for step in WALK[2:6]:
                await complete_until_done(client, case_id, step, out)

        burst = asyncio.gather(*(walk(i) for i in ids))
        await asyncio.sleep(rng.uniform(0.1, 1.0))
        pg.stop("immediate")
        await asyncio.sleep(1)
        pg.start()
        await asyncio.wait_for(burst, 60)

        records = open_records(settings)
        try:
            check_store(records, ids, out, walk=WALK[:6])
        finally:
            records.close()
        # the appends sent while the server was down failed and were retried (the attempt that landed is > 1)
        retried = [max(await local_activity_attempts(client, i, "append_facts")) for i in ids]
        assert all(n > 1 for n in retried), retried


async def test_two_workers_one_killed_again_and_again_over_fifty_cases(tmp_path: Path):
    """Two worker processes on one task queue and one SQLite store, both keeping the read models
    current; one is killed (SIGKILL) five times at random moments and started again while 50 cases
    are raised and walked (ten of them to closure). No event is lost or duplicated, every step is
    completed once, and every read model as the two feeds kept it (the last few events they had not
    reached when they were stopped folded as a worker would) equals a rebuild from zero."""
    from projections.documents import MemoryDocuments
    from projections.feed import ProjectionFeed
    from projections.registry import open_documents, read_models

    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    with processes() as procs:
        print(f"seed {seed}")
        server, settings, client = await dev_server(procs, tmp_path, "two")
        steady = procs.add(WorkerProcess(settings, tmp_path / "steady.log", "steady worker"))
        killed = procs.add(WorkerProcess(settings, tmp_path / "killed.log", "killed worker"))
        steady.start()
        killed.start()
        await asyncio.gather(steady.polling(client), killed.polling(client))

        now = datetime.now(timezone.utc).replace(microsecond=0)
        services = [{"id": f"SVC-{n}", "name": f"House {n}", "provider": "Northgate Care", "client_group": "older people"}
                    for n in range(3)]
        bodies = [concern((now - timedelta(minutes=2)).isoformat(), case_id=f"TWO-{i:02d}-{uuid.uuid4().hex[:6]}",
                          service=services[i % 3], adult_at_risk={"id": f"A-{100 + i % 7}"}, alleged_source={"id": f"A-{200 + i % 5}"})
                  for i in range(50)]
        ids = [b["case_id"] for b in bodies]
        walks = {b["case_id"]: WALK if i % 5 == 0 else WALK[:4] for i, b in enumerate(bodies)}
        out = Outcomes()
        gate = asyncio.Semaphore(12)

        async def walk(body):
            async with gate:
                await raise_until_answered(client, settings, body, out, within_s=120)
                for step in walks[body["case_id"]]:
                    await complete_until_done(client, body["case_id"], step, out, within_s=120)

        started = time.monotonic()
        work = asyncio.gather(*(walk(b) for b in bodies))
        kills = []
        for _ in range(5):
            await asyncio.sleep(rng.uniform(0.3, 1.5))
            kills.append(round(time.monotonic() - started, 1))
            await killed.restart(client)  # SIGKILL, started again, polling
        await asyncio.wait_for(work, 120)
        walked = time.monotonic() - started

        records = open_records(settings)
        for case_id in ids:
            check_store(records, [case_id], out, walk=walks[case_id])
        assert sum(1 for i in ids if records.stored_facts(i)[-1].type == "CaseClosed") == 10

        # both feeds close to the end of the log; then no worker runs, the tail is folded as a worker
        # would, and each read model equals a rebuild from zero
        documents = open_documents(records)
        models = read_models()
        await eventually(lambda: all(documents.position(m.name) >= records.recorder.max_notification_id() for m in models),
                         30, "the workers' feeds at the end of the log", every_s=0.2)
        steady.kill()
        killed.kill()
        ProjectionFeed(records, documents, read_models()).catch_up()
        rebuilt = ProjectionFeed(records, MemoryDocuments(), read_models())
        rebuilt.catch_up()
        for m in models:
            assert dict(documents.scan(m.name)) == dict(rebuilt.documents.scan(m.name)), f"{m.name} differs from a rebuild"
        last = records.recorder.max_notification_id()
        print(f"kills at {kills}s, walked in {walked:.1f}s, {last} events, {out.retries} retries, "
              f"lost attempts {sum(len(v) for v in out.lost.values())}")


@pytest.mark.unit
def test_two_processes_opening_a_new_store_at_once_both_open_its_read_models(settings, monkeypatch):
    """Two workers started together on a new store: the second creates the read models' tracking
    table between the first finding it missing and creating it. The first opened it anyway (it
    crashed at start, found by the two-workers test above)."""
    from projections.document_stores import SQLiteDocuments
    from projections.registry import open_documents

    first, second = open_records(settings), open_records(settings)
    real = SQLiteDocuments._create_table

    def the_other_process_first(self, c):
        monkeypatch.setattr(SQLiteDocuments, "_create_table", real)
        open_documents(second)  # the other worker, a moment ahead
        real(self, c)

    monkeypatch.setattr(SQLiteDocuments, "_create_table", the_other_process_first)
    documents = open_documents(first)
    assert SQLiteDocuments._create_table is real  # the race happened
    assert documents.position("live_cases") == 0


async def overlapping_batches(driver, settings) -> None:
    """Two workers' feeds on one store: A reads the log, the log grows, B reads it (a longer batch from
    the same position), A saves its batch, then B reads the documents and saves. B's batch overlaps
    what A saved and ends later: it must be refused and folded again from A's position, or A's events
    are folded twice (a step counted twice in the commissioner records)."""
    from projections.commissioner import CommissionerRecords
    from projections.documents import MemoryDocuments
    from projections.feed import ProjectionFeed, decode, fold
    from projections.registry import open_documents

    records = [open_records(settings), open_records(settings)]  # two processes
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:35:00+00:00")
    await case.complete("record_concern")
    await case.recorded("ServiceHistoryAttached")
    a_records, b_records = records
    a_docs, b_docs = open_documents(a_records), open_documents(b_records)
    model = CommissionerRecords()
    a_batch = decode(a_records, a_records.recorder.select_notifications(start=1, limit=1000))  # A reads the log
    await case.complete("peer_risk_review")  # the log grows
    real_read = b_docs.read

    def read_once_a_has_saved(view, keys):
        b_docs.read = real_read
        fold(model, a_docs, a_batch, a_batch[-1].position)  # A saves its batch meanwhile
        return real_read(view, keys)

    b_docs.read = read_once_a_has_saved
    ProjectionFeed(b_records, b_docs, [model]).catch_up()
    assert b_docs.read is real_read  # the interleaving happened
    rebuilt = ProjectionFeed(b_records, MemoryDocuments(), [CommissionerRecords()])
    rebuilt.catch_up()
    assert dict(b_docs.scan(model.name)) == dict(rebuilt.documents.scan(model.name))
    assert b_docs.position(model.name) == rebuilt.documents.position(model.name)
    for r in records:
        r.close()


async def test_two_feeds_saving_overlapping_batches_fold_each_event_once(driver, settings):
    await overlapping_batches(driver, settings)


@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
async def test_two_feeds_saving_overlapping_batches_fold_each_event_once_on_postgres(pg_driver, pg_settings):
    await overlapping_batches(pg_driver, pg_settings)
