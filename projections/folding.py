"""A read model's documents while its feed folds them: held in memory from one save to the next.

Folding a batch used to read the documents it touched, copy them, fold, compare and write: every
batch, for every model. Here a model's documents stay in memory (`Working`) as they are folded,
each read from the store once, the first time an event needs it; the model folds straight into
them. They are saved with the model's position, in one transaction, at a checkpoint: after every
batch while the feed follows the log live, and every `CHECKPOINT_EVENTS` events or
`CHECKPOINT_SECONDS` seconds while it is far behind (a rebuild, a worker back from a long stop).
A process stopped between checkpoints loses what it folded since the last one, never more, and
its next start resumes from that checkpoint: a saved position always goes with the documents
folded up to it.

The memory is only ever a cache of what the store holds plus what was folded since the last save.
A save refused because another feed saved the model meanwhile (`Following`), a failed save, or a
fold that failed part way, forgets it all (`forget`): the next pass reads the store again.
"""

from __future__ import annotations

import time
from typing import Any, Sequence

from eventsourcing.persistence import Tracking

from eventstore.events import Recorded
from projections.documents import Doc, Documents, Following

CHECKPOINT_EVENTS = 500_000  # events folded between checkpoints when far behind
CHECKPOINT_SECONDS = 20.0  # ... or seconds, whichever comes first: a restart loses no more than this
KEPT = 200_000  # documents kept in memory after a save while far behind; past this they are let go
KEPT_LIVE = 20_000  # ... and while following live (a worker runs for months: the documents it touched)


class Working:
    """One read model's documents being folded, and the positions they stand at."""

    def __init__(self, model: Any, documents: Documents) -> None:
        self.model, self.documents = model, documents
        self.name: str = model.name
        self.docs: dict[str, Doc | None] = {}  # key -> document (None: none in the store, or deleted)
        self.dirty: set[str] = set()
        self.saved: int | None = None  # the position the store holds for the model (None: not known)
        self.position = 0  # the position folded up to (== saved when nothing is waiting)
        self.pending = 0  # events folded since the last save
        self.since = time.monotonic()
        self.empty = False  # whether the store holds no document of the model but those held here

    def begin(self, stored: int) -> None:
        """At the start of a pass, with the position the store holds: anything else saved it since
        (another feed, a reset), so what is held is forgotten."""
        if self.saved != stored or self.position != stored:
            self.forget()
            self.saved = self.position = stored

    def forget(self) -> None:
        self.docs.clear()
        self.dirty.clear()
        self.saved, self.pending, self.since, self.empty = None, 0, time.monotonic(), False

    def reset(self) -> None:
        """The store's documents of the model were just reset (a rebuild from zero): none to read."""
        self.forget()
        self.saved = self.position = 0
        self.empty = True

    def fold(self, events: Sequence[Recorded], upto: int) -> None:
        """Fold `events` (each one the model reads) and stand at `upto`, the last position passed."""
        model, docs, dirty = self.model, self.docs, self.dirty
        keys_of, apply = model.keys, model.apply
        if self.empty:  # rebuilding from zero: a document not held here is not in the store either
            for e in events:
                keys = keys_of(e)
                for k in keys:
                    if k not in docs:
                        docs[k] = None
                apply(e, docs)
                dirty.update(keys)
        else:
            touched = [keys_of(e) for e in events]
            missing = {k for keys in touched for k in keys if k not in docs}
            if missing:
                found = self.documents.read(self.name, missing)
                for k in missing:
                    docs[k] = found.get(k)
            for e, keys in zip(events, touched):
                apply(e, docs)
                dirty.update(keys)
        self.position = upto
        self.pending += len(events)

    def due(self, live: bool) -> bool:
        """Whether to save now: after every batch when following live, else at a checkpoint."""
        if self.position == self.saved:
            return False
        return live or self.pending >= CHECKPOINT_EVENTS or time.monotonic() - self.since >= CHECKPOINT_SECONDS

    def save(self, keep: int = KEPT) -> None:
        """Write what changed and the position, in one transaction (refused if another feed saved
        first); then let the documents held go if there are more than `keep`."""
        if self.position == self.saved:
            return
        changes = {k: self.docs[k] for k in self.dirty}
        tracking: Tracking = Following(self.name, self.position, self.saved or 0)
        self.documents.write(self.name, changes, tracking)
        self.saved, self.pending, self.since = self.position, 0, time.monotonic()
        self.dirty.clear()
        if len(self.docs) > keep:
            self.docs.clear()
            self.empty = False  # what was let go is read from the store again
