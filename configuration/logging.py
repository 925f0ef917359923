"""Structured logs (structlog) for the CLI, worker and activities.

Temporal's replay-safe `workflow.logger` goes through the standard library, so stdlib
records are rendered by the same structlog processors, extras (case_id, step) included.
Logs carry ids only: never a summary, record text or name.
"""

from __future__ import annotations

import logging
import sys

import structlog
import temporalio.activity
import temporalio.workflow


def _compact_temporal_context(_, __, event: dict) -> dict:
    # Temporal adds its whole workflow/activity info as an extra; keep the ids that matter.
    for key in ("temporal_workflow", "temporal_activity"):
        info = event.pop(key, None)
        if isinstance(info, dict):
            event.setdefault("workflow_id", info.get("workflow_id"))
    return event


def configure_logging(fmt: str = "console", level: int = logging.INFO) -> None:
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _compact_temporal_context,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    ))
    # structlog renders the workflow's identity from `extra`; keep it out of the message text
    temporalio.workflow.logger.workflow_info_on_message = False
    temporalio.activity.logger.activity_info_on_message = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # the SDK logs each activity's result at DEBUG, and a case's stored facts hold personal details
    logging.getLogger("temporalio.worker._activity").setLevel(max(level, logging.INFO))
