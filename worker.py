"""The Safeguard worker: runs case workflows and their activities on one task queue, keeps the
read models current and the audit schedules in place.

`python worker.py` connects to the Temporal server and event store named by SAFEGUARD_*
settings, and serves /metrics, /healthz and /readyz on its internal port (SAFEGUARD_METRICS_PORT); `safeguard dev` starts the embedded stack and runs the same worker inside it.
"""

from __future__ import annotations

import asyncio
import sys

import structlog
from pydantic import ValidationError

from bootstrap import connect, open_records, serve
from configuration.logging import configure_logging
from configuration.settings import Settings, get_settings, invalid
from operations.keys import KeyStoreError
from operations.internal_port import close_internal_port, open_operations_port
from telemetry.temporal_sdk import use_in_this_process


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format)
    records = open_records(settings, serving=True)  # first: refuses keys it could not unwrap, naming the version
    # one Temporal runtime for the process, exporting the SDK's metrics, before any client connects
    sdk_port = use_in_this_process() if settings.metrics_port else None
    client = await connect(settings, records)

    async def temporal():
        return client

    internal = open_operations_port(records, temporal, settings.metrics_host, settings.metrics_port, sdk_port)
    structlog.get_logger("safeguard.worker").info("worker started", task_queue=settings.task_queue)
    try:
        await serve(client, settings, records)
    finally:
        await close_internal_port(internal)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyStoreError as e:  # refused to start: what is missing and where to configure it, no traceback
        sys.exit(f"error: the worker did not start: {e}")
    except ValidationError as e:
        if e.title != Settings.__name__:
            raise
        sys.exit(f"error: the worker did not start: {invalid(e)}")
