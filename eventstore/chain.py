"""A hash chain per stream, kept by the event store itself: every event any stream saves through
`SafeguardingRecords` (a case, a governance audit, any stream added later) carries the hash of
the event before it in its stream and its own hash over that and its own content.

The link sits in front of the stored state, outside the fact's JSON and outside any cipher:
`MAGIC | prev (32 bytes) | own (32 bytes) | payload as stored`. The hash covers the payload as
stored (encrypted, when it is), so the chain verifies without a key and still verifies once a
key is destroyed. It does not cover the event's number: an event moved to another number keeps
its own hash, so a reordering is found as a reordering, not as an alteration.

Events written before the chain (no MAGIC) are hashed the same way, in order, when they are
first needed (the first event chained after them, a checkpoint): their head is then anchored
by the checkpoint that first lists the stream, the genesis point (`evidence/checkpoints.py`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterable, Sequence
from uuid import UUID

from eventsourcing.persistence import EventStore, Notification, Recording, StoredEvent

MAGIC = b"\x00SG1"  # a JSON, zlib or AES-GCM state never starts with a NUL and these three bytes
ZERO = bytes(32)  # the hash "before" a stream's first event
_PREFIX = len(MAGIC) + 64


def link(prev: bytes, stream: UUID, topic: str, payload: bytes) -> bytes:
    """The hash of an event: over the hash before it, its stream, its topic and its payload as stored."""
    h = hashlib.sha256(prev)
    h.update(stream.bytes)
    h.update(topic.encode())
    h.update(b"\n")
    h.update(payload)
    return h.digest()


@dataclass(frozen=True)
class Link:
    prev: bytes | None  # None: written before the chain
    own: bytes | None
    payload: bytes


def split(state: bytes) -> Link:
    state = bytes(state)
    if state.startswith(MAGIC) and len(state) >= _PREFIX:
        return Link(state[4:36], state[36:68], state[68:])
    return Link(None, None, state)


def payload(state: bytes) -> bytes:
    """The stored state without its link: what the mapper decodes."""
    return split(state).payload


def head_of(stream: UUID, events: Iterable[StoredEvent]) -> bytes:
    """The hash of a stream's last event, hashing any events written before the chain in order."""
    running = ZERO
    for e in events:
        part = split(e.state)
        running = part.own if part.own is not None else link(running, stream, e.topic, part.payload)
    return running


class ChainedEventStore(EventStore):
    """Links each event to the one before it in its stream as it is saved.

    The event before a batch is read once (the append already reads it to check its position);
    `save(..., chain_heads={stream: stored event})` passes it in. Idempotency is unchanged: a
    retried batch links to the same predecessor, and the store refuses it as before."""

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list[Recording]:
        given: dict[UUID, StoredEvent | None] = kwargs.pop("chain_heads", None) or {}
        heads: dict[UUID, bytes] = {}
        stored_events: list[StoredEvent] = []
        for event in domain_events:
            stored = self.mapper.to_stored_event(event)
            stream, version = stored.originator_id, stored.originator_version
            if stream not in heads:
                heads[stream] = ZERO if version == 1 else self._head_before(stream, version, given.get(stream))
            own = link(heads[stream], stream, stored.topic, stored.state)
            stored_events.append(StoredEvent(stream, version, stored.topic, MAGIC + heads[stream] + own + stored.state))
            heads[stream] = own
        ids = self.recorder.insert_events(stored_events, **kwargs)  # as EventStore.put, with the linked events
        return [Recording(d, Notification(originator_id=s.originator_id, originator_version=s.originator_version,
                                          topic=s.topic, state=s.state, id=n))
                for d, s, n in zip(domain_events, stored_events, ids or (), strict=False)]

    def _head_before(self, stream: UUID, version: int, before: StoredEvent | None) -> bytes:
        if before is None:
            found = self.recorder.select_events(stream, gt=version - 2, lte=version - 1, limit=1)
            before = found[0] if found else None
        if before is not None and split(before.state).own is not None:
            return split(before.state).own  # type: ignore[return-value]
        # the event before was written before the chain (or is missing: the insert will be refused)
        return head_of(stream, self.recorder.select_events(stream, lte=version - 1))
