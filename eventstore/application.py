"""The event store application: appends a case's facts, reads them back.

Facts are stored as they are (`eventstore/events.py`); there is no aggregate to rebuild: the
case's decisions live in `domain/case/`, and the store's job is to keep each fact once, at its
position, in order.
"""

from __future__ import annotations

import random
import threading
import time
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from typing import Any, ClassVar, Iterator, Sequence
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import EventStore, IntegrityError
from eventsourcing.utils import get_topic

from domain.facts import ConcernRaised, Fact
from domain.process_facts import PROCESS_OPENERS
from eventstore.chain import ChainedEventStore
from eventstore.end_turns import end_turn
from eventstore.keys import KeyStore
from eventstore.events import FactMapper, Recorded, case_stream, process_stream
from telemetry.instruments import APPEND_SECONDS


class OutOfSequence(RuntimeError):
    """The store and the workflow disagree about what a case has recorded: never retried."""


class Superseded(OutOfSequence):
    """The positions are taken by other facts: those an earlier attempt of the same workflow task
    recorded before it was lost (a worker stopped between a local activity and the task's end).
    `stored` is what the store holds from the first of those positions on."""

    def __init__(self, message: str, stored: list[Recorded]) -> None:
        super().__init__(message)
        self.stored = stored


class AlreadyExists(RuntimeError):
    """A stream that must be new (a user's, a token's) exists already."""


APPEND_TRIES = 50
_locks: dict[UUID, threading.Lock] = {}
_locks_guard = threading.Lock()


@contextmanager
def _turn(stream: UUID, at_end: bool) -> Iterator[None]:
    """Appends at the end of one stream from this process take turns (the access log is one stream,
    written on every read), so they rarely race each other for a position; other processes may."""
    if not at_end:
        yield
        return
    with _locks_guard:
        if len(_locks) > 10_000:  # users' and tokens' streams come and go; the access log's stays
            _locks.clear()
        lock = _locks.setdefault(stream, threading.Lock())
    with lock:
        yield


