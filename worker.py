"""The Safeguard worker: runs case workflows and their activities on one task queue, keeps the
read models current and the audit schedules in place.

`python worker.py` connects to the Temporal server and event store named by SAFEGUARD_*
settings; `safeguard dev` starts the embedded stack and runs the same worker inside it.
"""

from __future__ import annotations

import asyncio

import structlog

from bootstrap import build_worker, connect, open_records, start_projections
from configuration.logging import configure_logging
from configuration.settings import get_settings
from schedules.audits import ensure_schedules


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format)
    client = await connect(settings)
    records = open_records(settings)
    stop = start_projections(records)
    await ensure_schedules(client, settings)
    structlog.get_logger("safeguard.worker").info("worker started", task_queue=settings.task_queue)
    try:
        await build_worker(client, records, settings).run()
    finally:
        stop.set()


if __name__ == "__main__":
    asyncio.run(main())
