"""Running the web app: inside `safeguard dev` (in its event loop, beside the worker) and under
uvicorn on its own (`safeguard serve`)."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import uvicorn


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


def run_production(host: str, port: int, workers: int, trusted_proxies: str | None) -> None:
    """uvicorn with its own signal handling. Behind a TLS-terminating proxy, `trusted_proxies` names
    it (SAFEGUARD_TRUSTED_PROXIES), so the address audited is the caller's, not the proxy's; from
    any other address, X-Forwarded-For and X-Forwarded-Proto are ignored."""
    uvicorn.run("web.production:app", host=host, port=port, workers=workers, proxy_headers=bool(trusted_proxies),
                forwarded_allow_ips=trusted_proxies or None, log_level="info", lifespan="off")
