"""How a fact is stored: the pydantic fact itself (`domain/facts.py`), under its stream and position.

The store adds only where a fact sits: its stream (one case, or one audit), its position in
that stream (fact n of a case is event n, which is what makes an append idempotent) and when
the store wrote it. The stored state is the fact's JSON; the topic names the fact's class, so
the notification log can be filtered by type (the eventsourcing library's aggregate7 example
stores pydantic events the same way).

Stores written before facts became the stored events hold the same JSON under the old
aggregates' topics (`eventstore.concern:Concern.StepOpened`, ...): those topics resolve to
the same classes, so an existing store is read as it stands and never rewritten.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from functools import cached_property
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, register_topic, resolve_topic

from domain.facts import FACT_TYPES, AuditCompleted, Fact
from eventstore.chain import payload
from eventstore.keys import Erased, KeyStore

# encryption at rest (eventstore/keys.py): the sealed state starts with which key it is under;
# a state with neither marker was written before (plain JSON, or the library's own cipher)
CASE_KEY = b"\x00SGC"  # the stream's own key (a case's)
STORE_KEY = b"\x00SGS"  # the key shared by every other stream

CASE_NAMESPACE = uuid5(NAMESPACE_URL, "https://safeguard.invalid/case")
PROCESS_NAMESPACE = uuid5(NAMESPACE_URL, "https://safeguard.invalid/provider-process")


def case_stream(case_id: str) -> UUID:
    return uuid5(CASE_NAMESPACE, case_id)


def process_stream(process_id: str) -> UUID:
    """A provider-concern process's stream (004): its facts (`domain/process_facts.py`) are stored
    as a case's are, their class's topic naming them, fact n at position n."""
    return uuid5(PROCESS_NAMESPACE, process_id)


def _legacy_topic(cls: type[Fact]) -> str:
    if cls is AuditCompleted:
        return "eventstore.audit:GovernanceAudit.AuditCompleted"
    return f"eventstore.concern:Concern.{cls.__name__}"


for _cls in FACT_TYPES.values():
    register_topic(_legacy_topic(_cls), _cls)

# what the old aggregates' events carried beside the fact's own fields
_ENVELOPE = ("timestamp", "originator_topic")


@dataclass(frozen=True)
class Recorded:
    """A fact in its place in the store. `position` is its notification id, when read from the log."""

    originator_id: UUID  # the stream: a case (case_stream) or an audit
    originator_version: int  # its position in the stream: fact n of a case is event n
    timestamp: datetime  # when the store wrote it (the fact's own instant is fact.at)
    fact: Fact
    position: int | None = None

    @cached_property
    def stream(self) -> str:  # read several times per event by every read model: made once
        return str(self.originator_id)

    @property
    def seq(self) -> int:
        return self.originator_version

    @property
    def type(self) -> str:
        return type(self.fact).__name__

    @property
    def at(self) -> datetime:
        return self.fact.at

    @property
    def recorded_at(self) -> datetime:
        return self.timestamp

    def at_position(self, position: int) -> Recorded:
        return replace(self, position=position)


def encrypted(state: bytes) -> bool:
    """Whether a stored state (without its chain link) is encrypted under a key of the key store."""
    return state[:4] in (CASE_KEY, STORE_KEY)


class FactMapper(Mapper):
    """Stores a `Recorded` fact as its JSON under its class's topic, and reads it back typed.
    With a key store, the JSON is compressed and encrypted under its stream's key."""

    keys: KeyStore | None = None

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        event: Recorded = domain_event
        state: dict[str, Any] = {"timestamp": event.timestamp, **event.fact.model_dump(mode="json", exclude={"type"})}
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=get_topic(type(event.fact)),
            state=self._seal(event.originator_id, self.transcoder.encode(state)),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Recorded:
        cls = resolve_topic(stored_event.topic)
        state = self.transcoder.decode(self._open(stored_event.originator_id, payload(stored_event.state)))
        timestamp = state["timestamp"]
        for key in _ENVELOPE:
            state.pop(key, None)
        return Recorded(stored_event.originator_id, stored_event.originator_version, timestamp, cls.model_validate(state))

    def _seal(self, stream: UUID, data: bytes) -> bytes:
        if self.keys is not None:
            own = self.keys.cipher(stream)  # a case's, made when the case is first recorded
            data = zlib.compress(data)
            return CASE_KEY + own.encrypt(data) if own else STORE_KEY + self.keys.store_cipher().encrypt(data)
        if self.compressor:
            data = self.compressor.compress(data)
        return self.cipher.encrypt(data) if self.cipher else data

    def _open(self, stream: UUID, data: bytes) -> bytes:
        marker = data[:4]
        if encrypted(data):
            if self.keys is None:
                raise ValueError(f"stream {stream} is encrypted at rest: open the store with its key store")
            cipher = self.keys.cipher(stream) if marker == CASE_KEY else self.keys.store_cipher()
            if cipher is None:
                raise Erased(stream, "an unknown date (its key is not in the key store)")
            return zlib.decompress(cipher.decrypt(data[4:]))
        if self.cipher:
            data = self.cipher.decrypt(data)
        return self.compressor.decompress(data) if self.compressor else data
