"""Failures the CLI must report within its bound, on the real local dev server (issue 8, defects 2,
4 and 7): Temporal up but no worker polling, a worker gone a moment ago, an event store that fails
every write, and a data directory that is not the worker's.

The bound is the command's own (`SAFEGUARD_ANSWER_WITHIN_SECONDS`, shortened here to WITHIN): a
command that answered because of it says so ("no worker answered within 2 s"). The wall clock is
not asserted on (issue 19: a loaded machine made such a test fail); HANG only stops a command
that would never end."""

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.case_activities import CaseActivities
from activities.models import FactBatch, StoredBatch
from casework.temporal.cases import case_id_for
from casework.refusals import Unavailable
from casework.temporal.failures import plain_errors
from configuration.binaries import temporal_cli
from configuration.settings import Settings
from domain.concern import ConcernBody
from tests.cases import RECORDS
from tests.conftest import concern
from bootstrap import build_worker, client_options, open_records

SAFEGUARD = str(Path(sys.executable).parent / "safeguard")
WITHIN = 2  # seconds: SAFEGUARD_ANSWER_WITHIN_SECONDS for commands meant to meet it (8 by default)
PATIENT = 90  # seconds: the same, for commands a live worker answers, however busy the machine
# seconds, for a request a worker must take up (its validator run) while the store fails: "accepted"
# needs the worker's workflow task done first, several seconds on a busy machine
ACCEPTED_WITHIN = 15
HANG = 180  # seconds: a command still running after this never would have ended
NO_WORKER = "no worker is polling task queue {}: start one with `safeguard worker` (or `./scripts/dev`)"


@pytest_asyncio.fixture(loop_scope="session")
async def server(tmp_path):
    """A dev server with no worker, and settings for a task queue no worker has ever polled."""
    settings = Settings(data_dir=tmp_path / "data", task_queue=f"avail-{uuid.uuid4().hex[:6]}")
    env = await WorkflowEnvironment.start_local(
        **client_options(settings), dev_server_existing_path=temporal_cli(),
        dev_server_database_filename=str(tmp_path / "temporal.sqlite"),
    )
    settings = settings.model_copy(update={"temporal_address": env.client.service_client.config.target_host})
    yield env, settings, tmp_path
    await env.shutdown()


async def safeguard(settings: Settings, *args: str, data_dir: Path | None = None,
                    within: float = WITHIN) -> tuple[int, str, str, float]:
    """The command as staff run it, from a directory that is not the project's; (exit, out, err, seconds).
    A command still running after HANG seconds is killed and reported as exit -1."""
    environ = {**os.environ, "SAFEGUARD_TEMPORAL_ADDRESS": settings.temporal_address,
               "SAFEGUARD_ANSWER_WITHIN_SECONDS": str(within),
               "SAFEGUARD_DATA_DIR": str(data_dir or settings.data_dir), "SAFEGUARD_TASK_QUEUE": settings.task_queue}
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(SAFEGUARD, *args, env=environ, cwd="/",
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), HANG)
    except asyncio.TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        return -1, out.decode(), f"still running after {HANG}s\n" + err.decode(), time.monotonic() - started
    return proc.returncode, out.decode(), err.decode(), time.monotonic() - started


