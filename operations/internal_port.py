"""The internal port each Safeguard process serves for its operators (issue 23): `/metrics` in
Prometheus' text format, `/healthz` and `/readyz`; everything else is 404. It listens on
SAFEGUARD_METRICS_HOST (127.0.0.1 unless set) at the worker's SAFEGUARD_METRICS_PORT or the web
app's SAFEGUARD_WEB_METRICS_PORT: never the public port, which has no `/metrics` (deny by default).
Nothing on it is personal: counts, ages, route templates, read models' names."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from datetime import datetime
from typing import Any, Awaitable, Callable, Iterator

import structlog
import uvicorn
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4
from temporalio.client import Client

from eventstore.application import SafeguardingRecords
from operations.health import ALIVE, READY, TemporalUp, not_ready
from operations.metrics import exposition, registry_for, utc_now
from projections.registry import open_documents

log = structlog.get_logger("safeguard.operations")
PLAIN = "text/plain; charset=utf-8"
Answer = tuple[int, str, bytes]


def internal_app(records: SafeguardingRecords, temporal: Callable[[], Awaitable[Client]], sdk_port: int | None = None,
                 now: Callable[[], datetime] = utc_now) -> Callable[..., Awaitable[None]]:
    """The ASGI app of the internal port, over this process's store and connection to Temporal."""
    registry = registry_for(records, open_documents(records), now=now)
    temporal_up = TemporalUp(temporal)
    registry.register(temporal_up)

    async def answer(method: str, path: str) -> Answer:
        if path not in ("/metrics", "/healthz", "/readyz"):
            return 404, PLAIN, b"Not found.\n"
        if method not in ("GET", "HEAD"):
            return 405, PLAIN, b"Only GET.\n"
        if path == "/metrics":
            await temporal_up.probe()
            return 200, CONTENT_TYPE_PLAIN_0_0_4, await asyncio.to_thread(exposition, registry, sdk_port)
        if path == "/healthz":
            return 200, PLAIN, f"{ALIVE}\n".encode()
        reason = await not_ready(records, temporal)
        return (503, PLAIN, f"{reason}\n".encode()) if reason else (200, PLAIN, f"{READY}\n".encode())

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            return
        status, kind, body = await answer(scope["method"], scope["path"])
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind.encode()), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    return app


class InternalServer(uvicorn.Server):
    """uvicorn in the process's own event loop: the process owns its signals and stops this
    server by setting `should_exit`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listening(host: str, port: int) -> socket.socket | None:
    """The port bound, or None (logged) when it cannot be: the process runs on without it, since
    cases matter more than their metrics; its readiness check then fails, which is seen."""
    try:
        return socket.create_server((host, port), reuse_port=False)
    except OSError as e:
        log.error("the internal port (metrics and health) could not be opened", host=host, port=port, error=e.strerror)
        return None


def open_internal_port(app: Callable[..., Awaitable[None]], host: str, port: int) -> tuple[InternalServer, asyncio.Task] | None:
    """Serve `app` on host:port in the running event loop; None if the port cannot be had."""
    sock = listening(host, port)
    if sock is None:
        return None
    server = InternalServer(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    return server, asyncio.create_task(server.serve(sockets=[sock]))


async def close_internal_port(opened: tuple[InternalServer, asyncio.Task] | None) -> None:
    if opened is not None:
        opened[0].should_exit = True
        await asyncio.wait([opened[1]], timeout=5)


def open_operations_port(records: SafeguardingRecords, temporal: Callable[[], Awaitable[Client]], host: str, port: int,
                         sdk_port: int | None = None) -> tuple[InternalServer, asyncio.Task] | None:
    """The process's internal port over its store and Temporal (none when `port` is 0)."""
    if not port:
        return None
    opened = open_internal_port(internal_app(records, temporal, sdk_port), host, port)
    if opened is not None:
        log.info("internal port open: /metrics, /healthz, /readyz", host=host, port=port)
    return opened