class SafeguardingRecords(Application):
    name = "SafeguardingRecords"
    env: ClassVar[dict[str, str]] = {"MAPPER_TOPIC": get_topic(FactMapper)}

    def __init__(self, env: Any = None, keys: KeyStore | None = None) -> None:
        super().__init__(env)
        self.keys = keys  # encryption at rest, per case (eventstore/keys.py); None: stored as JSON
        self.mapper.keys = keys  # type: ignore[attr-defined]

    def close(self) -> None:
        for own in ("_log_listener", "_end_turns"):  # eventstore/changes.py, end_turns.py: their connections too
            if (held := self.__dict__.get(own)) is not None:
                held.close()
        super().close()

    def construct_event_store(self) -> EventStore:
        # every stream saved here is hash-chained (eventstore/chain.py): cases, audits, any added later
        return ChainedEventStore(mapper=self.mapper, recorder=self.recorder)

    # --- the one way facts are stored ----------------------------------------------------

    @APPEND_SECONDS.time()  # safeguard_append_seconds: every append, its retries and refusals included
    def append(self, stream: UUID, facts: Sequence[Fact], at: int | None = None, *, new: bool = False,
               label: str | None = None) -> list[Recorded]:
        """Store `facts` in `stream`, all or nothing, and return them as stored. This is the only way
        anything is written: cases, processes, audits, governance actions, exports, accounts and the
        access log alike.

        How a position is claimed differs; the retry does not. A writer that knows where it is (a
        case's or a process's workflow, an action's, a single-fact stream) appends `at` a position:
        the event before it must be stored, and a batch already stored there (a retry) stores nothing
        and answers what is stored, while other facts there are `Superseded`. A stream many write to
        (the access log, an account) appends at its end (`at` None): the next position, claimed again
        when another writer took it first. `new`: the stream must not exist yet (`AlreadyExists`).
        """
        label = label or f"stream {stream}"
        for attempt in range(APPEND_TRIES):
            with _turn(stream, at is None), (end_turn(self, stream) if at is None else nullcontext()):
                first, before = self._claim(stream, at, new, label)
                now = datetime.now(timezone.utc)  # one write time for the batch: what it recorded together
                batch = [Recorded(stream, seq, now, fact) for seq, fact in enumerate(facts, start=first)]
                try:
                    self.save(*batch, chain_heads={stream: before})
                    return batch
                except IntegrityError:  # another write holds these positions
                    if new:
                        raise AlreadyExists(f"{label} already exists") from None
                    if at is not None:  # the same batch (an earlier attempt's, or a concurrent twin's), or not
                        return self._already_recorded(stream, label, at, facts)
            time.sleep(random.uniform(0, 0.002 * (attempt + 1)))  # another process won the end: claim it again
        raise OutOfSequence(f"{label}: the store is too busy to append; try again")

    def _claim(self, stream: UUID, at: int | None, new: bool, label: str) -> tuple[int, Any]:
        """The first position to write and the stored event before it (the hash chain links to it)."""
        if at is None:
            last = self.recorder.select_events(stream, desc=True, limit=1)
            if new and last:
                raise AlreadyExists(f"{label} already exists")
            return (last[0].originator_version + 1 if last else 1), (last[0] if last else None)
        if at == 1:
            return 1, None
        found = self.recorder.select_events(stream, gt=at - 2, lte=at - 1, limit=1)
        if not found:
            raise OutOfSequence(f"{label}: the store holds {self._version(stream)} events but the workflow is "
                                f"recording from #{at}")
        return at, found[0]

    def record(self, case_id: str, first_seq: int, facts: Sequence[Fact]) -> list[Recorded]:
        """Append a case's facts numbered first_seq.. (its workflow knows the positions): fact 1 is
        its ConcernRaised and only fact 1. A case's own key is made with its first fact."""
        self._check_shape(case_id, first_seq, facts)
        if self.keys is not None:
            self.keys.cipher(case_stream(case_id), create=True)  # the case's own key, from its first fact
        return self.append(case_stream(case_id), facts, first_seq, label=f"case {case_id}")

    def record_process(self, process_id: str, first_seq: int, facts: Sequence[Fact]) -> list[Recorded]:
        """A provider-concern process's facts, appended as a case's are; its first fact proposes or opens it."""
        for seq, fact in enumerate(facts, start=first_seq):
            if seq == 1 and not isinstance(fact, PROCESS_OPENERS):
                raise OutOfSequence(f"process {process_id}: {fact.type} recorded before the process was proposed or opened")
        return self.append(process_stream(process_id), facts, first_seq, label=f"process {process_id}")

    @staticmethod
    def _check_shape(case_id: str, first_seq: int, facts: Sequence[Fact]) -> None:
        for seq, fact in enumerate(facts, start=first_seq):
            if isinstance(fact, ConcernRaised) != (seq == 1):
                raise OutOfSequence(
                    f"case {case_id} has already been raised" if isinstance(fact, ConcernRaised)
                    else f"{fact.type} recorded before the concern was raised"
                )

    def _already_recorded(self, stream: UUID, label: str, first_seq: int, facts: Sequence[Fact]) -> list[Recorded]:
        tail = list(self.events.get(stream, gt=first_seq - 1))  # type: ignore[arg-type]
        stored = {r.seq: r for r in tail}
        for seq, fact in enumerate(facts, start=first_seq):
            have = stored.get(seq)
            if have is None or have.type != fact.type:
                raise Superseded(f"{label}: event #{seq} in the store is {have.type if have else 'missing'}, "
                                 f"not the {fact.type} being recorded", tail)
            if have.fact.model_dump(mode="json") != fact.model_dump(mode="json"):
                raise Superseded(f"{label}: event #{seq} in the store is a different {fact.type} "
                                 f"from the one being recorded", tail)
        return [stored[seq] for seq in range(first_seq, first_seq + len(facts))]

    # --- queries ----------------------------------------------------------------------

    def _version(self, stream: UUID) -> int:
        last = self.recorder.select_events(stream, desc=True, limit=1)
        return last[0].originator_version if last else 0

    def stored_facts(self, case_id: str, gt: int | None = None, lte: int | None = None) -> list[Recorded]:
        """Every fact of the case in order, as written."""
        return list(self.events.get(case_stream(case_id), gt=gt, lte=lte))  # type: ignore[arg-type]

    def process_facts(self, process_id: str) -> list[Recorded]:
        """Every fact of a provider-concern process in order, as written."""
        return list(self.events.get(process_stream(process_id)))  # type: ignore[arg-type]

    def stream(self, stream: UUID) -> list[Recorded]:
        return list(self.events.get(stream))  # type: ignore[arg-type]
