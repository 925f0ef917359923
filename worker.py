"""The Safeguard worker: runs case workflows and their activities on one task queue, keeps the
read models current and the audit schedules in place.

`python worker.py` connects to the Temporal server and event store named by SAFEGUARD_*
settings; `safeguard dev` starts the embedded stack and runs the same worker inside it.
"""

from __future__ import annotations

import asyncio

import structlog

from bootstrap import connect, open_records, serve
from configuration.logging import configure_logging
from configuration.settings import get_settings


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format)
    records = open_records(settings)
    client = await connect(settings, records)
    structlog.get_logger("safeguard.worker").info("worker started", task_queue=settings.task_queue)
    await serve(client, settings, records)


if __name__ == "__main__":
    asyncio.run(main())
