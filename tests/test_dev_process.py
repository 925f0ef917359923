"""`safeguard dev` as a process: whether it is killed (SIGKILL) or stopped (SIGTERM), its Temporal
dev server goes with it and frees the ports, and the next start serves the same history."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

SAFEGUARD = str(Path(sys.executable).parent / "safeguard")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "concern.json"


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it has let go of everything)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.1)


class DevStack:
    """One `safeguard dev` on the test's own ports, data directory and task queue."""

    def __init__(self, tmp: Path, ports: list[int], queue: str) -> None:
        self.tmp, (self.port, self.ui_port), self.queue = tmp, ports, queue
        self.env = {**os.environ, "SAFEGUARD_DATA_DIR": str(tmp / "data"), "SAFEGUARD_TASK_QUEUE": queue,
                    "SAFEGUARD_TEMPORAL_ADDRESS": f"127.0.0.1:{self.port}", "SAFEGUARD_EVENT_STORE": "sqlite",
                    "SAFEGUARD_WEB_PORT": str(free_ports(1)[0])}  # the API's own port, never another run's 8000
        self.started: list[subprocess.Popen] = []
        self.servers: list[int] = []  # every dev server pid seen, to clean up whatever the test leaves

    def start(self) -> subprocess.Popen:
        n = len(self.started)
        out, err = open(self.tmp / f"dev{n}.out", "wb"), open(self.tmp / f"dev{n}.err", "wb")
        proc = subprocess.Popen([SAFEGUARD, "dev", "--port", str(self.port), "--ui-port", str(self.ui_port)],
                                env=self.env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.started.append(proc)
        wait_for(lambda: proc.poll() is not None or "stack is up" in self.output(n), 30, "the stack is up")
        assert proc.poll() is None, f"safeguard dev exited {proc.returncode}: {self.output(n, 'err')}"
        self.servers += children(proc.pid)
        asyncio.run(self.worker_polling())
        return proc

    def output(self, n: int, which: str = "out") -> str:
        return (self.tmp / f"dev{n}.{which}").read_text(errors="replace")

    async def worker_polling(self, timeout: float = 20) -> None:
        client = await Client.connect(f"127.0.0.1:{self.port}")
        deadline = time.monotonic() + timeout
        while True:
            answer = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
                namespace="default", task_queue=TaskQueue(name=self.queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
            if answer.pollers:
                return
            assert time.monotonic() < deadline, "the worker never polled"
            await asyncio.sleep(0.1)

    def safeguard(self, *args: str) -> tuple[int, str, str]:
        done = subprocess.run([SAFEGUARD, *args], env=self.env, capture_output=True, text=True, timeout=30)
        return done.returncode, done.stdout, done.stderr

    def raise_concern(self) -> str:
        code, out, err = self.safeguard("concern", "raise", "--file", str(EXAMPLE), "--identified-now", "--json")
        assert code == 0, err
        return json.loads(out)["case_id"]

    def assert_servers_gone(self) -> None:
        wait_for(lambda: not any(alive(pid) for pid in self.servers), 10, f"the dev server ({self.servers}) has stopped")
        wait_for(lambda: not listening(self.port) and not listening(self.ui_port), 5, "the ports are free")

    def clean_up(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for pid in self.servers:  # an orphaned server (what this test is about) must not outlive it
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_killed_or_stopped_the_dev_stack_leaves_no_server_behind(tmp_path):
    stack = DevStack(tmp_path, free_ports(2), f"dev-{uuid.uuid4().hex[:6]}")
    try:
        first = stack.start()
        assert stack.servers, "the dev server is a child of safeguard dev"
        case = stack.raise_concern()

        first.send_signal(signal.SIGKILL)  # nothing runs in it: the kernel stops its server
        first.wait(5)
        stack.assert_servers_gone()

        second = stack.start()  # on the same ports: nothing holds them
        code, out, err = stack.safeguard("concern", "status", case, "--json")
        assert code == 0 and json.loads(out)["case_id"] == case, err  # the history survived, in its SQLite file
        stack.raise_concern()

        second.send_signal(signal.SIGTERM)  # stops as Ctrl-C does: the worker drains, then the server stops
        assert second.wait(20) == 0
        assert "stack stopped" in stack.output(1, "err") and "stopped" in stack.output(1)
        stack.assert_servers_gone()
    finally:
        stack.clean_up()
