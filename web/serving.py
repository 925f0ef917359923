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
    return EmbeddedServer(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                         lifespan="off"))


def run_production(host: str, port: int, workers: int, forwarded_allow_ips: str | None) -> None:
    """uvicorn with its own signal handling. Behind a TLS-terminating proxy, `forwarded_allow_ips`
    names the proxy so the client address audited is the caller's, not the proxy's."""
    uvicorn.run("web.production:app", host=host, port=port, workers=workers, proxy_headers=forwarded_allow_ips is not None,
                forwarded_allow_ips=forwarded_allow_ips, log_level="info", lifespan="off")
