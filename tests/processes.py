"""Real processes for the fault-injection tests: a Temporal dev server on a SQLite file and
Safeguard workers (`python worker.py`), each its own process so a test can kill it (SIGKILL,
nothing flushed, nothing said goodbye) and start it again; and a PostgreSQL server of a test's
own, to stop and start. Ports are picked free. A test starts them inside `with processes() as
procs:`, which kills everything it started however the test ends (and prints the end of each
one's log if it failed).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, Awaitable, Callable, Iterator, TypeVar

from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from configuration.binaries import temporal_cli
from configuration.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
P = TypeVar("P")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings_env(settings: Settings) -> dict[str, str]:
    """The SAFEGUARD_* environment a worker process reads to get these settings."""
    env = {
        "SAFEGUARD_TEMPORAL_ADDRESS": settings.temporal_address,
        "SAFEGUARD_TEMPORAL_NAMESPACE": settings.temporal_namespace,
        "SAFEGUARD_TASK_QUEUE": settings.task_queue,
        "SAFEGUARD_DATA_DIR": str(settings.data_dir),
        "SAFEGUARD_EVENT_STORE": settings.event_store,
        "SAFEGUARD_LOG_FORMAT": "json",
        "SAFEGUARD_POSTGRES_DBNAME": settings.postgres_dbname,
        "SAFEGUARD_POSTGRES_HOST": settings.postgres_host,
        "SAFEGUARD_POSTGRES_PORT": str(settings.postgres_port),
        "SAFEGUARD_POSTGRES_USER": settings.postgres_user,
        "SAFEGUARD_POSTGRES_PASSWORD": settings.postgres_password,
    }
    if settings.sqlite_path:
        env["SAFEGUARD_SQLITE_PATH"] = str(settings.sqlite_path)
    return env


class Process:
    """One child process, in its own session (a kill reaches it alone), its output in a log file."""

    def __init__(self, name: str, log: Path) -> None:
        self.name, self.log = name, log
        self.proc: subprocess.Popen[bytes] | None = None
        self._out: IO[bytes] | None = None

    def _spawn(self, args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        assert not self.alive, f"{self.name} is already running"
        self._out = open(self.log, "ab")
        self._out.write(f"==== {self.name} starting at {time.time():.3f}\n".encode())
        self._out.flush()
        self.proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=self._out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        if self._out:
            self._out.close()
            self._out = None

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class DevServer(Process):
    """`temporal server start-dev` on a SQLite file, on a fixed (free) port: killed and started
    again, it comes back on the same address with the same history."""

    def __init__(self, db: Path, log: Path) -> None:
        super().__init__("temporal dev server", log)
        self.db, self.port = db, free_port()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self._spawn([
            temporal_cli(), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(self.port),
            "--http-port", str(free_port()), "--metrics-port", str(free_port()), "--headless",
            "--db-filename", str(self.db), "--log-format", "pretty", "--log-level", "warn",
            "--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true",
            "--dynamic-config-value", "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true",
        ])

    async def ready(self, within_s: float = 30) -> None:
        """Wait until the frontend answers."""
        deadline = time.monotonic() + within_s
        while True:
            if not self.alive:
                raise AssertionError(f"the dev server exited:\n{self.tail()}")
            try:
                client = await Client.connect(self.address, data_converter=pydantic_data_converter)
                await client.service_client.check_health(timeout=timedelta(seconds=2))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the dev server did not answer within {within_s}s:\n{self.tail()}") from None
                await asyncio.sleep(0.2)


class WorkerProcess(Process):
    """`python worker.py` with the given settings: cases, activities, the read models' feed."""

    def __init__(self, settings: Settings, log: Path, name: str = "worker") -> None:
        super().__init__(name, log)
        self.settings = settings
        self.starts = 0

    def start(self) -> None:
        env = {**os.environ, **settings_env(self.settings)}
        # its own directory: no stray .env file is read
        self._spawn([sys.executable, str(ROOT / "worker.py")], env=env, cwd=self.settings.data_dir)
        self.starts += 1

    async def polling(self, client: Client, within_s: float = 30) -> None:
        """Wait until this process polls its task queue (its identity is `pid@host`)."""
        deadline = time.monotonic() + within_s
        me = f"{self.pid}@"
        while True:
            if not self.alive:
                raise AssertionError(f"{self.name} exited:\n{self.tail()}")
            try:
                desc = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
                    namespace=self.settings.temporal_namespace, task_queue=TaskQueue(name=self.settings.task_queue),
                    task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
                if any(p.identity.startswith(me) for p in desc.pollers):
                    return
            except Exception:
                pass  # the server may be coming back
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} was not polling within {within_s}s:\n{self.tail()}")
            await asyncio.sleep(0.1)

    async def restart(self, client: Client) -> None:
        self.kill()
        self.start()
        await self.polling(client)


