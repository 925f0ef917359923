"""Where read models live: JSON documents keyed by (view, key), written in the same
transaction as the view's tracking position (the eventsourcing library's tracking recorders),
in the same database as the event store. A crash between handling events and saving them
loses nothing and counts nothing twice: either documents and position are saved together, or
neither is, and a position already passed is refused.

Two workers' feeds may fold the same view at once. A batch is saved only if the view's position
is still the one the batch was folded on (`Following`): a batch overlapping one another feed
saved meanwhile is refused whole, and folded again from there, so no event counts twice.

One interface, three homes: SQLite (default), PostgreSQL (by configuration), and memory (for
"as at" queries computed from events up to an instant). Keys compare byte by byte in all three
(PostgreSQL's key column is collated "C", whatever the database's locale), so a scan's order and
its bound (`below`) are the same everywhere: a view can keep documents a scan leaves out under keys
sorting after its others (`live_cases`' closed cases, under "~closed/...").

A read model that lists (`projections/rows.py`: `Tabled`) is also kept as rows of its own tables,
attached to the store by its feed: written with its documents, reset with them, and queried with
`select` (keyset paging; SQLite and PostgreSQL only).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL, Identifier, Literal

from projections.rows import Tabled

Doc = dict[str, Any]
Changes = dict[str, "Doc | None"]  # key -> new document, or None to delete


@dataclass(frozen=True)
class Following(Tracking):
    """A view's new position, saved only if the view is still at `after`: the position whose
    documents the batch was folded into. Otherwise another feed saved a batch meanwhile."""

    after: int = 0


def _moved_on(tracking: Following) -> IntegrityError:
    return IntegrityError(f"{tracking.application_name} is no longer at {tracking.after}: another feed saved a batch")


class Documents(ABC):
    @abstractmethod
    def read(self, view: str, keys: Iterable[str]) -> dict[str, Doc]: ...

    @abstractmethod
    def scan(self, view: str, below: str | None = None) -> Iterator[tuple[str, Doc]]:
        """The view's documents in key order; with `below`, only those whose key sorts before it
        (an index range: documents at or after it cost the scan nothing)."""

    @abstractmethod
    def write(self, view: str, changes: Changes, tracking: Tracking | None) -> None:
        """Apply the changes and advance the view's position, atomically."""

    @abstractmethod
    def position(self, view: str) -> int: ...

    @abstractmethod
    def reset(self, view: str) -> None:
        """Forget the view and its position, atomically (a rebuild starts from zero)."""

    def attach(self, model: Tabled) -> None:
        """Keep `model`'s rows in its tables from now on (created if missing). Memory keeps none."""

    def select(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        """Rows of attached tables: `sql` names each table as {name} and marks parameters with ?.
        Read models folded in memory (a read model "as at" an earlier instant) keep documents only: a
        list kept as rows (the case list) is read from the store's own documents, never as at."""
        raise TypeError(f"{type(self).__name__} keeps documents only, no tables: read the case list from the store")


def _dump(doc: Doc) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)


class _Named(dict):
    """Table names for `str.format_map`: those of attached models, else any other name qualified alike."""

    def __init__(self, names: dict[str, str], qualify: Any) -> None:
        super().__init__(names)
        self.qualify = qualify

    def __missing__(self, name: str) -> str:
        return self.qualify(name)


