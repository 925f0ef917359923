"""One way a request sent twice is recorded once: its key travels in the fact it records.

A face's key (the API's Idempotency-Key, a page form's hidden key) becomes a request id, per
user. The command carries it into the fact it records (a step's completion, a development, an
acknowledgement, a note, a governance action's completion), and the case's decider refuses to
record the same request id twice. Sent again, the request is answered from the facts it recorded,
read back from the store: a crash can never leave a fact without its answer, or an answer without
its fact. Twins sent at once take turns, so the second is answered as a replay: within a process
through a lock, and across processes (two web replicas, the CLI) through the request's turn in the
store's database (eventstore/shared.py). A turn lapses if its holder dies holding it, so a twin
waits at most `TURN_HELD` for a process that is gone.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, AsyncIterator, Generic, TypeVar

from casework.refusals import Invalid
from domain.access import Principal
from eventstore.events import Recorded

if TYPE_CHECKING:
    from casework.ports import Ports

T = TypeVar("T")
MAX_KEY = 200
TURN_HELD = 30.0  # seconds a request's turn lasts unless its holder, still waiting on its answer, keeps it
KEEP_EVERY = 10.0  # seconds between a holder's renewals of its turn
WAIT_AT_MOST = 120.0  # seconds a twin waits for its turn; then it goes on (the case's decider still records once)


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
async def one_at_a_time(ports: "Ports", request: str | None) -> AsyncIterator[None]:
    """Twins of one request take turns, in this process and across processes: the second finds the first's facts."""
    if request is None:
        yield
        return
    lock = _turns.setdefault(request, asyncio.Lock())
    try:
        async with lock, _turn(ports, request):
            yield
    finally:
        if not lock.locked() and _turns.get(request) is lock:
            del _turns[request]


@asynccontextmanager
async def _turn(ports: "Ports", request: str) -> AsyncIterator[None]:
    """The request's turn in the store's database, held (and kept) while the request is answered."""
    shared = ports.shared
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    waited, pause = time.monotonic(), 0.02
    while not shared.take_turn(request, holder, time.time(), time.time() + TURN_HELD):
        if time.monotonic() - waited > WAIT_AT_MOST:
            break  # its holder is still at it: go on, the case still records the request once
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.25)
    keeping = asyncio.create_task(_keep(shared, request, holder))
    try:
        yield
    finally:
        keeping.cancel()
        with suppress(asyncio.CancelledError):
            await keeping
        shared.end_turn(request, holder)


async def _keep(shared, request: str, holder: str) -> None:
    while True:
        await asyncio.sleep(KEEP_EVERY)
        with suppress(Exception):  # the store failing for a moment: the next renewal tries again
            shared.keep_turn(request, holder, time.time() + TURN_HELD)
