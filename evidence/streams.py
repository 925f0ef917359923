"""Checking one stream's events against their hash chain and its anchors: pure, no I/O.

What is found, and how it is named (by the event's number as stored):
- altered: an event's content no longer matches its own hash, or events before the genesis
  no longer give the head the checkpoint recorded;
- removed: a number missing (#k), an event missing from the chain with the later ones
  renumbered ("before #k"), or the last events gone (the checkpoint holds more);
- inserted: an event no chain leads to (a fork: two events claim the same predecessor, the one
  the rest of the chain does not follow is the insertion), or one without a link after linked ones;
- reordered: events whose place in the chain differs from their number;
- unreadable: an event stored as text where Safeguard writes bytes (SQL run behind its back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence
from uuid import UUID

from eventstore.chain import ZERO, link, split

Row = tuple[int, str, bytes]  # number in the stream, topic, state as stored


class StoredAsText(bytes):
    """An event's state that the store holds as text, not bytes: Safeguard cannot read it back.
    Its bytes still take their place in the chain, so whether its content changed is told too."""


@dataclass(frozen=True)
class Anchor:
    """A stream's head as a checkpoint recorded it."""

    events: int
    head: str  # hex
    checkpoint: int
    taken_at: str


@dataclass(frozen=True)
class Break:
    event: int | None  # the number it concerns; None: the stream as a whole
    kind: str  # altered | removed | inserted | reordered | missing | unanchored
    detail: str


@dataclass
class StreamCheck:
    stream: UUID
    events: int = 0
    head: bytes = ZERO
    breaks: list[Break] = field(default_factory=list)


@dataclass
class _Node:
    version: int
    prev: bytes
    own: bytes


def check_stream(stream: UUID, rows: Iterable[Row], anchors: Sequence[Anchor] = ()) -> StreamCheck:
    rows = sorted(rows, key=lambda r: r[0])
    result = StreamCheck(stream, events=len(rows))
    breaks = result.breaks
    # events written before the chain: hashed in order (anchored by the genesis checkpoint)
    running, heads_at = ZERO, {0: ZERO}  # the hash of the chain after each count of events
    legacy = 0
    while legacy < len(rows) and split(rows[legacy][2]).own is None:
        version, topic, state = rows[legacy]
        running = link(running, stream, topic, state)
        legacy += 1
        heads_at[legacy] = running
    nodes: list[_Node] = []
    for version, topic, state in rows[legacy:]:
        part = split(state)
        if part.own is None:
            breaks.append(Break(version, "inserted", "an event without a chain link among linked ones"))
            continue
        if link(part.prev, stream, topic, part.payload) != part.own:  # type: ignore[arg-type]
            breaks.append(Break(version, "altered", "its content no longer matches its hash"))
        nodes.append(_Node(version, part.prev, part.own))  # type: ignore[arg-type]
    _gaps(rows, breaks)
    order = _walk(nodes, running, breaks, {r[0] for r in rows})
    for i, node in enumerate(order, start=legacy + 1):
        heads_at[i] = node.own
    result.head = heads_at[max(heads_at)]
    _places(order, breaks)
    if legacy and not any(a.events >= legacy for a in anchors):
        breaks.append(Break(None, "unanchored", f"events #1-#{legacy} precede the chain and no checkpoint "
                                                "records them (take one: `safeguard evidence checkpoint`)"))
    for a in anchors:
        have = heads_at.get(a.events)
        if have is None:
            last = max(heads_at)
            numbers = f"#{last + 1}" if last + 1 == a.events else f"#{last + 1}-#{a.events}"
            breaks.append(Break(a.events, "removed", f"event{'s' if last + 1 < a.events else ''} {numbers} removed: "
                                                     f"checkpoint {a.checkpoint} of {a.taken_at} holds {a.events} events"))
        elif have.hex() != a.head and not any(b.event is not None and b.event <= a.events for b in breaks):
            where = "before the chain's genesis" if a.events <= legacy else "in the chain"
            breaks.append(Break(a.events, "altered", f"events #1-#{a.events} ({where}) no longer give the head "
                                                     f"checkpoint {a.checkpoint} recorded"))
    unreadable = {version for version, _, state in rows if isinstance(state, StoredAsText)}
    if unreadable:  # it explains what its own place breaks: its link, and the link of the event after it
        breaks[:] = [b for b in breaks if b.event not in unreadable and not (
            b.kind == "removed" and b.event is not None and b.event - 1 in unreadable and "before" in b.detail)]
        breaks += [Break(v, "unreadable", "it is stored as text, not as Safeguard wrote it, so it cannot be read")
                   for v in sorted(unreadable)]
    breaks.sort(key=lambda b: (b.event or 0, b.kind))
    return result


def _gaps(rows: list[Row], breaks: list[Break]) -> None:
    expected = 1
    for version, _, _ in rows:
        if version > expected:
            numbers = f"#{expected}" if version == expected + 1 else f"#{expected}-#{version - 1}"
            breaks.append(Break(expected, "removed", f"event {numbers} removed"))
        expected = version + 1


def _walk(nodes: list[_Node], start: bytes, breaks: list[Break], numbers: set[int]) -> list[_Node]:
    """The linked events in the order their links give, from `start`: forks and gaps reported."""
    children: dict[bytes, list[_Node]] = {}
    for n in nodes:
        children.setdefault(n.prev, []).append(n)
    owns = {n.own for n in nodes}
    depth: dict[int, int] = {}

    def length(n: _Node) -> int:  # how far the chain goes on from n (iteratively: chains are long)
        path, cur = [], n
        while id(cur) not in depth:
            path.append(cur)
            nxt = children.get(cur.own, [])
            if not nxt:
                break
            cur = max(nxt, key=lambda c: c.version) if len(nxt) > 1 else nxt[0]
        base = depth.get(id(cur), 0)
        for p in reversed(path):
            base += 1
            depth[id(p)] = base
        return depth[id(n)]

    order: list[_Node] = []
    seen: set[int] = set()
    cur = start
    while True:
        candidates = [n for n in children.get(cur, []) if id(n) not in seen]
        if not candidates:
            rest = [n for n in nodes if id(n) not in seen]
            if not rest:
                return order
            orphans = sorted((n for n in rest if n.prev not in owns and n.prev != start), key=lambda n: n.version)
            if not orphans:
                for n in rest:
                    breaks.append(Break(n.version, "inserted", "no chain leads to this event"))
                return order
            n = orphans[0]
            if n.version - 1 in numbers or n.version == 1:  # not a gap in the numbers: renumbered after a removal
                breaks.append(Break(n.version, "removed", f"an event before #{n.version} removed "
                                                          "(the events after it renumbered)"))
            cur = n.prev
            continue
        if len(candidates) > 1:  # a fork: the branch the rest of the chain follows is the original
            candidates.sort(key=lambda n: (length(n), n.version), reverse=True)
            for n in candidates[1:]:
                breaks.append(Break(n.version, "inserted", "it claims the same predecessor as another event, "
                                                           "and the chain does not go on through it"))
                seen.add(id(n))
        chosen = candidates[0]
        seen.add(id(chosen))
        order.append(chosen)
        cur = chosen.own


def _places(order: list[_Node], breaks: list[Break]) -> None:
    numbers = [n.version for n in order]
    for got, want in zip(numbers, sorted(numbers)):
        if got != want:
            breaks.append(Break(got, "reordered", f"event #{got} comes #{want} in its chain: the events were renumbered"))
