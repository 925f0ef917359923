"""The event store application: commands that append a case's facts, queries that read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.facts import ConcernRaised, Fact
from eventstore.concern import RECORDERS, Concern, concern_id

_EVENT_META = {"originator_id", "originator_version", "timestamp", "originator_topic"}


class OutOfSequence(RuntimeError):
    """The store and the workflow disagree about what a case has recorded: never retried."""


@dataclass(frozen=True)
class StoredFact:
    seq: int  # the aggregate version: 1 is ConcernRaised
    type: str
    recorded_at: datetime  # when the store wrote it (the fact's own instant is data["at"])
    data: dict[str, Any]


class SafeguardingRecords(Application):
    name = "SafeguardingRecords"

    # --- commands ---------------------------------------------------------------------

    def record(self, case_id: str, first_seq: int, facts: Sequence[Fact]) -> int:
        """Append facts numbered first_seq.. to the case, all or nothing.

        Idempotent: a retry of a batch already stored (same positions, same facts) is a
        no-op, so an activity retry never duplicates an event. Returns the case's version.
        """
        for attempt in (1, 2):
            concern = self._get(case_id)
            version = concern.version if concern else 0
            last_seq = first_seq + len(facts) - 1
            if version >= last_seq:
                self._check_already_recorded(case_id, first_seq, facts)
                return version
            if version != first_seq - 1:
                raise OutOfSequence(
                    f"case {case_id}: the store holds {version} events but the workflow is recording from #{first_seq}"
                )
            for fact in facts:
                concern = self._apply(concern, fact)
            try:
                self.save(concern)
                return last_seq
            except IntegrityError:
                if attempt == 2:
                    raise
                # A concurrent attempt stored this batch first: check it is the same batch.
        raise AssertionError("unreachable")

    def _apply(self, concern: Concern | None, fact: Fact) -> Concern:
        data = fact.model_dump(mode="json", exclude={"type"})
        if isinstance(fact, ConcernRaised):
            if concern is not None:
                raise OutOfSequence(f"case {fact.case_id} has already been raised")
            return Concern(**data)
        if concern is None:
            raise OutOfSequence(f"{fact.type} recorded before the concern was raised")
        RECORDERS[fact.type](concern, **data)
        return concern

    def _check_already_recorded(self, case_id: str, first_seq: int, facts: Sequence[Fact]) -> None:
        stored = {f.seq: f for f in self.stored_facts(case_id, gt=first_seq - 1, lte=first_seq + len(facts) - 1)}
        for seq, fact in enumerate(facts, start=first_seq):
            have = stored.get(seq)
            if have is None or have.type != fact.type or have.data.get("at") != fact.model_dump(mode="json")["at"]:
                raise OutOfSequence(
                    f"case {case_id}: event #{seq} in the store is {have.type if have else 'missing'}, "
                    f"not the {fact.type} being recorded"
                )

    # --- queries ----------------------------------------------------------------------

    def _get(self, case_id: str) -> Concern | None:
        try:
            return self.repository.get(concern_id(case_id))
        except AggregateNotFoundError:
            return None

    def exists(self, case_id: str) -> bool:
        return self._get(case_id) is not None

    def earlier_concerns(self, case_id: str, page: int = 1000) -> list[dict[str, Any]]:
        """Every concern raised before `case_id` (in store order), read from the notification log."""
        topic = _concern_raised_topic()
        out: list[dict[str, Any]] = []
        start = 1
        while True:
            batch = self.recorder.select_notifications(start=start, limit=page, topics=[topic])
            for n in batch:
                event = self.mapper.to_domain_event(n)
                if event.case_id == case_id:
                    return out
                out.append({"case_id": event.case_id, "at": event.at, "concern": event.concern})
            if len(batch) < page:
                return out
            start = batch[-1].id + 1

    def stored_facts(self, case_id: str, gt: int | None = None, lte: int | None = None) -> list[StoredFact]:
        """Every event of the case in order, as written."""
        out = []
        for event in self.events.get(concern_id(case_id), gt=gt, lte=lte):
            data = {k: v for k, v in event.__dict__.items() if k not in _EVENT_META}
            out.append(StoredFact(event.originator_version, type(event).__name__, event.timestamp, data))
        return out


def _concern_raised_topic() -> str:
    from eventsourcing.utils import get_topic

    return get_topic(Concern.ConcernRaised)  # type: ignore[attr-defined]
