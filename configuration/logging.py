"""Structured logs (structlog) for the CLI, worker and activities.

Temporal's replay-safe `workflow.logger` goes through the standard library, so stdlib
records are rendered by the same structlog processors, extras (case_id, step) included.
Logs carry ids only: never a summary, record text or name (`configuration/redaction.py`).

- An exception is rendered as plain text (frames and source lines, never local variables), in
  the console and in JSON alike, and its text is scrubbed: the SDK's own "Completing activity
  as failed" carries the activity's exception, whose message or locals may quote a concern.
- Every field named for personal text is masked, at any depth.
- A failure that repeats (an activity retried for minutes, a projection pass failing every
  poll) is logged once per `REPEAT_WINDOW` for the same logger, message, workflow, activity
  and exception; the next line logged says how many were left out (`repeats_suppressed`).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
import traceback
from collections import OrderedDict
from types import TracebackType
from typing import Any, Callable, TextIO

import structlog
import temporalio.activity
import temporalio.workflow

from configuration.redaction import scrub_text, scrub_value

REPEAT_WINDOW = 60.0  # seconds
MAX_EXCEPTION_CHARS = 8000  # a traceback longer than this keeps its start and its end
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _compact_temporal_context(_, __, event: dict) -> dict:
    # Temporal adds its whole workflow/activity info as an extra; keep the ids that matter.
    for key in ("temporal_workflow", "temporal_activity"):
        info = event.pop(key, None)
        if isinstance(info, dict):
            event.setdefault("workflow_id", info.get("workflow_id"))
            if key == "temporal_activity":
                event.setdefault("activity", info.get("activity_type"))
                event.setdefault("attempt", info.get("attempt"))
    event.pop("__temporal_error_identifier", None)
    return event


def _exc_info(value: Any) -> ExcInfo | None:
    if value is True:
        value = sys.exc_info()
    elif isinstance(value, BaseException):
        value = (type(value), value, value.__traceback__)
    if isinstance(value, tuple) and len(value) == 3 and value[0] is not None:
        return value  # type: ignore[return-value]
    return None


def format_exception(exc_info: ExcInfo) -> str:
    """The traceback as Python prints it (no local variables, ever), bounded; the exceptions'
    messages (and notes) scrubbed, the frames (file, line, function, source line) as they are."""
    chunks = traceback.TracebackException(*exc_info, capture_locals=False).format()
    text = "".join(c if c.startswith("  File ") else scrub_text(c) for c in chunks).rstrip()
    if len(text) > MAX_EXCEPTION_CHARS:
        head = MAX_EXCEPTION_CHARS // 4
        tail = MAX_EXCEPTION_CHARS - head
        text = f"{text[:head]}\n... {len(text) - head - tail} characters left out ...\n{text[-tail:]}"
    return text


def _exceptions_as_text(_, __, event: dict) -> dict:
    """exc_info -> `exception`, plain and scrubbed, for both renderers (the console's would show
    locals through rich; the JSON one would print the exception's repr)."""
    exc = _exc_info(event.pop("exc_info", None))
    if exc is not None:
        event["exception"] = format_exception(exc)
    elif isinstance(event.get("exception"), str):
        event["exception"] = scrub_text(event["exception"])
    return event


_OWN = ("event", "level", "logger", "timestamp", "exception")


def _scrub(_, method: str, event: dict) -> dict:
    """Mask every field named for personal text; in messages that are not our own (the SDK's,
    any library's) and at warning and above, mask personal text in the strings too."""
    thorough = not event.get("_from_structlog", True) or method in ("warning", "error", "critical", "exception")
    for key, value in list(event.items()):
        if key.startswith("_") and key in ("_record", "_from_structlog"):
            continue
        value = scrub_value(key, value)
        if thorough and isinstance(value, str) and key not in ("level", "logger", "timestamp", "exception"):
            value = scrub_text(value)
        event[key] = value
    return event


class RepeatLimiter(logging.Filter):
    """Lets a failure through once per `window` seconds for the same logger, message, workflow,
    activity and exception (type and where it was raised); the next one let through carries the
    number left out meanwhile. Records without an exception always pass."""

    def __init__(self, window: float = REPEAT_WINDOW, clock: Callable[[], float] = time.monotonic,
                 capacity: int = 1024) -> None:
        super().__init__()
        self.window, self.clock, self.capacity = window, clock, capacity
        self._seen: OrderedDict[tuple, list[float | int]] = OrderedDict()
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        structured = isinstance(record.msg, dict)
        exc = _exc_info(record.msg.get("exc_info") if structured else record.exc_info)  # type: ignore[union-attr]
        if exc is None:
            return True
        key = (record.name, *self._identity(record, structured), exc[0].__qualname__, *self._raised_at(exc))
        now = self.clock()
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen[0] < self.window:
                seen[1] += 1
                return False
            left_out = int(seen[1]) if seen is not None else 0
            self._seen[key] = [now, 0]
            self._seen.move_to_end(key)
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
        if left_out:
            if structured:
                record.msg = {**record.msg, "repeats_suppressed": left_out}  # type: ignore[dict-item]
            else:
                record.repeats_suppressed = left_out
        return True

    @staticmethod
    def _identity(record: logging.LogRecord, structured: bool) -> tuple[Any, ...]:
        if structured:
            msg: dict = record.msg  # type: ignore[assignment]
            return msg.get("event"), msg.get("case_id"), msg.get("workflow_id")
        info = getattr(record, "temporal_activity", None) or getattr(record, "temporal_workflow", None) or {}
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        return message, info.get("workflow_id"), info.get("activity_type"), getattr(record, "case_id", None)

    @staticmethod
    def _raised_at(exc: ExcInfo) -> tuple[Any, ...]:
        tb = exc[2]
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        return (tb.tb_frame.f_code.co_filename, tb.tb_lineno) if tb is not None else (None, None)


class HideLinkSecrets(logging.Filter):
    """A path holding a secret (a link to set a password, `/reset/<token>`) is logged without it: the
    web server's access log names every request's path, and so may an error."""

    PATHS = re.compile(r"(/reset/)[^\s?#\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        hide = lambda v: self.PATHS.sub(r"\1[hidden]", v) if isinstance(v, str) else v  # noqa: E731
        if isinstance(record.args, tuple):
            record.args = tuple(hide(a) for a in record.args)
        if isinstance(record.msg, str):
            record.msg = hide(record.msg)
        return True


def build_handler(fmt: str = "console", stream: TextIO | None = None, repeat_window: float = REPEAT_WINDOW,
                  clock: Callable[[], float] = time.monotonic) -> logging.Handler:
    """The one handler: stdlib and structlog records alike, scrubbed, rendered, repeats limited."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = (structlog.processors.JSONRenderer() if fmt == "json"
                else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback))
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[_compact_temporal_context, _exceptions_as_text, _scrub,
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    ))
    handler.addFilter(HideLinkSecrets())
    handler.addFilter(RepeatLimiter(repeat_window, clock))
    return handler


def configure_logging(fmt: str = "console", level: int = logging.INFO) -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # structlog renders the workflow's identity from `extra`; keep it out of the message text
    temporalio.workflow.logger.workflow_info_on_message = False
    temporalio.activity.logger.activity_info_on_message = False
    root = logging.getLogger()
    root.handlers[:] = [build_handler(fmt)]
    root.setLevel(level)
    # uvicorn's access log has its own handler (`safeguard serve`): a link's secret is left out of it too
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, HideLinkSecrets) for f in access.filters):
        access.addFilter(HideLinkSecrets())
    # the SDK logs each activity's result at DEBUG, and a case's stored facts hold personal details
    logging.getLogger("temporalio.worker._activity").setLevel(max(level, logging.INFO))


def quiet_temporal_runtime() -> Any:
    """A Temporal runtime whose core (Rust) logs only errors: its retry warnings, with terminal
    colours, would otherwise reach staff ahead of Safeguard's own one-line message, and the
    time-skipping server's version warnings would fill test output."""
    from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR",
                                                                                          other_level="ERROR"))))