async def eventually(check, within: float = HANG) -> None:
    """Wait until `check()` (sync or async) is true; a bound for what never happens, not a speed target."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ok = check()
        if asyncio.iscoroutine(ok):
            ok = await ok
        if ok:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"still not so after {within} s")


def write(tmp: Path, name: str, content) -> str:
    (tmp / name).write_text(json.dumps(content))
    return str(tmp / name)


def body(**over):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return concern((now - timedelta(minutes=1)).isoformat(), **over)


async def running_cases(env: WorkflowEnvironment) -> int:
    return (await env.client.count_workflows("WorkflowType = 'SafeguardingConcernWorkflow'")).count


async def test_no_worker_every_command_answers_at_once_with_exit_3(server):
    """Defect 2: Temporal up, no worker (what a killed `safeguard dev` leaves): exit 3 naming the
    task queue, at once, and nothing started."""
    env, settings, tmp = server
    concern_file = write(tmp, "concern.json", body())
    record = write(tmp, "record.json", RECORDS["record_concern"])
    no_worker = NO_WORKER.format(settings.task_queue)
    results = await asyncio.gather(
        safeguard(settings, "concern", "raise", "--file", concern_file),
        safeguard(settings, "concern", "status", "SG-20270112-ABC123"),
        safeguard(settings, "step", "complete", "SG-20270112-ABC123", "record_concern", "--as", "senior_support_worker",
                  "--actor", "S-1", "--file", record),
        safeguard(settings, "concern", "development", "SG-20270112-ABC123", "--file", write(tmp, "dev.json", {"kind": "agency_contact", "summary": "x"})),
        safeguard(settings, "escalation", "acknowledge", "SG-20270112-ABC123", "E1", "--as", "team_leader", "--actor", "T-1",
                  "--note", "called the home"),
        safeguard(settings, "deadlines"),  # from the store (empty here), with a warning
    )
    for code, out, err, seconds in results[:-1]:
        # this message comes only from the check made before anything is sent: nothing waited
        assert (code, err.strip()) == (3, f"error: {no_worker}")
    code, out, err, _ = results[-1]
    assert code == 0 and f"warning: {no_worker}; until one runs, deadlines that fall due are not recorded" in err, err
    assert await running_cases(env) == 0  # the raise started nothing


async def status_once_started(env: WorkflowEnvironment, settings: Settings, case_id: str):
    async def started() -> bool:
        try:
            return bool(await env.client.get_workflow_handle(case_id).describe())
        except RPCError:
            return False

    await eventually(started)
    return await safeguard(settings, "concern", "status", case_id)


class StoreFailing(CaseActivities):
    """The event store refuses every write while `failing` is set (as a read-only SQLite file does)."""

    failing = False

    @activity.defn(name="append_facts")
    def append_facts(self, batch: FactBatch) -> StoredBatch:
        if StoreFailing.failing:
            raise OSError("attempt to write a readonly database")
        return super().append_facts(batch)


async def test_a_failing_event_store_is_reported_at_once_and_the_concern_kept(server):
    """Defect 4: the store fails every write. Within about ten seconds a raise says (exit 3) that the
    store is failing, that the concern is accepted as case X and will be recorded; a step completion
    says it was accepted and will be recorded. When the store recovers both are recorded, once, and the
    same raise again answers with the same case."""
    env, settings, tmp = server
    records = open_records(settings)
    fresh_body = {k: v for k, v in body().items() if k != "case_id"}  # the CLI picks the id, from the content
    fresh, fresh_id = write(tmp, "fresh.json", fresh_body), case_id_for(ConcernBody.model_validate(fresh_body))
    existing = body()
    record = write(tmp, "record.json", RECORDS["record_concern"])
    store = str(settings.data_dir / "events.sqlite")
    async with build_worker(env.client, records, settings, acts=StoreFailing(records, settings)):
        code, out, err, _ = await safeguard(settings, "concern", "raise", "--file", write(tmp, "existing.json", existing), within=PATIENT)
        assert code == 0, err
        StoreFailing.failing = True
        try:
            (code, out, err, seconds), (s_code, s_out, s_err, s_seconds), (q_code, _, q_err, _) = await asyncio.gather(
                safeguard(settings, "concern", "raise", "--file", fresh, "--json", within=ACCEPTED_WITHIN),
                safeguard(settings, "step", "complete", existing["case_id"], "record_concern", "--as", "senior_support_worker",
                          "--actor", "S-1", "--file", record, within=ACCEPTED_WITHIN),
                status_once_started(env, settings, fresh_id))  # the case answers meanwhile
            assert code == 3, err
            case_id = json.loads(out)["case_id"]
            assert json.loads(out)["recorded"] is False
            assert f"case {case_id}: the concern is accepted" in err and "will be recorded when the store recovers" in err
            assert f"the event store (SQLite {store}) is failing" in err
            assert s_code == 3, s_err
            assert f"case {existing['case_id']}: record_concern was accepted" in s_err and "will be recorded when the store recovers" in s_err
            assert f"the event store (SQLite {store}) is failing" in s_err
            assert case_id == fresh_id
            assert q_code == 3 and f"case {case_id} is accepted but not yet recorded" in q_err, q_err
        finally:
            StoreFailing.failing = False
        await eventually(lambda: records.stored_facts(case_id) and "StepCompleted" in [
            f.type for f in records.stored_facts(existing["case_id"])])  # the local activities retry (every 10 s at most)
        code, out, err, _ = await safeguard(settings, "concern", "raise", "--file", fresh, "--json", within=PATIENT)
        assert code == 0 and json.loads(out)["case_id"] == case_id, err
        assert [f.type for f in records.stored_facts(case_id)].count("ConcernRaised") == 1
        assert [f.type for f in records.stored_facts(existing["case_id"])].count("StepCompleted") == 1
        assert await running_cases(env) == 2
        for case in (case_id, existing["case_id"]):
            await env.client.get_workflow_handle(case).terminate("test finished")


async def test_a_worker_gone_a_moment_ago_and_a_store_that_is_not_the_workers(server):
    """Defect 2, a worker stopped a moment ago (its last poll still looks recent): a query or an
    update answers within ten seconds with exit 3, and `deadlines` answers from the event store,
    never "no live cases". Defect 7: a read command on an empty store while Temporal has running
    cases warns that it is probably not the worker's store."""
    env, settings, tmp = server
    case = body()
    async with build_worker(env.client, open_records(settings), settings):
        code, out, err, _ = await safeguard(settings, "concern", "raise", "--file", write(tmp, "c.json", case), within=PATIENT)
        assert code == 0, err
    record = write(tmp, "record.json", RECORDS["record_concern"])
    reads = (["dashboard"], ["chronology", case["case_id"]], ["projections", "status"], ["commissioner", "records"],
             ["governance"])
    elsewhere = [tmp / f"elsewhere-{i}" for i in range(len(reads))]  # one each: new SQLite files, not one shared
    # first the two that need the worker's last poll to look recent (90 s), then the reads
    (s_code, _, s_err, _), (c_code, _, c_err, _) = await asyncio.gather(
        safeguard(settings, "concern", "status", case["case_id"]),
        safeguard(settings, "step", "complete", case["case_id"], "record_concern", "--as", "senior_support_worker",
                  "--actor", "S-1", "--file", record))
    (d_code, d_out, d_err, _), (w_code, _, w_err, _), *answers = await asyncio.gather(
            safeguard(settings, "deadlines", "--json"),
            safeguard(settings, "dashboard"),  # the worker's store: no warning
            *(safeguard(settings, *args, data_dir=d) for args, d in zip(reads, elsewhere)))
    assert s_code == 3 and f"no worker answered within {WITHIN} s on task queue {settings.task_queue}" in s_err, s_err
    assert c_code == 3, c_err
    assert f"case {case['case_id']}: record_concern was not accepted: no worker answered within {WITHIN} s" in c_err
    assert d_code == 0, d_err
    assert [r["step"] for r in json.loads(d_out) if r["case_id"] == case["case_id"]] == ["record_concern"]
    assert w_code == 0 and "warning" not in w_err, w_err
    for args, empty, (code, out, err, _) in zip(reads, elsewhere, answers):
        assert f"warning: the event store (SQLite {empty / 'events.sqlite'}) holds no events, but Temporal at " \
               f"{settings.temporal_address} has 1 running case(s)" in err, (args, err)
    await env.client.get_workflow_handle(case["case_id"]).terminate("test finished")


