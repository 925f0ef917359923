"""Rebuilding every read model in several processes at once: the models shared out between them,
each process reading the log for its own models (`safeguard projections rebuild --processes 2`).

One process folds every model in one pass, and uses one core. The models cost unlike amounts to
fold (`COST`: CPU microseconds per event measured at 10^6 events, decoding apart), so they are
dealt out, dearest first, each to the process with the least so far. Each process decodes the
events its own models read. Each saves its models with their positions as one process would; two
processes never fold the same model, so they never refuse each other's saves.

On SQLite the processes share the database's one writer. Emptying a model's documents holds it
for seconds at 10^7 events (190,000 documents), so the models are all emptied first, one after
another, and each process then folds from zero; and a process waits longer than a request would
for the other's saves (`WRITER_WAIT`). Before this, a process emptying its models while the other
emptied theirs waited past the usual 10 seconds and failed the rebuild, minutes later.
"""

from __future__ import annotations

import multiprocessing
from typing import Any, Callable

# CPU microseconds per event to fold each model, beyond decoding (docs/benchmarks.md, 10^6 events)
COST = {"live_cases": 23, "governance_facts": 20, "case_list": 17, "commissioner_records": 8, "sac_cases": 5,
        "concern_index": 1, "governance_audits": 1, "provider_processes": 1, "services": 1}


def shares(names: list[str], processes: int) -> list[list[str]]:
    """The models dealt out between `processes`: dearest first, each to the least loaded."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(processes, len(names))))]
    loads = [0] * len(groups)
    for name in sorted(names, key=lambda n: -COST.get(n, 10)):
        i = loads.index(min(loads))
        groups[i].append(name)
        loads[i] += COST.get(name, 10)
    return [g for g in groups if g]


WRITER_WAIT = 600  # seconds a process waits for SQLite's writer: the other's saves, however large


def _rebuild(open_records: Callable[[Any], Any], settings: Any, names: list[str]) -> int:
    """In a process: fold `names`, emptied already, from zero."""
    from projections.feed import ProjectionFeed
    from projections.registry import open_documents, read_models

    records = open_records(settings.model_copy(update={"sqlite_lock_timeout": WRITER_WAIT}))
    try:
        feed = ProjectionFeed(records, open_documents(records), [m for m in read_models() if m.name in names])
        return feed.rebuild(reset=False)
    finally:
        records.close()


def _empty(open_records: Callable[[Any], Any], settings: Any, names: list[str]) -> None:
    """Every model's documents emptied, one after another, before any process folds."""
    from projections.registry import open_documents

    records = open_records(settings)
    try:
        documents = open_documents(records)
        for name in names:
            documents.reset(name)
    finally:
        records.close()


def rebuild_in_processes(open_records: Callable[[Any], Any], settings: Any, names: list[str],
                         processes: int) -> list[tuple[list[str], int]]:
    """Rebuild `names` from zero in `processes` processes at once, each opening the store with
    `open_records(settings)` (a module-level function: it is sent to each process); each group of
    models with the events its process passed. A process that fails fails the whole (its models
    resume from their last checkpoints at the next start)."""
    groups = shares(names, processes)
    _empty(open_records, settings, names)
    if len(groups) == 1:
        return [(groups[0], _rebuild(open_records, settings, groups[0]))]
    with multiprocessing.get_context("spawn").Pool(len(groups)) as pool:
        done = pool.starmap(_rebuild, [(open_records, settings, g) for g in groups])
    return list(zip(groups, done))
