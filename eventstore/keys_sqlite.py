"""The key store in a SQLite file (`<data_dir>/keys.sqlite`): the embedded default (eventstore/keys.py).

`secure_delete` overwrites a shredded key's bytes rather than leave them in a free page, and each
shred ends with VACUUM. A file written before master-key versions gains the column, its keys
recorded as under version 1 (`SAFEGUARD_MASTER_KEY`, or the generated `<data_dir>/master-key`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from uuid import UUID

from eventstore.keys import Rewrap, Row, Stored

SCHEMA = ("CREATE TABLE IF NOT EXISTS stream_keys (stream TEXT PRIMARY KEY, wrapped BLOB, shredded_on TEXT, "
          "master_version INTEGER NOT NULL DEFAULT 1)",
          "CREATE TABLE IF NOT EXISTS retired_master_keys (version INTEGER PRIMARY KEY, retired_on TEXT NOT NULL)")


class SqliteKeys:
    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path, self.where = path, str(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA secure_delete=ON")  # a shredded key's bytes are overwritten, not left in a free page
        for statement in SCHEMA:
            self._db.execute(statement)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(stream_keys)")}
        if "master_version" not in columns:  # a key store from before versions: its one master key is version 1
            try:
                self._db.execute("ALTER TABLE stream_keys ADD COLUMN master_version INTEGER NOT NULL DEFAULT 1")
            except sqlite3.OperationalError as e:
                if "duplicate column" not in str(e):  # another process added it first
                    raise

    def row(self, stream: UUID) -> Row | None:
        return self._db.execute("SELECT wrapped, master_version, shredded_on FROM stream_keys WHERE stream=?",
                                [stream.hex]).fetchone()

    def add(self, stream: UUID, wrapped: bytes, version: int) -> None:
        self._db.execute("INSERT OR IGNORE INTO stream_keys (stream, wrapped, master_version) VALUES (?, ?, ?)",
                         [stream.hex, wrapped, version])

    def shred(self, stream: UUID, on: str) -> None:
        self._db.execute("INSERT INTO stream_keys (stream, wrapped, shredded_on) VALUES (?, NULL, ?) "
                         "ON CONFLICT (stream) DO UPDATE SET wrapped=NULL, "
                         "shredded_on=COALESCE(stream_keys.shredded_on, excluded.shredded_on)", [stream.hex, on])
        self._db.execute("VACUUM")

    def changed(self) -> object:
        """SQLite's data_version: it changes with every commit made by another connection (reads no table)."""
        return self._db.execute("PRAGMA data_version").fetchone()[0]

    def sample(self) -> tuple[UUID, bytes, int] | None:
        row = self._db.execute("SELECT stream, wrapped, master_version FROM stream_keys WHERE wrapped IS NOT NULL "
                               "LIMIT 1").fetchone()
        return (UUID(hex=row[0]), row[1], row[2]) if row else None

    def counts(self) -> dict[int, int]:
        return dict(self._db.execute("SELECT master_version, count(*) FROM stream_keys WHERE wrapped IS NOT NULL "
                                     "GROUP BY master_version"))

    def shredded(self) -> int:
        return self._db.execute("SELECT count(*) FROM stream_keys WHERE wrapped IS NULL").fetchone()[0]

    def rewrap(self, current: int, limit: int, rewrap: Rewrap, after: UUID | None) -> tuple[int, UUID | None]:
        self._db.execute("BEGIN IMMEDIATE")  # the write lock first: no shred lands between the read and the write
        try:
            found = self._db.execute("SELECT stream, wrapped, master_version FROM stream_keys WHERE stream > ? AND "
                                     "wrapped IS NOT NULL AND master_version <> ? ORDER BY stream LIMIT ?",
                                     [after.hex if after else "", current, limit]).fetchall()
            for stream, wrapped, version in found:
                again, under = rewrap(UUID(hex=stream), wrapped, version)
                self._db.execute("UPDATE stream_keys SET wrapped=?, master_version=? WHERE stream=? AND wrapped IS NOT NULL",
                                 [again, under, stream])
            self._db.execute("COMMIT")
        except BaseException:  # Ctrl-C may land just after COMMIT: then there is nothing to roll back
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return len(found), (UUID(hex=found[-1][0]) if found else None)

    def retired(self) -> dict[int, str]:
        return dict(self._db.execute("SELECT version, retired_on FROM retired_master_keys"))

    def retire(self, version: int, on: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO retired_master_keys (version, retired_on) VALUES (?, ?)", [version, on])

    def rows(self, after: UUID | None, limit: int) -> list[Stored]:
        found = self._db.execute("SELECT stream, wrapped, master_version, shredded_on FROM stream_keys WHERE stream > ? "
                                 "ORDER BY stream LIMIT ?", [after.hex if after else "", limit]).fetchall()
        return [(UUID(hex=s), w, v, on) for s, w, v, on in found]

    def put(self, rows: list[Stored]) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany("INSERT OR IGNORE INTO stream_keys (stream, wrapped, master_version, shredded_on) "
                                 "VALUES (?, ?, ?, ?)", [(s.hex, w, v, on) for s, w, v, on in rows])
            self._db.execute("COMMIT")
        except BaseException:  # Ctrl-C may land just after COMMIT: then there is nothing to roll back
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._db.close()
