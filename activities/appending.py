"""Appending a workflow's facts at their positions: what the case and the provider-concern process
share. All or nothing; a retry of a batch already stored stores nothing; positions taken by a lost
attempt's facts answer with those facts (superseded); a gap is never retried."""

from __future__ import annotations

from typing import Any, Callable

import structlog
from temporalio.exceptions import ApplicationError

from eventstore.application import OutOfSequence, Superseded

log = structlog.get_logger("safeguard.activities")


def appended(record: Callable[[], list[Any]], first_seq: int, **ids: str) -> tuple[list[Any], bool]:
    """(the facts the store holds at the batch's positions, whether they are another attempt's);
    `ids` name the stream in the logs (case_id= or process_id=)."""
    try:
        stored = record()
    except Superseded as e:
        log.warning("batch superseded by a lost attempt's", seq=first_seq, **ids)
        return [r.fact for r in e.stored], True
    except OutOfSequence as e:
        raise ApplicationError(str(e), type="OutOfSequence", non_retryable=True) from e
    for r in stored:
        log.info("fact recorded", seq=r.seq, fact=r.type, step=getattr(r.fact, "step", None), **ids)
    return [r.fact for r in stored], False
