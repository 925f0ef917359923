"""Feeds read models from the event store's notification log.

Each read model keeps its own position. A batch of notifications is folded into the model's
documents and written with the new position in one transaction (`projections/documents.py`),
so a restart resumes where it stopped and a rebuild from zero gives the same documents. The
feed reads the notification log, which both SQLite and PostgreSQL serve, so one read model
class serves both databases; it polls SQLite's, and PostgreSQL's notifications wake it.
"""

from __future__ import annotations

import copy
import gc
import threading
import time
from contextlib import ExitStack, contextmanager, nullcontext
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator, Sequence

import structlog
from eventsourcing.persistence import IntegrityError, Tracking

from domain.facts import Fact
from eventstore.application import SafeguardingRecords
from eventstore.changes import SAFETY, log_changes, paced
from eventstore.keys import Erased
from eventstore.events import Recorded
from projections.documents import Doc, Documents, Following, MemoryDocuments
from projections import versions
from projections.folding import KEPT, KEPT_LIVE, Working
from projections.reading import Log
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

    def reads(self, event: Recorded) -> bool:  # the feed asks it of the fact's class once (`ProjectionFeed._readers`)
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
    model is caught up by one of them at a time, so each event is folded once.

    Models at the same position move through the log together (a rebuild of them all, or the
    usual pass over what landed since the last): each page of the log is read once, and each event
    decoded once for all of them, only if one of them reads its type (`projections/reading.py`).
    Each model folds into its documents held in memory and saves them with its position at
    checkpoints (`projections/folding.py`)."""

    def __init__(self, records: SafeguardingRecords, documents: Documents, models: Sequence[ReadModel],
                 batch_size: int = 5000, live_below: int = 20_000) -> None:
        self.records, self.documents, self.models, self.batch_size = records, documents, list(models), batch_size
        self.live_below = live_below  # a pass with fewer events than this saves after every batch
        for model in self.models:  # a listing model's rows are written with its documents (projections/rows.py)
            if isinstance(model, Tabled):
                documents.attach(model)
        self.rebuilt = versions.check(documents, self.models)  # the models whose code changed: from zero
        self._folding = {m.name: threading.Lock() for m in self.models}
        self._working = {m.name: Working(m, documents) for m in self.models}
        for name in self.rebuilt:
            self._working[name].reset()
        self.log = Log(records)

    def last_position(self) -> int:
        return self.log.last()

    def catch_up(self, progress: Progress | None = None, only: str | None = None) -> int:
        """Bring every read model (or one) up to the end of the log; returns events passed, summed over models."""
        models = [m for m in self.models if only in (None, m.name)]
        last = self.last_position()
        far = {m.name for m in models if last - self.documents.position(m.name) >= self.live_below}
        done = 0
        # the models near the end first, then those far behind (a model rebuilt after a deploy): a long
        # pass holds only its own models, so an activity needing another one current never waits on it
        for group in ([m for m in models if m.name not in far], [m for m in models if m.name in far]):
            with ExitStack() as held:
                for m in sorted(group, key=lambda m: m.name):  # always in one order: no two passes wait on each other
                    held.enter_context(self._folding[m.name])
                done += self._pass([self._working[m.name] for m in group], progress)
        return done

    def _pass(self, working: list[Working], progress: Progress | None) -> int:
        last = self.last_position()
        for w in working:
            w.begin(self.documents.position(w.name))
        live = max((last - w.position for w in working), default=0) < self.live_below
        done = 0
        with nullcontext() if live else collection_paused():
            while moving := [w for w in working if w.position < last]:
                at = min(w.position for w in moving)
                group = [w for w in moving if w.position == at]
                readers = self._readers(group)
                rows = self.log.page(at, last, self.batch_size, wanted=lambda cls: bool(readers(cls)))
                upto = rows[-1].position if len(rows) == self.batch_size else last
                shares: dict[str, list[Recorded]] = {w.name: [] for w in group}
                adders: dict[type, list[Callable[[Recorded], None]]] = {}  # a class of fact -> its readers' appends
                for e in self.log.decode(rows, lambda cls: bool(readers(cls))):
                    if (add := adders.get(type(e.fact))) is None:
                        add = adders[type(e.fact)] = [shares[name].append for name in readers(type(e.fact))]
                    for a in add:
                        a(e)
                for w in group:
                    try:
                        w.fold(shares[w.name], upto)
                        if w.due(live) or upto == last:
                            w.save(KEPT_LIVE if live else KEPT)
                    except IntegrityError:  # another process's feed saved it first: go on from there
                        w.forget()
                        w.begin(self.documents.position(w.name))
                        continue
                    except BaseException:  # a fold cut short, a save failed: the store is the truth
                        w.forget()
                        raise
                    done += upto - at
                    if progress:
                        progress(w.name, upto, last)
        return done

    @staticmethod
    def _readers(group: list[Working]) -> Callable[[type], tuple[str, ...]]:
        """Which of the group's models read a class of fact (`ReadModel.reads`), worked out once per class."""
        known: dict[type, tuple[str, ...]] = {}

        def readers(cls: type) -> tuple[str, ...]:
            if (found := known.get(cls)) is None:
                found = known[cls] = tuple(w.name for w in group if issubclass(cls, w.model.handles))
            return found
        return readers

    def rebuild(self, name: str | None = None, progress: Progress | None = None, reset: bool = True) -> int:
        """Rebuild one read model (or every one, together) from zero; returns events passed. With
        `reset` false, the store's documents were reset already (`projections/parallel.py`)."""
        names = [self.model(name).name] if name else [m.name for m in self.models]
        for n in names:
            with self._folding[n]:
                if reset:
                    self.documents.reset(n)
                self._working[n].reset()  # none to read: `begin` forgets this if the store moved on since
        return self.catch_up(progress, only=name)

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
            mark, started = (listener.mark() if listener else 0), time.monotonic()
            try:
                self.catch_up()
            except Exception:  # keep following; the next pass retries from the saved position
                log.exception("projection pass failed")
            if listener is None:
                stop.wait(interval)
            else:
                listener.wait(mark, SAFETY, stop)
                stop.wait(paced(started))  # while the log keeps growing, one pass at most every BUSY_GAP


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector paused for a long pass: it would walk every document held, again and
    again, for garbage the fold does not make (it makes no cycles)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


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
