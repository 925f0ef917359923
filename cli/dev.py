"""`safeguard dev` and `safeguard worker`: the embedded stack and the worker on its own."""

from __future__ import annotations

import asyncio
import os
import signal
import socket

from typing import Optional

import structlog
import typer

from cli.common import EXIT_UNAVAILABLE, fail
from configuration.dev_server import DevServer
from configuration.logging import configure_logging
from configuration.settings import get_settings
from bootstrap import client_options, master_key_source, open_keys, open_records, serve
from encryption.payload_codec import CODEC_PATH
from operations.internal_port import close_internal_port, open_operations_port
from operations.keys import KeyStoreError
from telemetry.temporal_sdk import use_in_this_process
from worker import main as worker_main

log = structlog.get_logger("safeguard.dev")


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def stop_on_sigterm() -> None:
    """SIGTERM stops the running command as Ctrl-C does: the main task is cancelled, so the worker
    drains and what it started is stopped. A second SIGTERM kills at once (the kernel then stops
    the dev server: see configuration/dev_server.py)."""
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    assert task is not None

    def on_sigterm() -> None:
        loop.remove_signal_handler(signal.SIGTERM)
        task.cancel()

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)


def accounts_hint(records) -> str:
    """How to make the first account, when there is none yet."""
    from eventstore.accounts import Accounts

    if Accounts(records).users():
        return ""
    return ("No accounts yet. Make the first, an administrator (a password is generated and shown once):\n"
            "  .venv/bin/safeguard users add ADM-1 --name 'Your Name'\n"
            "  .venv/bin/safeguard users grant ADM-1 administrator\n"
            "  then add the others under Administration in the pages (the README's 'Make the first account').\n")


def other_terminal(settings, port: int, web_port: int | None) -> str:
    """A first command for another terminal, with the settings it needs to reach this stack when it
    runs on ports other than those the settings name (--port, --web-port)."""
    needs = [f"SAFEGUARD_TEMPORAL_ADDRESS=127.0.0.1:{port}" if settings.temporal_address.rsplit(":", 1)[-1] != str(port)
             else "", f"SAFEGUARD_WEB_PORT={web_port}" if web_port is not None and web_port != settings.web_port else ""]
    needs = [n for n in needs if n]
    first = ".venv/bin/safeguard concern raise --file examples/concern.json --identified-now"
    if not needs:
        return f"In another terminal: {first}\n"
    return (f"In another terminal, say where this stack is first (or put it in .env): export {' '.join(needs)}\n"
            f"  then: {first}\n")


async def run_dev_stack(port: int, ui_port: int, web_port: int | None = None) -> None:
    stop_on_sigterm()
    # the web app links to this UI, and lets it (its origin) call the codec endpoint
    settings = get_settings().model_copy(update={"temporal_ui_port": ui_port})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = settings.data_dir / "temporal.sqlite"
    records = open_records(settings, serving=True)  # first: refuses keys it could not unwrap, naming the version
    sdk_port = use_in_this_process() if settings.metrics_port else None  # before any client: the SDK's metrics
    # the UI decodes the encrypted payloads through the web app, for those signed in who may read the case
    codec = f"http://127.0.0.1:{web_port}{CODEC_PATH}" if web_port is not None and records.keys is not None else None
    server = await DevServer.start(port=port, ui_port=ui_port, namespace=settings.temporal_namespace, db=db,
                                   log_path=settings.data_dir / "temporal-server.log", ui_codec_endpoint=codec,
                                   **client_options(settings, records))
    web_server = None

    async def temporal():
        return server.client

    internal = open_operations_port(records, temporal, settings.metrics_host, settings.metrics_port, sdk_port)
    try:
        store = settings.event_store_env().get("SQLITE_DBNAME", "PostgreSQL")
        if web_port is not None:
            from web.app import create_app  # only `serve` and `dev` start the web app
            from web.serving import embedded_server

            web_server = embedded_server(create_app(settings, records=records, client=server.client), "127.0.0.1", web_port)
            web_task = asyncio.create_task(web_server.serve())
        typer.echo(
            f"Safeguard embedded stack is up.\n"
            f"  Temporal server  127.0.0.1:{port} (history in {db}, log in {server.log_path})\n"
            f"  Temporal UI      http://127.0.0.1:{ui_port}\n"
            f"  Event store      {store}\n"
            + (f"  Encryption       events and Temporal payloads, keys in {records.keys.where}, master key from "
               f"{master_key_source(settings)}\n"
               if records.keys is not None else "  Encryption       off (SAFEGUARD_ENCRYPT_AT_REST=false)\n")
            + (f"  Codec endpoint   {codec} (decodes a case's payloads in the Temporal UI for those signed in who "
               "may read it)\n"
               "                   The UI sends the session cookie only once set in its Codec Server settings: 'Use my "
               "browser setting', this endpoint, 'Include cross-origin credentials' on, Apply, reload. Open the UI "
               "and the pages at 127.0.0.1 (localhost is another site for the SameSite=Lax cookie)\n"
               if codec else "")
            + f"  Worker           task queue {settings.task_queue}\n"
            + f"  Alerts           {alerts_line(settings)}\n"
            + (f"  Metrics          http://{settings.metrics_host}:{settings.metrics_port}/metrics (and /healthz, /readyz)\n"
               if internal is not None else "")
            + (f"  Pages            http://127.0.0.1:{web_port}/ (sign in with an account made by `safeguard users`)\n"
               f"  API              http://127.0.0.1:{web_port}/api/v1 (docs http://127.0.0.1:{web_port}/api/docs)\n"
               if web_port is not None else "")
            + accounts_hint(records)
            + other_terminal(settings, port, web_port)
            + "Press Ctrl-C to stop.",
        )
        await serve(server.client, settings, records)
    finally:
        if web_server is not None:
            web_server.should_exit = True
            await asyncio.wait([web_task], timeout=5)
        await close_internal_port(internal)
        server.stop()  # after the worker has drained: it needs the server to finish what it holds
        log.info("stack stopped")