@pytest.mark.unit
def test_the_data_directory_does_not_depend_on_the_current_directory(tmp_path, monkeypatch):
    """Defect 7: run from anywhere, the CLI opens the project's store (beside pyproject.toml),
    unless SAFEGUARD_DATA_DIR says otherwise; a .env in the current directory is not read."""
    monkeypatch.delenv("SAFEGUARD_DATA_DIR", raising=False)
    monkeypatch.delenv("SAFEGUARD_TASK_QUEUE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("SAFEGUARD_DATA_DIR=/somewhere/else\nSAFEGUARD_TASK_QUEUE=not-this-one\n")
    project = Path(__file__).resolve().parent.parent  # beside pyproject.toml
    settings = Settings()
    assert settings.data_dir == project / ".safeguard" and settings.task_queue != "not-this-one"
    assert Settings.model_config["env_file"] == project / ".env"
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "mine"))
    assert Settings().data_dir == tmp_path / "mine"
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", "relative/dir")  # relative to the project, wherever the command runs
    assert Settings().data_dir == project / "relative" / "dir"


@pytest.mark.unit
@pytest.mark.parametrize("status, message", [
    (RPCStatusCode.FAILED_PRECONDITION, "no poller seen for task queue recently"),
    (RPCStatusCode.CANCELLED, "context canceled"),
    (RPCStatusCode.UNKNOWN, "context canceled"),
    (RPCStatusCode.UNKNOWN, "Server connection error: tonic::transport::Error(Transport, ...)"),
    (RPCStatusCode.UNAVAILABLE, "connection refused"),
])
async def test_temporal_going_away_mid_call_is_unavailable_not_a_refusal(status, message):
    """Exit 3 (Temporal or its worker unavailable), never exit 2 (the request refused)."""
    with pytest.raises(Unavailable):
        async with plain_errors("SG-20270112-ABC123"):
            raise RPCError(message, status, b"")


