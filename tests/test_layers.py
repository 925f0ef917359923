"""The layers are checked, not hoped for: import-linter's contracts in pyproject.toml (the faces
above casework/, above the workflows, ... above the domain; the domain free of I/O libraries; the
web never importing the CLI), and the two single modules import-linter cannot name: the composition
root imports no face, the worker no face either."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[1]
FACES = ("cli", "web")


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("module", ["bootstrap.py", "worker.py"])
def test_the_composition_root_and_the_worker_import_no_face(module):
    assert not imported(ROOT / module) & set(FACES), f"{module} imports {imported(ROOT / module) & set(FACES)}"


def test_no_web_module_is_over_250_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "web").rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 250}
    assert not long, long
