"""The key store in PostgreSQL, beside the event store (eventstore/keys.py): a schema of its own
(`safeguard_keys` by default), owned by a role of its own that only Safeguard's worker and web
processes hold (deploy/postgres-init.sql): the event store's role, Temporal's and anyone reading
the event store cannot read it. Several hosts then share one key store, as they share the events.

PostgreSQL's VACUUM does not overwrite freed space, and every write goes to the WAL and to backups
first, so a shredded key's wrapped bytes stay on disk for a while: rotating the master key
(`safeguard keys rotate`, then retiring and destroying the old version) is what makes them unreadable.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import OperationalError
from psycopg import sql

from eventstore.keys import Rewrap, Row, Stored

T = TypeVar("T")
SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}.stream_keys (stream uuid PRIMARY KEY, wrapped bytea, master_version integer NOT NULL,
                                            shredded_on date);
CREATE TABLE IF NOT EXISTS {s}.retired_master_keys (version integer PRIMARY KEY, retired_on date NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.shreds (one boolean PRIMARY KEY DEFAULT true CHECK (one), n bigint NOT NULL);
INSERT INTO {s}.shreds (n) VALUES (0) ON CONFLICT DO NOTHING;
"""


def _on(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


class PostgresKeys:
    kind = "postgres"

    def __init__(self, connect: dict[str, Any], schema: str) -> None:
        self._connect, self.schema = connect, schema
        self.where = f"PostgreSQL {connect['dbname']} at {connect['host']}:{connect['port']}, schema {schema}"
        self._s = sql.Identifier(schema)
        self._conn: psycopg.Connection | None = None
        self._lock = threading.Lock()
        self._run(self._set_up)

    def _q(self, text: str) -> sql.Composed:
        return sql.SQL(text).format(s=self._s)

    def _set_up(self, c: psycopg.Connection) -> None:
        with c.transaction():
            c.execute("SELECT pg_advisory_xact_lock(hashtext('safeguard key store: ' || %s))", [self.schema])
            if not c.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [self.schema]).fetchone():
                c.execute(self._q("CREATE SCHEMA {s}"))  # made by deploy/postgres-init.sql in production
            c.execute(self._q(SCHEMA))

    def _run(self, fn: Callable[[psycopg.Connection], T]) -> T:
        """`fn` on the connection, connecting again once if it was lost (a restarted server); every call
        is idempotent, so doing it again is safe. A store still unreachable is the store's failure."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._conn is None or self._conn.closed:
                        self._conn = psycopg.connect(**self._connect, autocommit=True, connect_timeout=10)
                    return fn(self._conn)
                except psycopg.Error as e:
                    lost = self._conn is None or self._conn.closed or self._conn.broken
                    if attempt == 2 or not lost or not isinstance(e, psycopg.OperationalError):
                        raise OperationalError(f"the key store ({self.where}) failed: {e}") from None
            raise AssertionError("unreachable")

    def row(self, stream: UUID) -> Row | None:
        found = self._run(lambda c: c.execute(self._q("SELECT wrapped, master_version, shredded_on FROM {s}.stream_keys "
                                                      "WHERE stream = %s"), [stream]).fetchone())
        return (found[0], found[1], _on(found[2])) if found else None

    def add(self, stream: UUID, wrapped: bytes, version: int) -> None:
        self._run(lambda c: c.execute(self._q("INSERT INTO {s}.stream_keys (stream, wrapped, master_version) "
                                              "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"), [stream, wrapped, version]))

    def shred(self, stream: UUID, on: str) -> None:
        def shred(c: psycopg.Connection) -> None:
            with c.transaction():
                c.execute(self._q("INSERT INTO {s}.stream_keys (stream, wrapped, master_version, shredded_on) "
                                  "VALUES (%s, NULL, 0, %s) ON CONFLICT (stream) DO UPDATE SET wrapped = NULL, "
                                  "shredded_on = COALESCE({s}.stream_keys.shredded_on, excluded.shredded_on)"), [stream, on])
                c.execute(self._q("UPDATE {s}.shreds SET n = n + 1"))  # other processes forget the keys they hold
        self._run(shred)

    def changed(self) -> object:
        return self._run(lambda c: c.execute(self._q("SELECT n FROM {s}.shreds")).fetchone()[0])

    def sample(self) -> tuple[UUID, bytes, int] | None:
        return self._run(lambda c: c.execute(self._q("SELECT stream, wrapped, master_version FROM {s}.stream_keys "
                                                     "WHERE wrapped IS NOT NULL LIMIT 1")).fetchone())

    def counts(self) -> dict[int, int]:
        return dict(self._run(lambda c: c.execute(self._q(
            "SELECT master_version, count(*) FROM {s}.stream_keys WHERE wrapped IS NOT NULL GROUP BY 1")).fetchall()))

    def shredded(self) -> int:
        return self._run(lambda c: c.execute(self._q("SELECT count(*) FROM {s}.stream_keys WHERE wrapped IS NULL"))
                         .fetchone()[0])

    def rewrap(self, current: int, limit: int, rewrap: Rewrap, after: UUID | None) -> tuple[int, UUID | None]:
        def batch(c: psycopg.Connection) -> tuple[int, UUID | None]:
            with c.transaction():  # the rows locked: a shred waiting on one lands after, and nulls the new wrapping
                found = c.execute(self._q("SELECT stream, wrapped, master_version FROM {s}.stream_keys "
                                          "WHERE (%s::uuid IS NULL OR stream > %s) AND wrapped IS NOT NULL "
                                          "AND master_version <> %s ORDER BY stream LIMIT %s FOR UPDATE"),
                                  [after, after, current, limit]).fetchall()
                changed = [(*rewrap(stream, wrapped, version), stream) for stream, wrapped, version in found]
                with c.cursor() as cur:
                    cur.executemany(self._q("UPDATE {s}.stream_keys SET wrapped = %s, master_version = %s "
                                            "WHERE stream = %s AND wrapped IS NOT NULL"), changed)
                return len(found), (found[-1][0] if found else None)
        return self._run(batch)

    def retired(self) -> dict[int, str]:
        found = self._run(lambda c: c.execute(self._q("SELECT version, retired_on FROM {s}.retired_master_keys")).fetchall())
        return {v: _on(on) for v, on in found}  # type: ignore[misc]

    def retire(self, version: int, on: str) -> None:
        self._run(lambda c: c.execute(self._q("INSERT INTO {s}.retired_master_keys (version, retired_on) "
                                              "VALUES (%s, %s) ON CONFLICT DO NOTHING"), [version, on]))

    def rows(self, after: UUID | None, limit: int) -> list[Stored]:
        found = self._run(lambda c: c.execute(self._q(
            "SELECT stream, wrapped, master_version, shredded_on FROM {s}.stream_keys "
            "WHERE %s::uuid IS NULL OR stream > %s ORDER BY stream LIMIT %s"), [after, after, limit]).fetchall())
        return [(s, w, v, _on(on)) for s, w, v, on in found]

    def put(self, rows: list[Stored]) -> None:
        def put(c: psycopg.Connection) -> None:
            with c.transaction(), c.cursor() as cur:
                cur.executemany(self._q("INSERT INTO {s}.stream_keys (stream, wrapped, master_version, shredded_on) "
                                        "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING"), rows)
        self._run(put)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
