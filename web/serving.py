"""Running the web app: inside `safeguard dev` (in its event loop, beside the worker) and under
uvicorn on its own (`safeguard serve`)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Iterator

import structlog
import uvicorn

from operations.internal_port import close_internal_port, open_operations_port
from telemetry.temporal_sdk import use_in_this_process


class EmbeddedServer(uvicorn.Server):
    """uvicorn inside another command's event loop: that command owns SIGINT/SIGTERM (the dev
    stack drains its worker first) and stops this server by setting `should_exit`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def embedded_server(app: Any, host: str, port: int) -> EmbeddedServer:
    """No proxy in front: X-Forwarded-For is never believed (uvicorn would believe it from loopback,
    so anyone on the machine could write the address the access log and sign-in throttle see)."""
    return EmbeddedServer(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                         lifespan="off", proxy_headers=False))


def run_production(host: str, port: int, workers: int, trusted_proxies: str | None, *,
                   metrics_host: str = "127.0.0.1", metrics_port: int = 0) -> None:
    """uvicorn with its own signal handling. Behind a TLS-terminating proxy, `trusted_proxies` names
    it (SAFEGUARD_TRUSTED_PROXIES), so the address audited is the caller's, not the proxy's; from
    any other address, X-Forwarded-For and X-Forwarded-Proto are ignored. With one process (scale
    by replicas, not `--workers`), its internal port (`metrics_port`: /metrics, /healthz, /readyz)
    is served beside the public one, in the same event loop."""
    options: dict[str, Any] = {"host": host, "port": port, "proxy_headers": bool(trusted_proxies),
                               "forwarded_allow_ips": trusted_proxies or None, "log_level": "info", "lifespan": "off"}
    if workers == 1 and metrics_port:
        asyncio.run(_with_internal_port(options, metrics_host, metrics_port))
        return
    if metrics_port:
        structlog.get_logger("safeguard.web").warning(
            "no internal port (metrics) with more than one uvicorn worker process: run one per replica")
    uvicorn.run("web.production:app", workers=workers, **options)


async def _with_internal_port(options: dict[str, Any], metrics_host: str, metrics_port: int) -> None:
    sdk_port = use_in_this_process()  # the SDK's metrics, before the app's client connects
    from web.production import app

    ports = app.state.web.ports
    internal = open_operations_port(ports.records, ports.temporal, metrics_host, metrics_port, sdk_port)
    try:
        await uvicorn.Server(uvicorn.Config(app, **options)).serve()
    finally:
        await close_internal_port(internal)