@pytest.mark.unit
def test_a_failing_event_store_is_exit_3_naming_it_for_a_read_command(tmp_path, monkeypatch):
    """The store fails while a read command catches its read models up (locked too long, disk I/O):
    exit 3 naming the store, not a traceback."""
    from eventsourcing.persistence import OperationalError
    from typer.testing import CliRunner

    from cli.main import app
    from configuration.settings import get_settings
    from projections.feed import ProjectionFeed

    def failing(*args, **kwargs):
        raise OperationalError("disk I/O error")

    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAFEGUARD_TEMPORAL_ADDRESS", "127.0.0.1:1")  # no warning to look for
    monkeypatch.setattr(ProjectionFeed, "catch_up", failing)
    get_settings.cache_clear()
    try:
        for command in (["dashboard"], ["deadlines"]):
            result = CliRunner().invoke(app, command)
            assert result.exit_code == 3, result.output
            assert f"error: the event store (SQLite {tmp_path / 'events.sqlite'}) failed: disk I/O error" in result.stderr
    finally:
        get_settings.cache_clear()


@contextlib.contextmanager
def immutable(*paths: Path):
    """The files made immutable (`chattr +i`): every write fails, even through descriptors already
    open and even for root, as on a read-only mount. Skips where the file system cannot do it."""
    present = [str(p) for p in paths if p.exists()]
    done = subprocess.run(["chattr", "+i", *present], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not available here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *present], check=True)


async def test_a_read_only_event_store_is_a_clear_error_not_a_hang_and_nothing_is_lost(server):
    """The real store made read-only under a running worker (no injected failure): a step completion
    answers within the bound with exit 3, naming the store and saying it will be recorded; read
    commands still answer; once the store is writable again the completion is recorded, once."""
    env, settings, tmp = server
    records = open_records(settings)
    existing = body()
    record = write(tmp, "record.json", RECORDS["record_concern"])
    store = settings.data_dir / "events.sqlite"
    async with build_worker(env.client, records, settings):
        code, out, err, _ = await safeguard(settings, "concern", "raise", "--file", write(tmp, "existing.json", existing), within=PATIENT)
        assert code == 0, err
        case_id = existing["case_id"]
        await eventually(lambda: "ServiceHistoryAttached" in [f.type for f in records.stored_facts(case_id)])  # off the raise's path
        before = len(records.stored_facts(case_id))
        with immutable(store, Path(f"{store}-wal"), Path(f"{store}-shm")):
            code, out, err, seconds = await safeguard(
                settings, "step", "complete", case_id, "record_concern", "--as", "senior_support_worker",
                "--actor", "S-1", "--file", record, within=ACCEPTED_WITHIN)
            assert code == 3, (code, err)
            assert f"case {case_id}: record_concern was accepted" in err and "will be recorded when the store recovers" in err
            assert f"the event store (SQLite {store}) is failing" in err
            r_code, r_out, r_err, _ = await safeguard(settings, "chronology", case_id, "--brief")
            assert r_code == 0 and len(r_out.splitlines()) == before, r_err  # reading still works; nothing half-written
        await eventually(lambda: "StepCompleted" in [f.type for f in records.stored_facts(case_id)])  # retried every 10 s at most
        facts = records.stored_facts(case_id)
        assert [f.type for f in facts].count("StepCompleted") == 1
        assert [f.seq for f in facts] == list(range(1, len(facts) + 1))
        await env.client.get_workflow_handle(case_id).terminate("test finished")
