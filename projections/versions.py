"""Which code folded each read model's documents: a deploy rebuilds the models whose code changed,
and only those.

Each model has a fingerprint of its code (`fingerprint`): a hash of its module's source, of the
`projections` modules that module imports (and theirs), of any other module it names in
`folds_with` (where its fold lives outside `projections/`, as a decider's `evolve` does), and of
its `version`. A change to how a model folds that lies anywhere else (a pathway's field names it
reads, say) is marked by raising its `version`.

The fingerprint the documents were folded by is kept beside them, in a view of its own (`VIEWS`,
one document per model). When a feed opens the documents (`check`), a model whose fingerprint
differs is reset, so the feed folds it again from the start of the log; a model whose code did not
change carries on from its saved position, however long the process was stopped. A store folded
before fingerprints were kept takes the current ones as they are.

Run one version of Safeguard at a time against a store: two versions' processes would each reset
the other's models.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
from typing import Any, Sequence

import structlog

from projections.documents import Documents

# how every model is fed, read and saved, not what it folds: not part of any model's fingerprint
MACHINERY = {"projections.documents", "projections.document_stores", "projections.feed", "projections.folding",
             "projections.reading", "projections.versions"}
VIEWS = "~read_model_code"  # the view holding each model's fingerprint, keyed by the model's name
log = structlog.get_logger("safeguard.projections")


def _imported(module: str) -> set[str]:
    """The `projections` modules a module imports, and theirs (bar the feed's machinery)."""
    found, todo = set(), [module]
    while todo:
        tree = ast.parse(inspect.getsource(importlib.import_module(todo.pop())))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("projections.") and node.level == 0:
                # imported here if this process has not yet (a lazy import): every process, whatever
                # it has imported, must give a model the same fingerprint, or each resets the other's
                if node.module not in found and node.module not in MACHINERY:
                    found.add(node.module)
                    todo.append(node.module)
    return found


def fingerprint(model: Any) -> str:
    own = type(model).__module__
    modules = sorted({own, *_imported(own), *getattr(model, "folds_with", ())})
    h = hashlib.sha256(f"{model.name}\n{getattr(model, 'version', 1)}\n".encode())
    for name in modules:
        h.update(f"{name}\n".encode())
        h.update(inspect.getsource(importlib.import_module(name)).encode())
    return h.hexdigest()[:20]


def check(documents: Documents, models: Sequence[Any]) -> list[str]:
    """Reset each model whose fingerprint differs from the one its documents were folded by (once
    per model for a store's documents in a process); returns the names of the models reset."""
    done = documents.__dict__.setdefault("_code_checked", set())
    todo = [m for m in models if m.name not in done]
    if not todo:
        return []
    kept = documents.read(VIEWS, [m.name for m in todo])
    reset, changes = [], {}
    for m in todo:
        now = fingerprint(m)
        was = (kept.get(m.name) or {}).get("fingerprint")
        if was != now:
            if was is not None:  # (None: a new model, or a store from before fingerprints, kept as it is)
                log.info("read model code changed: rebuilding it from zero", read_model=m.name)
                documents.reset(m.name)
                reset.append(m.name)
            changes[m.name] = {"fingerprint": now}
        done.add(m.name)
    if changes:
        documents.write(VIEWS, changes, None)
    return reset
