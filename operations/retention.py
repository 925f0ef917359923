"""Retention under UK GDPR: a closed case's personal data is erased `retention_years` after its
closure by destroying its key (crypto-shredding, `eventstore/keys.py`).

The case's events stay where they are, encrypted and hash-chained, so `safeguard evidence verify`
still passes; only nobody can read them. The erasure is recorded as a fact (`RetentionErased`,
in a stream of its own), the read models are rebuilt without the case, and an SQLite store is
vacuumed so that no page of the read models' old documents is left in the file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Any, Callable
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import get_topic

from domain.facts import CaseClosed, ConcernRaised, RetentionErased
from eventstore.application import SafeguardingRecords, Superseded
from eventstore.chain import payload
from eventstore.events import _legacy_topic, case_stream, encrypted
from eventstore.keys import Erased
from projections.feed import ProjectionFeed

RETENTION_NAMESPACE = uuid5(NAMESPACE_URL, "https://safeguard.invalid/retention")


class RetentionError(Exception):
    """Retention cannot run as asked; the message says why."""


@dataclass(frozen=True)
class Due:
    case_id: str
    stream: UUID
    closed_at: datetime
    due_on: date
    plain_events: int = 0  # written before encryption at rest: destroying the key does not reach them

    def as_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "closed_at": self.closed_at.isoformat(), "due_on": self.due_on.isoformat(),
                "plain_events": self.plain_events}

    def warning(self) -> str | None:
        if not self.plain_events:
            return None
        return (f"{self.case_id}: {self.plain_events} of its events were written before encryption at rest and still "
                "hold its personal data as plain JSON (never rewritten: the hash chain covers them as stored)")


def retention_stream(case_id: str) -> UUID:
    return uuid5(RETENTION_NAMESPACE, case_id)


def _add_years(instant: datetime, years: int) -> date:
    d = instant.date()
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February: the day after 28 February of a common year
        return d.replace(year=d.year + years, day=28, month=2)


def closed_cases(records: SafeguardingRecords) -> list[tuple[str, UUID, datetime]]:
    """Every closed case still readable: its id, stream and closure instant (erased cases left out)."""
    topics = [get_topic(CaseClosed), _legacy_topic(CaseClosed)]
    out, start = [], 1
    while True:
        page = records.recorder.select_notifications(start=start, limit=1000, topics=topics)
        for n in page:
            try:
                closed = records.mapper.to_domain_event(n).fact
                first = records.recorder.select_events(n.originator_id, lte=1, limit=1)
                raised = records.mapper.to_domain_event(first[0]).fact if first else None
            except Erased:
                continue
            if isinstance(raised, ConcernRaised):
                out.append((raised.case_id, n.originator_id, closed.at))
        if len(page) < 1000:
            return out
        start = page[-1].id + 1


def due(records: SafeguardingRecords, years: int, today: date) -> list[Due]:
    """The closed cases whose retention has run out by `today`, the longest past first."""
    if records.keys is None:
        raise RetentionError("the store is not encrypted at rest (encrypt_at_rest is off): "
                             "its cases cannot be erased by destroying their keys")
    found = [Due(case_id, stream, closed_at, _add_years(closed_at, years))
             for case_id, stream, closed_at in closed_cases(records)]
    return sorted((replace(d, plain_events=plain_events(records, d.stream)) for d in found if d.due_on <= today),
                  key=lambda d: (d.due_on, d.case_id))


def plain_events(records: SafeguardingRecords, stream: UUID) -> int:
    """How many of the stream's events are stored unencrypted (written before encryption at rest)."""
    return sum(1 for e in records.recorder.select_events(stream) if not encrypted(payload(e.state)))


def erased_on(records: SafeguardingRecords, case_id: str) -> str | None:
    """The date a case was erased under retention, or None if it was not."""
    return records.keys.erased_on(case_stream(case_id)) if records.keys is not None else None


def apply(records: SafeguardingRecords, feed: ProjectionFeed, years: int, today: date, actor: str,
          progress: Callable[[Due], None] | None = None) -> list[Due]:
    """Erase every case due: destroy its key, record the erasure, then rebuild the read models
    without it and compact the store. Idempotent: an erased case is never due again;
    the read models are rebuilt and the store compacted on every run."""
    erased = due(records, years, today)
    for d in erased:
        assert records.keys is not None
        records.keys.shred(d.stream, today)
        try:
            records.append(retention_stream(d.case_id), [RetentionErased(
                at=datetime.now(timezone.utc), case_id=d.case_id, closed_at=d.closed_at, retention_years=years,
                erased_on=today, actor=actor)], 1, label=f"the erasure of case {d.case_id}")
        except Superseded:
            pass  # recorded by a run that stopped before this one: that erasure stands
        if progress:
            progress(d)
    # every run, so a run cut short after destroying a key (the case no longer due) is completed by the next
    for model in feed.models:
        feed.rebuild(model.name)
    _compact(records)
    return erased


def _compact(records: SafeguardingRecords) -> None:
    """Leave no free page holding a read model's old document (SQLite; PostgreSQL's VACUUM does not
    overwrite freed space, so there the erased text may stay on disk until the pages are reused)."""
    if isinstance(records.factory, PostgresFactory):
        return
    db = sqlite3.connect(records.recorder.datastore.pool.db_name, isolation_level=None, timeout=10)  # type: ignore[attr-defined]
    try:
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
