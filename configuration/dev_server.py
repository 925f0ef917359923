"""The Temporal dev server of `safeguard dev`, as a child process that cannot outlive us.

`WorkflowEnvironment.start_local` starts the same server but gives no hook on the child: a
`safeguard dev` killed with SIGKILL (or SIGTERM, which Python does not handle by default) left
it running, holding the ports, and the next start refused them. Here the child is started with
`PR_SET_PDEATHSIG` (Linux): the kernel sends it SIGTERM the moment we die, however we die. It
runs in its own process group, so a Ctrl-C reaches us alone and we stop the worker (draining
it) before the server it talks to. The arguments are those `start_local` passes
(temporalio 1.35), so the server behaves as before.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from configuration.binaries import temporal_cli

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STARTUP_TIMEOUT = 60.0  # seconds: a fresh SQLite history takes 2-3 s on the development machines
STOP_TIMEOUT = 10.0  # seconds the server has to stop on SIGTERM before it is killed
START_ATTEMPTS = 3  # the server picks its internal ports itself; another process can take one first


def dev_server_args(*, port: int, ui_port: int, namespace: str, db: Path, ip: str = "127.0.0.1",
                    log_level: str = "warn", ui_codec_endpoint: str | None = None) -> list[str]:
    """`temporal server start-dev` with the arguments `WorkflowEnvironment.start_local` gives it, and
    the codec endpoint its UI decodes payloads with."""
    codec = ["--ui-codec-endpoint", ui_codec_endpoint] if ui_codec_endpoint else []
    return [temporal_cli(), "server", "start-dev", *codec, "--port", str(port), "--namespace", namespace, "--ip", ip,
            "--log-format", "pretty", "--log-level", log_level,
            "--dynamic-config-value", "frontend.enableServerVersionCheck=false",
            "--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true",
            "--dynamic-config-value", "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true",
            "--db-filename", str(db), "--ui-port", str(ui_port)]


def die_with_parent() -> Callable[[], None]:
    """A `preexec_fn` asking the kernel to SIGTERM the child when its parent dies. The libc call is
    looked up before the fork, so the child only calls it. The signal follows the *thread* that
    forked: start the server from the main thread (as `safeguard dev` does), which lives as long
    as the process."""
    if not sys.platform.startswith("linux"):
        raise RuntimeError("the embedded stack ties its Temporal server to its own life with a Linux call (prctl)")
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    parent = os.getpid()

    def preexec() -> None:
        if prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            os._exit(127)
        if os.getppid() != parent:  # the parent died between the fork and the prctl
            os._exit(0)

    return preexec


class DevServer:
    """A running `temporal server start-dev`, and a client connected to it."""

    def __init__(self, process: subprocess.Popen[bytes], target: str, log_path: Path, client: Client) -> None:
        self.process, self.target, self.log_path, self.client = process, target, log_path, client

    @classmethod
    async def start(cls, *, port: int, ui_port: int, namespace: str, db: Path, log_path: Path,
                    timeout: float = STARTUP_TIMEOUT, ui_codec_endpoint: str | None = None,
                    **client_options: Any) -> "DevServer":
        """Start the server (its output to `log_path`) and connect once its frontend answers;
        RuntimeError, with the server stopped, if it exits or does not answer within `timeout`.
        `client_options` go to `Client.connect` (e.g. `data_converter`; pydantic's by default)."""
        args = dev_server_args(port=port, ui_port=ui_port, namespace=namespace, db=db, ui_codec_endpoint=ui_codec_endpoint)
        keep_last_log(log_path)
        for attempt in range(1, START_ATTEMPTS + 1):
            with open(log_path, "ab") as log:  # every attempt's output is kept
                start = log.tell()
                process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                           preexec_fn=die_with_parent(), process_group=0)
            target = f"127.0.0.1:{port}"
            try:
                client = await _connect_when_up(process, target, namespace, log_path, start, timeout, **client_options)
            except ServerExited as e:
                stop_process(process)
                if not e.worth_retrying or attempt == START_ATTEMPTS:
                    raise
                continue
            except BaseException:
                stop_process(process)
                raise
            return cls(process, target, log_path, client)
        raise AssertionError("unreachable")

    def stop(self) -> int | None:
        return stop_process(self.process)


def keep_last_log(log_path: Path) -> None:
    """Start a new log, keeping the one before beside it (`.previous`): after a crash, a restart must
    not empty the only account of why. Owner-only, as every file Safeguard writes beside its data."""
    if log_path.exists() and log_path.stat().st_size:
        log_path.replace(log_path.with_name(f"{log_path.stem}.previous{log_path.suffix}"))
    log_path.write_bytes(b"")
    log_path.chmod(0o600)


class ServerExited(RuntimeError):
    """The server stopped while starting. Worth retrying unless it refused a port we chose: a port
    it picked for itself (history, matching, HTTP) can be taken by another process in between."""

    def __init__(self, code: int, cause: str, log_path: Path) -> None:
        super().__init__(f"the Temporal dev server exited with code {code}: {cause or 'no output'} (its log: {log_path})")
        self.worth_retrying = "can't set" not in cause


async def _connect_when_up(process: subprocess.Popen[bytes], target: str, namespace: str, log_path: Path,
                           log_start: int, timeout: float, **client_options: Any) -> Client:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerExited(process.returncode, _cause(log_path, log_start), log_path)
        try:
            client = await Client.connect(target, namespace=namespace,
                                          **{"data_converter": pydantic_data_converter, **client_options})
            await client.service_client.check_health(timeout=timedelta(seconds=2))
            return client
        except Exception as e:  # not listening yet, or not serving yet
            last = e
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the Temporal dev server did not answer on {target} within {timeout:.0f} s "
                       f"(last error: {last}; its log: {log_path})")


def stop_process(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> int | None:
    """SIGTERM (the server stops cleanly, its SQLite history closed), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


CAUSE_MARKERS = ("Error:", "panic:", "fatal error:", "level=ERROR", "level=FATAL", "bind:")


def _cause(path: Path, start: int = 0, lines: int = 3) -> str:
    """Why the server stopped: its error, panic or bind lines, not the tail of a Go stack trace."""
    try:
        with open(path, "rb") as f:
            f.seek(start)
            text = f.read().decode(errors="replace").strip().splitlines()
    except OSError:
        return ""
    causes = [line.strip() for line in text if any(m in line for m in CAUSE_MARKERS)]
    return " | ".join(causes[:lines] if causes else text[-lines:])