class _TrackedDocuments(Documents):
    """The position is the tracking recorder's: the last notification saved for the view."""

    marker = "?"  # how the database marks a parameter

    def position(self, view: str) -> int:
        return self.max_tracking_id(view) or 0  # type: ignore[attr-defined]

    @property
    def _tabled(self) -> dict[str, Tabled]:
        if "_tabled_models" not in self.__dict__:
            self.__dict__["_tabled_models"] = {}
        return self.__dict__["_tabled_models"]

    def _table_name(self, name: str) -> str:
        return name

    def attach(self, model: Tabled) -> None:
        if model.name in self._tabled:
            return
        statements = [s for t in model.tables for s in t.create(self._table_name(t.name))]
        for attempt in (1, 2):
            try:
                with self.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
                    for statement in statements:
                        c.execute(statement)
                break
            except Exception:  # another process created them at the same moment: they exist now
                if attempt == 2:
                    raise
        self._tabled[model.name] = model

    def _sql(self, sql: str) -> str:
        names = {t.name: self._table_name(t.name) for m in self._tabled.values() for t in m.tables}
        return sql.format_map(_Named(names, self._table_name)).replace("?", self.marker)

    def _write_rows(self, c: Any, view: str, changes: Changes) -> None:
        """Inside the write's transaction: each changed document's rows replaced by its new ones."""
        model = self._tabled.get(view)
        if model is None or not changes:
            return
        keys = [(k,) for k in changes]
        for t in model.tables:
            c.executemany(self._sql(f"DELETE FROM {{{t.name}}} WHERE key = ?"), keys)
        rows: dict[str, list[Any]] = {}
        for key, doc in changes.items():
            if doc is not None:
                for table, made in model.rows(key, doc).items():
                    rows.setdefault(table, []).extend(made)
        for t in model.tables:
            if rows.get(t.name):
                marks = ", ".join("?" * len(t.columns))
                c.executemany(self._sql(f"INSERT INTO {{{t.name}}} ({', '.join(t.columns)}) VALUES ({marks})"), rows[t.name])

    def _reset_rows(self, c: Any, view: str) -> None:
        model = self._tabled.get(view)
        for t in model.tables if model else ():
            c.execute(self._sql(f"DELETE FROM {{{t.name}}}"))

    def select(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        with self.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute(self._sql(sql), params)
            return [dict(row) for row in c.fetchall()]


class SQLiteDocuments(SQLiteTrackingRecorder, _TrackedDocuments):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS read_models (view TEXT, key TEXT, doc TEXT, PRIMARY KEY (view, key)) WITHOUT ROWID",
        ]

    def read(self, view: str, keys: Iterable[str]) -> dict[str, Doc]:
        keys = list(keys)
        out: dict[str, Doc] = {}
        with self.datastore.transaction(commit=False) as c:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                c.execute(f"SELECT key, doc FROM read_models WHERE view=? AND key IN ({','.join('?' * len(chunk))})", [view, *chunk])
                out.update((row["key"], json.loads(row["doc"])) for row in c.fetchall())
        return out

    def scan(self, view: str, below: str | None = None) -> Iterator[tuple[str, Doc]]:
        bound, params = ("", [view]) if below is None else (" AND key < ?", [view, below])
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT key, doc FROM read_models WHERE view=?{bound} ORDER BY key", params)
            rows = c.fetchall()
        for row in rows:
            yield row["key"], json.loads(row["doc"])

    def scan_text(self, view: str, below: str | None = None) -> Iterator[tuple[str, str]]:
        """As `scan`, each document as its stored JSON text (compared, not parsed, by `projections/board.py`)."""
        bound, params = ("", [view]) if below is None else (" AND key < ?", [view, below])
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT key, doc FROM read_models WHERE view=?{bound} ORDER BY key", params)
            return iter([(row["key"], row["doc"]) for row in c.fetchall()])

    def write(self, view: str, changes: Changes, tracking: Tracking | None) -> None:
        following = isinstance(tracking, Following) and self.datastore.single_row_tracking
        with self.datastore.transaction(commit=True) as c:
            if following:  # first: it takes the write lock, then nothing can move the position
                if tracking.after == 0:
                    c.execute("INSERT INTO tracking (application_name, notification_id) VALUES (?, ?) "
                              "ON CONFLICT (application_name) DO NOTHING RETURNING notification_id",
                              [tracking.application_name, tracking.notification_id])
                else:
                    c.execute("UPDATE tracking SET notification_id = ? WHERE application_name = ? AND notification_id = ? "
                              "RETURNING notification_id", [tracking.notification_id, tracking.application_name, tracking.after])
                if c.fetchone() is None:
                    raise _moved_on(tracking)
            c.executemany("DELETE FROM read_models WHERE view=? AND key=?", [(view, k) for k, d in changes.items() if d is None])
            c.executemany("INSERT OR REPLACE INTO read_models (view, key, doc) VALUES (?, ?, ?)",
                          [(view, k, _dump(d)) for k, d in changes.items() if d is not None])
            self._write_rows(c, view, changes)
            if tracking is not None and not following:
                self._insert_tracking(c, tracking)

    def reset(self, view: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM read_models WHERE view=?", [view])
            self._reset_rows(c, view)
            c.execute("DELETE FROM tracking WHERE application_name=?", [view])


class PostgresDocuments(PostgresTrackingRecorder, _TrackedDocuments):
    marker = "%s"

    def _table_name(self, name: str) -> str:
        return f'"{self.datastore.schema}".{name}'

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema = self.datastore.schema
        self.sql_create_statements.append(SQL(
            'CREATE TABLE IF NOT EXISTS {}.read_models (view text, key text COLLATE "C", doc jsonb, PRIMARY KEY (view, key))'
        ).format(Identifier(schema)))
        # A table made before keys were collated "C" (under the database's locale, "~closed/x" may
        # sort before "0..."): collated so once, which rebuilds its primary key, not the table.
        self.sql_create_statements.append(SQL(
            "DO $$ BEGIN IF (SELECT collation_name FROM information_schema.columns WHERE table_schema = {} "
            "AND table_name = 'read_models' AND column_name = 'key') IS DISTINCT FROM 'C' THEN "
            'ALTER TABLE {}.read_models ALTER COLUMN key TYPE text COLLATE "C"; END IF; END $$'
        ).format(Literal(schema), Identifier(schema)))

    @property
    def _table(self) -> str:
        return f'"{self.datastore.schema}".read_models'

    def read(self, view: str, keys: Iterable[str]) -> dict[str, Doc]:
        with self.datastore.transaction(commit=False) as c:
            rows = c.execute(f"SELECT key, doc FROM {self._table} WHERE view=%s AND key = ANY(%s)", [view, list(keys)]).fetchall()
        return {row["key"]: row["doc"] for row in rows}

    def scan(self, view: str, below: str | None = None) -> Iterator[tuple[str, Doc]]:
        bound, params = ("", [view]) if below is None else (" AND key < %s", [view, below])
        with self.datastore.transaction(commit=False) as c:
            rows = c.execute(f"SELECT key, doc FROM {self._table} WHERE view=%s{bound} ORDER BY key", params).fetchall()
        for row in rows:
            yield row["key"], row["doc"]

    def scan_text(self, view: str, below: str | None = None) -> Iterator[tuple[str, str]]:
        """As `scan`, each document as JSON text (compared, not parsed, by `projections/board.py`)."""
        bound, params = ("", [view]) if below is None else (" AND key < %s", [view, below])
        with self.datastore.transaction(commit=False) as c:
            rows = c.execute(f"SELECT key, doc::text AS doc FROM {self._table} WHERE view=%s{bound} ORDER BY key", params).fetchall()
        return iter([(row["key"], row["doc"]) for row in rows])

    def write(self, view: str, changes: Changes, tracking: Tracking | None) -> None:
        upserts = [(view, k, _dump(d)) for k, d in changes.items() if d is not None]
        deletes = [k for k, d in changes.items() if d is None]
        following = isinstance(tracking, Following) and self.datastore.single_row_tracking
        positions = f'"{self.datastore.schema}".{self.tracking_table_name}'
        with self.datastore.transaction(commit=True) as c:
            if following:  # first: it locks the view's position row until this commits
                if tracking.after == 0:
                    found = c.execute(f"INSERT INTO {positions} (application_name, notification_id) VALUES (%s, %s) "
                                      "ON CONFLICT (application_name) DO NOTHING RETURNING notification_id",
                                      [tracking.application_name, tracking.notification_id]).fetchone()
                else:
                    found = c.execute(f"UPDATE {positions} SET notification_id = %s WHERE application_name = %s "
                                      "AND notification_id = %s RETURNING notification_id",
                                      [tracking.notification_id, tracking.application_name, tracking.after]).fetchone()
                if found is None:
                    raise _moved_on(tracking)
            if deletes:
                c.execute(f"DELETE FROM {self._table} WHERE view=%s AND key = ANY(%s)", [view, deletes])
            if upserts:
                c.executemany(
                    f"INSERT INTO {self._table} (view, key, doc) VALUES (%s, %s, %s::jsonb) "
                    "ON CONFLICT (view, key) DO UPDATE SET doc = EXCLUDED.doc", upserts)
            self._write_rows(c, view, changes)
            if tracking is not None and not following:
                self._insert_tracking(c, tracking)

    def reset(self, view: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {self._table} WHERE view=%s", [view])
            self._reset_rows(c, view)
            c.execute(f'DELETE FROM "{self.datastore.schema}".{self.tracking_table_name} WHERE application_name=%s', [view])


class MemoryDocuments(Documents):
    """For answers "as at" an instant: the same read models, folded in memory."""

    def __init__(self) -> None:
        self.views: dict[str, dict[str, Doc]] = {}
        self.positions: dict[str, int] = {}

    def read(self, view: str, keys: Iterable[str]) -> dict[str, Doc]:
        docs = self.views.get(view, {})
        return {k: json.loads(_dump(docs[k])) for k in keys if k in docs}

    def scan(self, view: str, below: str | None = None) -> Iterator[tuple[str, Doc]]:
        docs = self.views.get(view, {})
        for key in sorted(k for k in docs if below is None or k < below):  # str order: by code point, as UTF-8 bytes
            yield key, docs[key]

    def write(self, view: str, changes: Changes, tracking: Tracking | None) -> None:
        if isinstance(tracking, Following) and self.positions.get(view, 0) != tracking.after:
            raise _moved_on(tracking)
        docs = self.views.setdefault(view, {})
        for key, doc in changes.items():
            if doc is None:
                docs.pop(key, None)
            else:
                docs[key] = json.loads(_dump(doc))
        if tracking is not None:
            self.positions[view] = tracking.notification_id

    def position(self, view: str) -> int:
        return self.positions.get(view, 0)

    def reset(self, view: str) -> None:
        self.views.pop(view, None)
        self.positions.pop(view, None)
