"""One way a request sent twice is recorded once: its key travels in the fact it records.

A face's key (the API's Idempotency-Key, a page form's hidden key) becomes a request id, per
user. The command carries it into the fact it records (a step's completion, a development, an
acknowledgement, a note, a governance action's completion), and the case's decider refuses to
record the same request id twice. Sent again, the request is answered from the facts it recorded,
read back from the store: a crash can never leave a fact without its answer, or an answer without
its fact. Within a process, twins sent at once take turns, so the second is answered as a replay.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import AsyncIterator, Generic, TypeVar

from casework.refusals import Invalid
from domain.access import Principal
from eventstore.events import Recorded

T = TypeVar("T")
MAX_KEY = 200


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a write answers: its result, and whether it was answered from an earlier sending's facts."""

    value: T
    replayed: bool = False
    at: datetime | None = None  # when the earlier sending was recorded (replayed answers)


def request_id(principal: Principal, key: str | None) -> str | None:
    """The request id a face's key becomes: the user's id and the key (a key is the user's own)."""
    if key is None:
        return None
    if not (0 < len(key) <= MAX_KEY and key.isprintable()):
        raise Invalid(f"an idempotency key must be 1 to {MAX_KEY} printable characters")
    return f"{principal.user_id}:{key}"


def key_reused(request: str) -> Invalid:
    key = request.split(":", 1)[-1]
    return Invalid(f"Idempotency-Key {key!r} was used for a different request: use a new key")


def recorded(facts: list[Recorded], request: str | None, kind: type) -> list[Recorded] | None:
    """The facts the request recorded, if it was: its fact (of class `kind`) and the others written
    with it in one append (they share the store's write time). A key that recorded another kind of
    request here (a note's key sent with a development) is refused."""
    if request is None:
        return None
    first = next((i for i, r in enumerate(facts) if getattr(r.fact, "request_id", None) == request), None)
    if first is None:
        return None
    if not isinstance(facts[first].fact, kind):
        raise key_reused(request)
    end = first + 1
    while end < len(facts) and facts[end].timestamp == facts[first].timestamp:
        end += 1
    return facts[first:end]


_turns: dict[str, asyncio.Lock] = {}


@asynccontextmanager
async def one_at_a_time(request: str | None) -> AsyncIterator[None]:
    """Twins of one request in this process take turns: the second finds the first's facts."""
    if request is None:
        yield
        return
    lock = _turns.setdefault(request, asyncio.Lock())
    try:
        async with lock:
            yield
    finally:
        if not lock.locked() and _turns.get(request) is lock:
            del _turns[request]
