"""When the worker records a checkpoint of the chain heads (evidence/store.py).

Removing a case's latest events is found only once a checkpoint holds them: until then the
chain alone cannot tell "removed" from "never written". So checkpoints come at once when a case
concludes or closes (the record an inspector will read), and at least every `every` seconds
while anything changed; `take_checkpoint` records nothing when nothing did. The store is looked
at every `poll` seconds, by position and topic only (nothing decoded).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import structlog
from eventsourcing.utils import get_topic

from domain.facts import CaseClosed, CaseConcluded
from eventstore.application import SafeguardingRecords
from evidence.store import EvidenceError, take_checkpoint
from projections.documents import Documents

MILESTONES = (get_topic(CaseConcluded), get_topic(CaseClosed))
log = structlog.get_logger("safeguard.evidence")


class Checkpointing:
    def __init__(self, records: SafeguardingRecords, documents: Documents, every: float, poll: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.records, self.documents, self.every, self.poll, self.clock = records, documents, every, poll, clock
        self.covered = 0  # the store's position the last checkpoint (or look) covered
        self.last = clock()

    def due(self) -> str | None:
        """"milestone" (a case concluded or closed since the last checkpoint), "interval", or None."""
        if self.records.recorder.select_notifications(start=self.covered + 1, limit=1, topics=MILESTONES):
            return "milestone"
        return "interval" if self.clock() - self.last >= self.every else None

    def step(self) -> dict[str, Any] | None:
        """Take a checkpoint if one is due; the checkpoint, or None."""
        why = self.due()
        if why is None:
            return None
        position = self.records.recorder.max_notification_id() or 0
        taken = take_checkpoint(self.records, self.documents)  # None: nothing written since the last
        self.covered, self.last = position, self.clock()
        if taken:
            log.info("evidence checkpoint", seq=taken["seq"], streams=len(taken["streams"]), why=why)
        return taken

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.poll):
            try:
                self.step()
            except EvidenceError as e:
                log.error("evidence checkpoint refused", reason=str(e))
            except Exception as e:  # the store failing: the next look tries again
                log.warning("evidence checkpoint failed", error=type(e).__name__)
