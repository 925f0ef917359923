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

The two databases' stores are in `projections/document_stores.py`; memory's is here.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from eventsourcing.persistence import IntegrityError, Tracking

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
