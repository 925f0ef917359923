"""The read models' documents in SQLite (the default) and in PostgreSQL, beside the event store, each
written in one transaction with its view's tracking position (`projections/documents.py` says how)."""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL, Identifier, Literal

from eventstore.shared import create_all
from projections.document_changes import Changed, ChangeLog, add_changed_column, has_row
from projections.documents import Changes, Doc, Documents, Following, _dump, _moved_on
from projections.rows import Tabled


class _Named(dict):
    """Table names for `str.format_map`: those of attached models, else any other name qualified alike."""

    def __init__(self, names: dict[str, str], qualify: Any) -> None:
        super().__init__(names)
        self.qualify = qualify

    def __missing__(self, name: str) -> str:
        return self.qualify(name)


class _TrackedDocuments(Documents):
    """The position is the tracking recorder's: the last notification saved for the view. Each write
    also stamps what it writes with the view's change position (`projections/document_changes.py`)."""

    marker = "?"  # how the database marks a parameter
    log: ChangeLog

    def position(self, view: str) -> int:
        return self.max_tracking_id(view) or 0  # type: ignore[attr-defined]

    def changes(self, view: str, since: int | None, below: str | None = None) -> Changed:
        """What changed in the view after change position `since` (None: every document), its keys
        before `below` only: read in one snapshot."""
        with self.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            self._snapshot(c)
            return self.log.since(c, view, since, below)

    def _snapshot(self, c: Any) -> None:
        """The transaction's reads made one snapshot (SQLite's always are)."""

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
        create_all(self.datastore, statements)  # type: ignore[attr-defined]
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
    log = ChangeLog("?")

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS read_models (view TEXT, key TEXT, doc TEXT, changed INTEGER NOT NULL DEFAULT 0, "
            "PRIMARY KEY (view, key)) WITHOUT ROWID",
        ]

    def create_table(self) -> None:
        super().create_table()
        add_changed_column(self.datastore, self.log, "INTEGER",
                           has_row("SELECT 1 FROM pragma_table_info('read_models') WHERE name = 'changed'", []))

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
            at = self.log.next(c, view)
            deletes = [k for k, d in changes.items() if d is None]
            self.log.deleting(c, view, deletes, at)
            c.executemany("DELETE FROM read_models WHERE view=? AND key=?", [(view, k) for k in deletes])
            c.executemany("INSERT OR REPLACE INTO read_models (view, key, doc, changed) VALUES (?, ?, ?, ?)",
                          [(view, k, _dump(d), at) for k, d in changes.items() if d is not None])
            self._write_rows(c, view, changes)
            if tracking is not None and not following:
                self._insert_tracking(c, tracking)

    def reset(self, view: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM read_models WHERE view=?", [view])
            self._reset_rows(c, view)
            c.execute("DELETE FROM tracking WHERE application_name=?", [view])
            self.log.reset(c, view)


class PostgresDocuments(PostgresTrackingRecorder, _TrackedDocuments):
    marker = "%s"

    def _table_name(self, name: str) -> str:
        return f'"{self.datastore.schema}".{name}'

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema = self.datastore.schema
        self.log = ChangeLog("%s", f'"{schema}".', "doc::text")
        self.sql_create_statements.append(SQL(
            'CREATE TABLE IF NOT EXISTS {}.read_models (view text, key text COLLATE "C", doc jsonb, '
            "changed bigint NOT NULL DEFAULT 0, PRIMARY KEY (view, key))"
        ).format(Identifier(schema)))
        # A table made before keys were collated "C" (under the database's locale, "~closed/x" may
        # sort before "0..."): collated so once, which rebuilds its primary key, not the table.
        self.sql_create_statements.append(SQL(
            "DO $$ BEGIN IF (SELECT collation_name FROM information_schema.columns WHERE table_schema = {} "
            "AND table_name = 'read_models' AND column_name = 'key') IS DISTINCT FROM 'C' THEN "
            'ALTER TABLE {}.read_models ALTER COLUMN key TYPE text COLLATE "C"; END IF; END $$'
        ).format(Literal(schema), Identifier(schema)))

    def create_table(self) -> None:
        super().create_table()
        add_changed_column(self.datastore, self.log, "bigint", has_row(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = 'read_models' "
            "AND column_name = 'changed'", [self.datastore.schema]))

    def _snapshot(self, c: Any) -> None:
        c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

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

    def write(self, view: str, changes: Changes, tracking: Tracking | None) -> None:
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
            elif tracking is not None:  # first too: the view's position, then its change position, always in that order
                self._insert_tracking(c, tracking)
            at = self.log.next(c, view)
            if deletes:
                self.log.deleting(c, view, deletes, at)
                c.execute(f"DELETE FROM {self._table} WHERE view=%s AND key = ANY(%s)", [view, deletes])
            upserts = [(view, k, _dump(d), at) for k, d in changes.items() if d is not None]
            if upserts:
                c.executemany(
                    f"INSERT INTO {self._table} (view, key, doc, changed) VALUES (%s, %s, %s::jsonb, %s) "
                    "ON CONFLICT (view, key) DO UPDATE SET doc = EXCLUDED.doc, changed = EXCLUDED.changed", upserts)
            self._write_rows(c, view, changes)

    def reset(self, view: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {self._table} WHERE view=%s", [view])
            self._reset_rows(c, view)
            c.execute(f'DELETE FROM "{self.datastore.schema}".{self.tracking_table_name} WHERE application_name=%s', [view])
            self.log.reset(c, view)
