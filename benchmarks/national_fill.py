"""Fills an event store with realistic case events quickly, for measuring read models at a
national scale (`benchmarks/national_scale.py`).

The cases are `benchmarks/projections.py`'s: the same facts the workflow records, every step of the
pathway with its deadlines, some missed and escalated, 30 % still live (or as asked). They are
written as the store writes any case (encrypted under the case's own key, hash-chained), but many
cases in one insert rather than one append per case, which is what makes the fill take minutes
rather than hours. Within each chunk of cases the events are written in the order they happened,
so a case's events are spread through the log among others', as a busy service's are.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone
from typing import Callable

from benchmarks.projections import case_facts
from eventstore.application import SafeguardingRecords
from eventstore.events import Recorded, case_stream

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
CHUNK = 2000  # cases whose events are interleaved in time
PUT = 5000  # events written in one transaction


def fill(records: SafeguardingRecords, events: int, live: float = 0.3, seed: int = 2026, first: int = 0,
         say: Callable[[str], None] = print) -> tuple[int, int]:
    """Write cases until at least `events` events are stored; returns (cases, events) written."""
    rng = random.Random(seed + first)
    quick_keys(records)
    written, case = 0, first
    started = time.perf_counter()
    while written < events:
        chunk: list[tuple[datetime, int, Recorded]] = []
        for _ in range(CHUNK):
            case_id = f"BENCH-{case:07d}"
            stream = case_stream(case_id)
            if records.keys is not None:
                records.keys.cipher(stream, create=True)  # the case's own key, as recording its first fact makes it
            now = START
            for seq, fact in enumerate(case_facts(case, rng, START, live), start=1):
                now = max(now, fact.at)  # the order it happened in, a case's own events never reordered
                chunk.append((now, len(chunk), Recorded(stream, seq, now, fact)))
            case += 1
            written += seq
            if written >= events:
                break
        chunk.sort(key=lambda x: (x[0], x[1]))
        ordered = [r for _, _, r in chunk]
        last: dict = {}  # each stream's event stored last: the next one's link in the hash chain
        for i in range(0, len(ordered), PUT):
            batch = ordered[i:i + PUT]
            heads = {r.originator_id: last[r.originator_id] for r in batch if r.originator_id in last}
            for done in records.events.put(batch, chain_heads=heads):
                last[done.domain_event.originator_id] = done.notification
        elapsed = time.perf_counter() - started
        say(f"  filled {case - first:,} cases, {written:,} events ({written / elapsed:,.0f} events/s)")
    return case - first, written


def quick_keys(records: SafeguardingRecords) -> None:
    """The fill's one shortcut: a SQLite key store not waiting for the disk after each new case's key
    (one sync per key is most of an unhurried fill). Keys are made, wrapped and read as always."""
    db = getattr(getattr(records.keys, "rows", None), "_db", None)
    if db is not None:
        db.execute("PRAGMA synchronous=OFF")
