"""Which of a view's documents changed since a reader last looked, so that a reader holding every
live case (the board, `projections/board.py`) reads again only those, not ten thousand.

Each write of a view takes the view's next change position (a count kept per view that never goes
back, not even when the view is reset) and stamps every document it writes with it; a document it
deletes is noted, with the position, among the view's deleted keys. A reset moves the position on
and marks it: a reader that last looked before then reads the whole view again, and forgets what it
held. The position is taken inside the write's transaction, in the order writes commit (PostgreSQL:
the view's row is locked until then), so a reader at position p missed nothing at or below p.

A reader looks in one snapshot: the position, the documents stamped after its last, and the keys
deleted after it. A key may be both (deleted, then written again): whichever came later holds.

The tables: a `changed` column on `read_models` (added to a table made before it, at 0: a reader
that never looked reads it whole), `read_model_changes` (per view: its position, and the position of
its last reset) and `read_models_gone` (per view and key: the position it was deleted at; emptied
with the view). A store's processes may start together: the column is added by the first, inside a
transaction tried once more if it failed (`eventstore/shared.create_all`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from eventstore.shared import create_all, tried_twice


@dataclass
class Changed:
    position: int  # the view's change position, as read
    whole: bool  # `docs` is every document of the view (first read, or the view was reset since)
    docs: list[tuple[str, str]] = field(default_factory=list)  # (key, stored JSON text) written since
    gone: list[str] = field(default_factory=list)  # keys deleted since (and not written again)


class ChangeLog:
    """The SQL of change positions, for one store: `mark` marks a parameter, `schema` qualifies names."""

    def __init__(self, mark: str, schema: str = "", text: str = "doc") -> None:
        self.mark, self.text = mark, text  # text: the document as JSON text (PostgreSQL keeps jsonb)
        self.docs, self.counts, self.gone = f"{schema}read_models", f"{schema}read_model_changes", f"{schema}read_models_gone"

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self.mark)

    def tables(self, integer: str) -> list[str]:
        return [f"CREATE TABLE IF NOT EXISTS {self.counts} (view TEXT PRIMARY KEY, changed {integer} NOT NULL, "
                f"reset {integer} NOT NULL)",
                f"CREATE TABLE IF NOT EXISTS {self.gone} (view TEXT, key TEXT, changed {integer} NOT NULL, PRIMARY KEY (view, key))",
                f"CREATE INDEX IF NOT EXISTS read_models_changed ON {self.docs} (view, changed)",
                f"CREATE INDEX IF NOT EXISTS read_models_gone_changed ON {self.gone} (view, changed)"]

    def next(self, c: Any, view: str, reset: bool = False) -> int:
        """Inside a write's transaction: the view's next position (with `reset`, marked as its reset's)."""
        again = ", reset = t.changed + 1" if reset else ""
        c.execute(self._sql(f"INSERT INTO {self.counts} AS t (view, changed, reset) VALUES (?, 1, ?) "
                            f"ON CONFLICT (view) DO UPDATE SET changed = t.changed + 1{again} RETURNING changed"),
                  [view, 1 if reset else 0])
        return int(c.fetchone()["changed"])

    def deleting(self, c: Any, view: str, keys: list[str], position: int) -> None:
        """Before deleting `keys`: those that are there, noted as deleted at `position`."""
        c.executemany(self._sql(f"INSERT INTO {self.gone} (view, key, changed) SELECT view, key, ? FROM {self.docs} "
                                "WHERE view = ? AND key = ? ON CONFLICT (view, key) DO UPDATE SET changed = excluded.changed"),
                      [(position, view, k) for k in keys])

    def reset(self, c: Any, view: str) -> None:
        c.execute(self._sql(f"DELETE FROM {self.gone} WHERE view = ?"), [view])
        self.next(c, view, reset=True)

    def since(self, c: Any, view: str, position: int | None, below: str | None) -> Changed:
        """Inside one read's snapshot: what changed in the view after `position` (None: never read)."""
        c.execute(self._sql(f"SELECT changed, reset FROM {self.counts} WHERE view = ?"), [view])
        row = c.fetchone()
        now, reset = (int(row["changed"]), int(row["reset"])) if row else (0, 0)
        bound, params = ("", [view]) if below is None else (" AND key < ?", [view, below])
        if position is None or position < reset:
            c.execute(self._sql(f"SELECT key, {self.text} AS doc FROM {self.docs} WHERE view = ?{bound} ORDER BY key"), params)
            return Changed(now, True, [(r["key"], r["doc"]) for r in c.fetchall()])
        if now == position:
            return Changed(now, False)
        kept = (lambda key: True) if below is None else (lambda key: key < below)  # (bound here: by the index on changed)
        c.execute(self._sql(f"SELECT key, {self.text} AS doc, changed FROM {self.docs} WHERE view = ? AND changed > ?"), [view, position])
        written = {r["key"]: (r["doc"], r["changed"]) for r in c.fetchall() if kept(r["key"])}
        c.execute(self._sql(f"SELECT key, changed FROM {self.gone} WHERE view = ? AND changed > ?"), [view, position])
        gone = {r["key"] for r in c.fetchall()
                if kept(r["key"]) and (r["key"] not in written or written[r["key"]][1] < r["changed"])}
        return Changed(now, False, [(k, d) for k, (d, _) in written.items() if k not in gone], sorted(gone))


def has_row(sql: str, params: list[Any]) -> Callable[[Any], bool]:
    """Whether the query finds a row, in a transaction's cursor."""
    def finds(c: Any) -> bool:
        c.execute(sql, params)
        return bool(c.fetchall())
    return finds


def add_changed_column(datastore: Any, log: ChangeLog, integer: str, has_column: Callable[[Any], bool]) -> None:
    """The `changed` column added to a `read_models` table made before it, and the other tables made:
    `has_column` looks for it (another process may have just added it: then tried once more)."""
    def add(c: Any) -> None:
        if not has_column(c):
            c.execute(f"ALTER TABLE {log.docs} ADD COLUMN changed {integer} NOT NULL DEFAULT 0")
    tried_twice(datastore, add)
    create_all(datastore, log.tables(integer))
