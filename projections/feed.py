"""Feeds read models from the event store's notification log.

Each read model keeps its own position. A batch of notifications is folded into the model's
documents and written with the new position in one transaction (`projections/documents.py`),
so a restart resumes where it stopped and a rebuild from zero gives the same documents. The
feed reads the notification log, which both SQLite and PostgreSQL serve, so one read model
class serves both databases; it polls SQLite's, and PostgreSQL's notifications wake it.
"""

from __future__ import annotations

import copy
import threading
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

import structlog
from eventsourcing.persistence import IntegrityError, Tracking

from domain.facts import Fact
from eventstore.application import SafeguardingRecords
from eventstore.changes import SAFETY, log_changes
from eventstore.keys import Erased
from eventstore.events import Recorded
from projections.documents import Doc, Documents, Following, MemoryDocuments
from projections.rows import Tabled

log = structlog.get_logger("safeguard.projections")
Progress = Callable[[str, int, int], None]  # (view, position reached, last position)


class ReadModel(ABC):
    """A read model folds typed facts into JSON documents. Pure: no clock, no I/O."""

    name: str
    handles: tuple[type[Fact], ...]  # the facts it reads

    @abstractmethod
    def keys(self, event: Recorded) -> Iterable[str]:
        """The documents this event touches (read before `apply`)."""

    @abstractmethod
    def apply(self, event: Recorded, docs: dict[str, Doc | None]) -> None:
        """Fold the event into `docs` (key -> doc, absent if new); set a key to None to delete it."""

    def reads(self, event: Recorded) -> bool:
        return isinstance(event.fact, self.handles)


def decode(records: SafeguardingRecords, notifications: Sequence[Any]) -> list[Recorded]:
    """The events decoded; those of a case erased under retention (its key destroyed) are left out."""
    out = []
    for n in notifications:
        try:
            out.append(records.mapper.to_domain_event(n).at_position(n.id))
        except Erased:
            continue
    return out


def fold(model: ReadModel, documents: Documents, events: list[Recorded], position: int | None,
         after: int | None = None) -> None:
    """Fold a batch into the model's documents and save them with `position`, atomically; with
    `after` (the position the documents were read at), only if the model is still there."""
    relevant = [e for e in events if model.reads(e)]
    keys = {k for e in relevant for k in model.keys(e)}
    current = documents.read(model.name, keys) if keys else {}
    docs: dict[str, Doc | None] = copy.deepcopy(current)  # models mutate documents in place
    for e in relevant:
        model.apply(e, docs)
    changes = {k: v for k, v in docs.items() if current.get(k) != v and not (v is None and k not in current)}
    tracking = (None if position is None else Tracking(model.name, position) if after is None
                else Following(model.name, position, after))
    documents.write(model.name, changes, tracking)


class ProjectionFeed:
    """Brings read models up to the end of the log. One feed serves a process: the worker's
    background thread and the activities that need a read model current now share it, and a
    model is caught up by one of them at a time, so each event is folded once."""

    def __init__(self, records: SafeguardingRecords, documents: Documents, models: Sequence[ReadModel],
                 batch_size: int = 1000) -> None:
        self.records, self.documents, self.models, self.batch_size = records, documents, list(models), batch_size
        for model in self.models:  # a listing model's rows are written with its documents (projections/rows.py)
            if isinstance(model, Tabled):
                documents.attach(model)
        self._folding = {m.name: threading.Lock() for m in self.models}
        self._read: dict[int, list[Recorded]] = {}  # the last batches read, by where they start
        self._reading = threading.Lock()

    def last_position(self) -> int:
        return self.records.recorder.max_notification_id() or 0

    def catch_up(self, progress: Progress | None = None, only: str | None = None) -> int:
        """Bring every read model (or one) up to the end of the log; returns events folded."""
        done = 0
        for model in self.models:
            if only and model.name != only:
                continue
            done += self._catch_up(model, progress)
        return done

    def _catch_up(self, model: ReadModel, progress: Progress | None) -> int:
        done = 0
        last = self.last_position()
        with self._folding[model.name]:
            while True:
                at = self.documents.position(model.name)
                batch = self._batch(at + 1)
                if not batch:
                    return done
                try:
                    fold(model, self.documents, batch, batch[-1].position, after=at)
                except IntegrityError:
                    continue  # another process's feed saved a batch from here first: read the position again
                done += len(batch)
                if progress:
                    progress(model.name, batch[-1].position, max(last, batch[-1].position))

    def _batch(self, start: int) -> list[Recorded]:
        """The events from `start`, decoded. Models at the same position (the usual case: one pass
        folds them all in turn) share one read. Stored events never change, so a batch read
        earlier is still true, if perhaps shorter than the log is now."""
        with self._reading:
            if (batch := self._read.get(start)) is not None:
                return batch
        at = start
        while True:  # a page holding only erased cases' events is passed over, not taken for the end
            page = self.records.recorder.select_notifications(start=at, limit=self.batch_size)
            batch = decode(self.records, page)
            if batch or not page:
                break
            at = page[-1].id + 1
        if batch:  # "nothing yet" is only true for now
            with self._reading:
                if len(self._read) >= 4:
                    self._read.pop(next(iter(self._read)))
                self._read[start] = batch
        return batch

    def rebuild(self, name: str, progress: Progress | None = None) -> int:
        model = self.model(name)
        self.documents.reset(model.name)
        return self._catch_up(model, progress)

    def model(self, name: str) -> ReadModel:
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(f"no read model {name!r}; read models: {', '.join(m.name for m in self.models)}")

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        """Keep the read models up to date until `stop` is set (the worker runs this in a thread):
        woken by the store's notifications on PostgreSQL (eventstore/changes.py), every `interval`
        seconds on SQLite."""
        listener = log_changes(self.records)
        while not stop.is_set():
            mark = listener.mark() if listener else 0
            try:
                self.catch_up()
            except Exception:  # keep following; the next pass retries from the saved position
                log.exception("projection pass failed")
            if listener is None:
                stop.wait(interval)
            else:
                listener.wait(mark, SAFETY, stop)


def as_at(records: SafeguardingRecords, models: Sequence[ReadModel], instant: datetime,
          batch_size: int = 5000) -> MemoryDocuments:
    """The read models as they stood at `instant`: folded in memory from events up to then."""
    documents = MemoryDocuments()
    start = 1
    while True:
        batch = records.recorder.select_notifications(start=start, limit=batch_size)
        if not batch:
            return documents
        events = [e for e in decode(records, batch) if e.at <= instant]
        for model in models:
            fold(model, documents, events, None)
        start = batch[-1].id + 1
