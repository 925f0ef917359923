"""The event store application: appends a case's facts, reads them back.

Facts are stored as they are (`eventstore/events.py`); there is no aggregate to rebuild: the
case's decisions live in `domain/case/`, and the store's job is to keep each fact once, at its
position, in order.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, ClassVar, Sequence
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import EventStore, IntegrityError
from eventsourcing.utils import get_topic

from domain.facts import ConcernRaised, Fact
from domain.process_facts import PROCESS_OPENERS
from eventstore.chain import ChainedEventStore
from eventstore.keys import KeyStore
from eventstore.events import FactMapper, Recorded, case_stream, process_stream


class OutOfSequence(RuntimeError):
    """The store and the workflow disagree about what a case has recorded: never retried."""


class Superseded(OutOfSequence):
    """The positions are taken by other facts: those an earlier attempt of the same workflow task
    recorded before it was lost (a worker stopped between a local activity and the task's end).
    `stored` is what the store holds from the first of those positions on."""

    def __init__(self, message: str, stored: list[Recorded]) -> None:
        super().__init__(message)
        self.stored = stored


class SafeguardingRecords(Application):
    name = "SafeguardingRecords"
    env: ClassVar[dict[str, str]] = {"MAPPER_TOPIC": get_topic(FactMapper)}

    def __init__(self, env: Any = None, keys: KeyStore | None = None) -> None:
        super().__init__(env)
        self.keys = keys  # encryption at rest, per case (eventstore/keys.py); None: stored as JSON
        self.mapper.keys = keys  # type: ignore[attr-defined]

    def construct_event_store(self) -> EventStore:
        # every stream saved here is hash-chained (eventstore/chain.py): cases, audits, any added later
        return ChainedEventStore(mapper=self.mapper, recorder=self.recorder)

    # --- commands ---------------------------------------------------------------------

    def record(self, case_id: str, first_seq: int, facts: Sequence[Fact]) -> list[Recorded]:
        """Append facts numbered first_seq.. to the case, all or nothing; return them as stored.

        Idempotent: a retry of a batch already stored (same positions, same facts) stores
        nothing and returns what is stored, so an activity retry never duplicates an event.
        Only the event before the batch is read, never the whole case.
        """
        self._check_shape(case_id, first_seq, facts)
        if self.keys is not None:
            self.keys.cipher(case_stream(case_id), create=True)  # the case's own key, from its first fact
        return self._append(case_stream(case_id), case_id, first_seq, facts)

    def record_process(self, process_id: str, first_seq: int, facts: Sequence[Fact]) -> list[Recorded]:
        """A provider-concern process's facts, appended as `record` appends a case's (idempotently,
        all or nothing); its first fact proposes or opens it."""
        for seq, fact in enumerate(facts, start=first_seq):
            if seq == 1 and not isinstance(fact, PROCESS_OPENERS):
                raise OutOfSequence(f"process {process_id}: {fact.type} recorded before the process was proposed or opened")
        return self._append(process_stream(process_id), process_id, first_seq, facts)

    def _append(self, stream: UUID, case_id: str, first_seq: int, facts: Sequence[Fact]) -> list[Recorded]:
        before = None
        if first_seq > 1:  # the event before the batch: it must be there, and the batch links to it
            found = self.recorder.select_events(stream, gt=first_seq - 2, lte=first_seq - 1, limit=1)
            if not found:
                held = self._version(stream)
                raise OutOfSequence(f"case {case_id}: the store holds {held} events but the workflow is recording from #{first_seq}")
            before = found[0]
        now = datetime.now(timezone.utc)
        batch = [Recorded(stream, seq, now, fact) for seq, fact in enumerate(facts, start=first_seq)]
        try:
            self.save(*batch, chain_heads={stream: before})
            return batch
        except IntegrityError:  # already stored, by an earlier attempt or a concurrent one: the same batch?
            return self._already_recorded(stream, case_id, first_seq, facts)

    def record_one(self, stream: UUID, fact: Fact) -> Recorded | None:
        """Store a single-event stream (a governance audit); None if it is already stored."""
        event = Recorded(stream, 1, datetime.now(timezone.utc), fact)
        try:
            self.save(event)
            return event
        except IntegrityError:
            return None

    def append(self, stream: UUID, first_seq: int, facts: Sequence[Fact]) -> list[Recorded]:
        """Append facts numbered first_seq.. to a stream that is not a case's (a governance action),
        all or nothing; idempotent as `record` is: a retry of the same batch stores nothing."""
        now = datetime.now(timezone.utc)
        batch = [Recorded(stream, seq, now, fact) for seq, fact in enumerate(facts, start=first_seq)]
        try:
            self.save(*batch)
            return batch
        except IntegrityError:
            stored = {r.seq: r for r in self.events.get(stream, gt=first_seq - 1)}  # type: ignore[arg-type]
            same = [stored.get(seq) for seq in range(first_seq, first_seq + len(facts))]
            if any(r is None or r.fact.model_dump(mode="json") != f.model_dump(mode="json") for r, f in zip(same, facts)):
                raise Superseded(f"stream {stream}: positions from #{first_seq} hold other facts", list(stored.values())) from None
            return same

    @staticmethod
    def _check_shape(case_id: str, first_seq: int, facts: Sequence[Fact]) -> None:
        for seq, fact in enumerate(facts, start=first_seq):
            if isinstance(fact, ConcernRaised) != (seq == 1):
                raise OutOfSequence(
                    f"case {case_id} has already been raised" if isinstance(fact, ConcernRaised)
                    else f"{fact.type} recorded before the concern was raised"
                )

    def _already_recorded(self, stream: UUID, case_id: str, first_seq: int, facts: Sequence[Fact]) -> list[Recorded]:
        tail = list(self.events.get(stream, gt=first_seq - 1))  # type: ignore[arg-type]
        stored = {r.seq: r for r in tail}
        for seq, fact in enumerate(facts, start=first_seq):
            have = stored.get(seq)
            if have is None or have.type != fact.type:
                raise Superseded(f"case {case_id}: event #{seq} in the store is {have.type if have else 'missing'}, "
                                 f"not the {fact.type} being recorded", tail)
            if have.fact.model_dump(mode="json") != fact.model_dump(mode="json"):
                raise Superseded(f"case {case_id}: event #{seq} in the store is a different {fact.type} "
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
