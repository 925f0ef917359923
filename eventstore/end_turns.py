"""Appends at a stream's end (the access log, an account) from several processes take turns.

A writer that appends at a stream's end reads the last position, then inserts after it; two
processes doing so at once both read the same end, and one insert is refused (the position is
taken), read again and retried (`SafeguardingRecords.append`). Each refused insert has held the
event table's lock for nothing: with four web replicas and workers writing the one access-log
stream, most inserts were refused and the rate fell to a third of one writer's
(docs/benchmarks.md, "Several replicas"). So on PostgreSQL the writers take turns first, through an
advisory lock per stream, held on a connection of the process's own for the read and the insert:
nobody reads an end that another is about to move. The lock only saves work: if it cannot be had
(the connection lost, or held past `WAIT_AT_MOST`), the append goes on as before, and the store's
unique positions still keep each event once. Within a process, appends at one stream's end already
take turns (`_turn`). SQLite, on one host, keeps the retry alone.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager, nullcontext
from typing import Any, Callable, ContextManager, Iterator
from uuid import UUID

import structlog
from psycopg import Connection, connect

log = structlog.get_logger("safeguard.eventstore")
WAIT_AT_MOST = "5s"  # a turn held longer than this (a writer stuck): go on without it


class EndTurns:
    def __init__(self, open_connection: Callable[[], Connection[Any]]) -> None:
        self.open_connection = open_connection
        self._conn: Connection[Any] | None = None
        self._lock = threading.Lock()  # one turn at a time on the process's connection

    @contextmanager
    def held(self, stream: UUID) -> Iterator[None]:
        key = int.from_bytes(stream.bytes[:8], "big", signed=True)
        with self._lock:
            locked = self._take(key)
            try:
                yield
            finally:
                if locked:
                    self._give(key)

    def _take(self, key: int) -> bool:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = self.open_connection()
                self._conn.execute(f"SET lock_timeout = '{WAIT_AT_MOST}'")
            self._conn.execute("SELECT pg_advisory_lock(%s)", [key])
            return True
        except Exception as e:  # no turn to be had: the append's own retry keeps it right
            log.warning("append went on without its turn", error=type(e).__name__)
            self._drop()
            return False

    def _give(self, key: int) -> None:
        try:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", [key])  # type: ignore[union-attr]
        except Exception:  # the connection gone: the server released the lock with it
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def close(self) -> None:
        with self._lock:
            self._drop()


def end_turn(records: Any, stream: UUID) -> ContextManager[None]:
    """The turn for an append at `stream`'s end: across processes on PostgreSQL, none needed on SQLite."""
    turns = records.__dict__.get("_end_turns")
    if turns is None:
        from eventsourcing.postgres import PostgresFactory

        if not isinstance(records.factory, PostgresFactory):
            return nullcontext()
        with _making:
            turns = records.__dict__.get("_end_turns")
            if turns is None:
                kwargs = {k: v for k, v in records.factory.datastore.pool.kwargs.items() if k != "row_factory"}
                turns = records.__dict__["_end_turns"] = EndTurns(
                    lambda: connect(autocommit=True, connect_timeout=5, **kwargs))
    return turns.held(stream)


_making = threading.Lock()