def alerts_line(settings) -> str:
    channels = [f"email by SMTP ({settings.smtp_host}:{settings.smtp_port})" if settings.smtp_host else "",
                "GOV.UK Notify" if settings.notify_api_key else ""]
    if not any(channels):
        return "not set up (SAFEGUARD_SMTP_HOST or SAFEGUARD_NOTIFY_API_KEY: see docs/operations.md#alerts)"
    return f"{' and '.join(c for c in channels if c)}, linking to {settings.public_url}"


def dev(
    port: int = typer.Option(7233, help="Temporal frontend port"),
    ui_port: int = typer.Option(8233, help="Temporal UI port"),
    web_port: int = typer.Option(None, "--web-port", help="the API's port (default SAFEGUARD_WEB_PORT, 8000)"),
) -> None:
    """Start the embedded stack: Temporal dev server (SQLite), its UI, the worker, the SQLite event store and the API."""
    configure_logging(get_settings().log_format)
    web_port = web_port or get_settings().web_port
    if "public_url" not in get_settings().model_fields_set:  # alerts link to this stack's pages, on its port
        os.environ["SAFEGUARD_PUBLIC_URL"] = f"http://127.0.0.1:{web_port}"
        get_settings.cache_clear()
    for p, what in ((port, "--port"), (ui_port, "--ui-port"), (web_port, "--web-port")):
        if port_in_use(p):  # the dev server would fail to bind, and we would talk to whatever holds it
            fail(f"port {p} is already in use: is another `safeguard dev` running? "
                 f"(`safeguard worker` adds a worker to it; {what} chooses another port)", EXIT_UNAVAILABLE)
    try:
        asyncio.run(run_dev_stack(port, ui_port, web_port))
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C, SIGTERM
        typer.echo("stopped")
    except KeyStoreError as e:  # refused to start: keys it could not unwrap (which master-key version), say
        fail(f"the embedded stack did not start: {e}")
    except RuntimeError as e:  # the dev server did not come up (most often: the port is taken)
        fail(f"could not start the embedded stack on ports {port}/{ui_port}/{web_port}: {e}; "
             "is another `safeguard dev` running? (--port / --ui-port / --web-port choose others)", EXIT_UNAVAILABLE)


async def run_worker() -> None:
    stop_on_sigterm()
    await worker_main()


def worker() -> None:
    """Run the worker against the Temporal server and event store in SAFEGUARD_* settings."""
    settings = get_settings()
    try:
        asyncio.run(run_worker())
    except (KeyboardInterrupt, asyncio.CancelledError):
        typer.echo("stopped")
    except KeyStoreError as e:  # refused to start, before connecting: which master-key version is missing, say
        fail(f"the worker did not start: {e}")
    except RuntimeError as e:
        fail(f"the worker could not connect to Temporal at {settings.temporal_address}: {e}", EXIT_UNAVAILABLE)


def serve_command(
    host: str = typer.Option(None, help="address to listen on (default SAFEGUARD_WEB_HOST)"),
    port: int = typer.Option(None, help="port (default SAFEGUARD_WEB_PORT)"),
    workers: int = typer.Option(1, help="uvicorn worker processes"),
    forwarded_allow_ips: Optional[str] = typer.Option(None, help="the TLS proxy's address(es), trusted for X-Forwarded-For "
                                                      "(default SAFEGUARD_TRUSTED_PROXIES; none: the header is ignored)"),
) -> None:
    """Run the HTTP API for production under uvicorn, against the configured Temporal and event store."""
    from web.serving import run_production

    settings = get_settings()
    try:  # refused before a port is opened: keys it could not unwrap (which master-key version is missing), say
        keys = open_keys(settings, serving=True)
    except KeyStoreError as e:
        fail(f"the web app did not start: {e}")
    if keys is not None:
        keys.close()
    run_production(host or settings.web_host, port or settings.web_port, workers,
                   forwarded_allow_ips or settings.trusted_proxies or None,
                   metrics_host=settings.metrics_host, metrics_port=settings.web_metrics_port)
