"""What Safeguard's processes share beyond the events, kept in the event store's own database, so
every worker and web replica answers alike whichever one a request reaches:

- failed attempts (signing in, a wrong current password, a reset link that does not work), counted
  per key (a user id, an address) for the throttle (casework/throttle.py);
- turns taken by a request sent twice at once (casework/idempotency.py): the first sending holds the
  request's turn until it has its answer, and a twin sent to another replica waits for it, then
  reads the answer from what the first recorded.

Two small tables beside the events: SQLite's file for the embedded store, the PostgreSQL schema in
production. Neither holds personal data: keys are user ids and addresses (as the access log holds
them); a request is kept as a digest.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any, Callable, Iterable

from eventsourcing.postgres import PostgresFactory

from eventstore.application import SafeguardingRecords

PRUNE_EVERY = 60.0  # seconds: how often a process clears failures and turns nobody can need any more
TURNS_KEPT = 3600.0  # seconds: a turn ended this long ago by a holder that died is cleared


class SharedState:
    def __init__(self, records: SafeguardingRecords) -> None:
        self.records = records  # keeps the datastore's pool open as long as this
        self.datastore = records.factory.datastore  # type: ignore[attr-defined]
        postgres = isinstance(records.factory, PostgresFactory)
        self.mark = "%s" if postgres else "?"
        schema = f'"{self.datastore.schema}".' if postgres else ""
        self.failures_table, self.turns_table = f"{schema}failed_attempts", f"{schema}request_turns"
        self._pruned = {"failures": 0.0, "turns": 0.0}
        self._lock = threading.Lock()
        self._create()

    def _create(self) -> None:
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.failures_table} (key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS failed_attempts_key ON {self.failures_table} (key, at)",
            f"CREATE INDEX IF NOT EXISTS failed_attempts_at ON {self.failures_table} (at)",
            f"CREATE TABLE IF NOT EXISTS {self.turns_table} (request TEXT PRIMARY KEY, holder TEXT NOT NULL, "
            "until DOUBLE PRECISION NOT NULL)",
        ]
        create_all(self.datastore, statements)

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self.mark)

    def _execute(self, sql: str, params: list[Any], commit: bool = True, rows: bool = False) -> list[Any]:
        with self.datastore.transaction(commit=commit) as c:
            c.execute(self._sql(sql), params)
            return list(c.fetchall()) if rows else []

    def _due(self, what: str, now: float) -> bool:
        with self._lock:
            if now - self._pruned[what] < PRUNE_EVERY:
                return False
            self._pruned[what] = now
            return True

    # ---- failed attempts -----------------------------------------------------------------------

    def failures(self, keys: Iterable[str], since: float) -> dict[str, tuple[int, float]]:
        """For each key with failures after `since` (epoch seconds): how many, and when the first was."""
        keys = list(keys)
        if self._due("failures", since):  # what is older than the window counts for nothing now
            self._execute(f"DELETE FROM {self.failures_table} WHERE at <= ?", [since])
        marks = ", ".join("?" * len(keys))
        rows = self._execute(f"SELECT key, COUNT(*) AS n, MIN(at) AS first FROM {self.failures_table} "
                             f"WHERE key IN ({marks}) AND at > ? GROUP BY key", [*keys, since], commit=False, rows=True)
        return {r["key"]: (int(r["n"]), float(r["first"])) for r in rows}

    def failed(self, keys: Iterable[str], at: float) -> None:
        with self.datastore.transaction(commit=True) as c:
            for key in keys:
                c.execute(self._sql(f"INSERT INTO {self.failures_table} (key, at) VALUES (?, ?)"), [key, at])

    def forget(self, key: str) -> None:
        self._execute(f"DELETE FROM {self.failures_table} WHERE key = ?", [key])

    # ---- turns -----------------------------------------------------------------------------------

    @staticmethod
    def digest(request: str) -> str:
        return hashlib.sha256(request.encode()).hexdigest()

    def take_turn(self, request: str, holder: str, now: float, until: float) -> bool:
        """The request's turn for `holder` until `until` (epoch seconds), if nobody holds it or its
        holder let it lapse (a process that died holding it); False while another holds it."""
        if self._due("turns", now):
            self._execute(f"DELETE FROM {self.turns_table} WHERE until < ?", [now - TURNS_KEPT])
        rows = self._execute(
            f"INSERT INTO {self.turns_table} (request, holder, until) VALUES (?, ?, ?) ON CONFLICT (request) DO UPDATE "
            f"SET holder = excluded.holder, until = excluded.until WHERE {self._bare(self.turns_table)}.until < ? "
            "RETURNING holder", [self.digest(request), holder, until, now], rows=True)
        return bool(rows) and rows[0]["holder"] == holder

    def keep_turn(self, request: str, holder: str, until: float) -> bool:
        """Hold the turn longer (the request is still waiting on its answer); False if it was lost."""
        return bool(self._execute(f"UPDATE {self.turns_table} SET until = ? WHERE request = ? AND holder = ? "
                                  "RETURNING holder", [until, self.digest(request), holder], rows=True))

    def end_turn(self, request: str, holder: str) -> None:
        self._execute(f"DELETE FROM {self.turns_table} WHERE request = ? AND holder = ?", [self.digest(request), holder])

    @staticmethod
    def _bare(table: str) -> str:
        return table.rsplit(".", 1)[-1]


def shared_state(records: SafeguardingRecords) -> SharedState:
    """The store's shared state, opened once per process for `records`."""
    found = records.__dict__.get("_shared_state")
    if found is None:
        found = records.__dict__["_shared_state"] = SharedState(records)
    return found


def create_all(datastore: Any, statements: list[str]) -> None:
    """Run `CREATE ... IF NOT EXISTS` statements in one transaction, once more if it failed: another
    process may have created the same tables at the same moment, and then they exist."""
    def run(c: Any) -> None:
        for s in statements:
            c.execute(s)
    tried_twice(datastore, run)


def tried_twice(datastore: Any, work: Callable[[Any], None]) -> None:
    """`work` on a transaction's cursor, committed; once more if it failed (another process making the
    same schema at the same moment: the second try finds it made)."""
    for attempt in (1, 2):
        try:
            with datastore.transaction(commit=True) as c:
                work(c)
            return
        except Exception:
            if attempt == 2:
                raise
