"""The decider and the workflows stay deterministic by construction, checked from their source:
the domain imports nothing that does I/O or knows Temporal or the store, and neither it nor the
workflow code reads the wall clock or chance. (Tests also run every workflow in Temporal's
sandbox, which refuses such calls at run time; this check covers what no test happens to run.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parent.parent
# what the domain may import beyond itself: the standard library's pure parts and its data libraries
DOMAIN_MAY_IMPORT = {"__future__", "bisect", "calendar", "collections", "dataclasses", "datetime", "difflib", "fractions",
                     "functools", "hashlib", "hmac", "holidays", "json", "pydantic", "re", "typing", "zoneinfo", "domain"}
CLOCK_OR_CHANCE = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
                   ("time", "time"), ("time", "monotonic"), ("time", "perf_counter"), ("uuid", "uuid4")}


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def clock_or_chance(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            if (node.func.value.id, node.func.attr) in CLOCK_OR_CHANCE:
                found.append(f"line {node.lineno}: {node.func.value.id}.{node.func.attr}()")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"line {node.lineno}: import {m}" for m in mods if m.split(".")[0] in ("random", "secrets")]
    return found


@pytest.mark.parametrize("path", sources("domain"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_does_no_io_and_knows_no_temporal_or_store(path):
    tree = ast.parse(path.read_text())
    assert imported(tree) <= DOMAIN_MAY_IMPORT, f"{path.name} imports {sorted(imported(tree) - DOMAIN_MAY_IMPORT)}"
    assert clock_or_chance(tree) == []


@pytest.mark.parametrize("path", [*sources("domain"), *sources("workflows")], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_wall_clock_or_chance_in_decisions_or_workflows(path):
    assert clock_or_chance(ast.parse(path.read_text())) == []