class Processes:
    """What a test started: `close()` kills it all, whatever happened; `report()` prints the end of
    each one's log (pytest shows it with a failure)."""

    def __init__(self) -> None:
        self.started: list[Any] = []

    def add(self, p: P) -> P:
        self.started.append(p)
        return p

    def report(self) -> None:
        for p in self.started:
            print(f"--- {p.name} ({p.log}) ---\n{p.tail()}")

    def close(self) -> None:
        for p in reversed(self.started):
            try:
                p.kill()
            except Exception as e:  # keep killing the rest
                print(f"could not stop {p.name}: {e}")


@contextmanager
def processes() -> Iterator[Processes]:
    """`with processes() as procs:` everything added is killed at the end, and reported on failure."""
    procs = Processes()
    try:
        yield procs
    except BaseException:
        procs.report()
        raise
    finally:
        procs.close()


async def eventually(check: Callable[[], T | Awaitable[T]], within_s: float, what: str, every_s: float = 0.1) -> T:
    """The first truthy answer of `check`, polled until `within_s` has passed."""
    deadline = time.monotonic() + within_s
    while True:
        answer = check()
        if asyncio.iscoroutine(answer):
            answer = await answer
        if answer:
            return answer  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within_s}s: {what}")
        await asyncio.sleep(every_s)


class PostgresCluster:
    """A PostgreSQL server of the test's own, started by `scripts/postgres` (on a free port and a
    data directory of its own) so that stopping it mid-run disturbs no other test using the
    suite's server. Stopped with `pg_ctl` as that script runs it (as the postgres user under root)."""

    name = "PostgreSQL"

    def __init__(self) -> None:
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="safeguard-pg-fault-"))
        self.data.rmdir()  # scripts/postgres creates it, owned by the server's user
        self.log = self.data / "server.log"

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    @property
    def bin(self) -> Path:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
        if not found:
            raise FileNotFoundError("no PostgreSQL binaries: scripts/postgres installs them")
        return found[-1]

    def _as_server_user(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    @staticmethod
    def _run(args: list[str], env: dict[str, str] | None = None) -> None:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        self._run([str(ROOT / "scripts" / "postgres")],
                  env={**os.environ, "SAFEGUARD_TEST_PG_PORT": str(self.port), "SAFEGUARD_TEST_PG_DATA": str(self.data)})

    def stop(self, mode: str = "immediate") -> None:
        """`immediate`: the server stops at once, as if it crashed (recovery on the next start)."""
        self._run(self._as_server_user(str(self.bin / "pg_ctl"), "-D", str(self.data), "stop", "-m", mode, "-w"))

    def running(self) -> bool:
        return subprocess.run(self._as_server_user(str(self.bin / "pg_ctl"), "-D", str(self.data), "status"),
                              capture_output=True).returncode == 0

    def kill(self) -> None:
        """Stop it for good and remove its data (a test's `finally`)."""
        try:
            if self.running():
                self.stop("fast")
        finally:
            shutil.rmtree(self.data, ignore_errors=True)


async def local_activity_attempts(client: Client, workflow_id: str, activity_type: str) -> list[int]:
    """For each run of a local activity in the workflow's history, the attempt that completed it
    (from the marker the SDK records: more than 1 means it failed and was retried)."""
    attempts = []
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
            continue
        marker = event.marker_recorded_event_attributes
        if marker.marker_name != "core_local_activity" or "data" not in marker.details:
            continue
        data = json.loads(marker.details["data"].payloads[0].data)
        if data.get("activity_type", data.get("activityType")) == activity_type:
            attempts.append(int(data.get("attempt", 1)))
    return attempts
