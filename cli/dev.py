"""`safeguard dev` and `safeguard worker`: the embedded stack and the worker on its own."""

from __future__ import annotations

import asyncio
import socket

import structlog
import typer
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from cli.common import EXIT_UNAVAILABLE, fail
from configuration.binaries import temporal_cli
from configuration.logging import configure_logging
from configuration.settings import get_settings
from bootstrap import open_records, serve
from worker import main as worker_main

log = structlog.get_logger("safeguard.dev")


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def run_dev_stack(port: int, ui_port: int) -> None:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = settings.data_dir / "temporal.sqlite"
    env = await WorkflowEnvironment.start_local(
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        port=port,
        ui=True,
        ui_port=ui_port,
        dev_server_existing_path=temporal_cli(),
        dev_server_database_filename=str(db),
    )
    records = open_records(settings)
    store = settings.event_store_env().get("SQLITE_DBNAME", "PostgreSQL")
    typer.echo(
        f"Safeguard embedded stack is up.\n"
        f"  Temporal server  127.0.0.1:{port} (history in {db})\n"
        f"  Temporal UI      http://127.0.0.1:{ui_port}\n"
        f"  Event store      {store}\n"
        f"  Worker           task queue {settings.task_queue}\n"
        f"In another terminal: .venv/bin/safeguard concern raise --file examples/concern.json --identified-now\n"
        f"Press Ctrl-C to stop."
    )
    try:
        async with env:
            await serve(env.client, settings, records)
    finally:
        log.info("stack stopped")


def dev(
    port: int = typer.Option(7233, help="Temporal frontend port"),
    ui_port: int = typer.Option(8233, help="Temporal UI port"),
) -> None:
    """Start the embedded stack: Temporal dev server (SQLite), its UI, the worker and the SQLite event store."""
    configure_logging(get_settings().log_format)
    for p, what in ((port, "--port"), (ui_port, "--ui-port")):
        if port_in_use(p):  # the dev server would fail to bind, and we would talk to whatever holds it
            fail(f"port {p} is already in use: is another `safeguard dev` running? "
                 f"(`safeguard worker` adds a worker to it; {what} chooses another port)", EXIT_UNAVAILABLE)
    try:
        asyncio.run(run_dev_stack(port, ui_port))
    except KeyboardInterrupt:
        typer.echo("stopped")
    except RuntimeError as e:  # the dev server did not come up (most often: the port is taken)
        fail(f"could not start the embedded stack on ports {port}/{ui_port}: {e}; "
             "is another `safeguard dev` running? (--port / --ui-port choose others)", EXIT_UNAVAILABLE)


def worker() -> None:
    """Run the worker against the Temporal server and event store in SAFEGUARD_* settings."""
    settings = get_settings()
    try:
        asyncio.run(worker_main())
    except KeyboardInterrupt:
        typer.echo("stopped")
    except RuntimeError as e:
        fail(f"the worker could not connect to Temporal at {settings.temporal_address}: {e}", EXIT_UNAVAILABLE)
