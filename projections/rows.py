"""Read models also kept as rows of tables of their own, for lists paged by keyset queries.

A document store answers "this case's document"; a list of thousands of cases, filtered and
paged, needs a table with indexes. A `Tabled` read model folds documents as every read model does
(`projections/feed.py`) and says which rows each document makes; the documents' store writes those
rows in the same transaction as the documents and the view's position (`projections/documents.py`),
so the rows are exactly as current as the documents, and a rebuild from zero rebuilds them too.

Every column is text (instants as fixed-width UTC text, so text order is time order), the same on
SQLite and PostgreSQL; the first column, `key`, is the document's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]  # the first is "key": the document the row comes from
    indexes: tuple[tuple[str, ...], ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()

    def create(self, table: str) -> list[str]:
        """The statements creating the table and its indexes (`table`: its name, qualified as the database needs)."""
        cols = ", ".join(f"{c} TEXT" for c in self.columns)
        out = [f"CREATE TABLE IF NOT EXISTS {table} ({cols})", f"CREATE INDEX IF NOT EXISTS {self.name}_by_key ON {table} (key)"]
        out += [f"CREATE INDEX IF NOT EXISTS {self.name}_by_{'_'.join(ix)} ON {table} ({', '.join(ix)})" for ix in self.indexes]
        out += [f"CREATE UNIQUE INDEX IF NOT EXISTS {self.name}_one_{'_'.join(ix)} ON {table} ({', '.join(ix)})"
                for ix in self.unique]
        return out


@runtime_checkable
class Tabled(Protocol):
    name: str
    tables: tuple[Table, ...]

    def rows(self, key: str, doc: dict[str, Any]) -> dict[str, list[Row]]:
        """The rows (table name -> rows, in its columns' order) a document makes."""
        ...
