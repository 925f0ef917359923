"""A small mutation check: deliberate one-line faults in the rules that matter, each run against
the tests that should notice it. Prints which were caught (killed) and the kill rate; asserts
nothing. A mutant the tests survive is a rule no test really checks.

    .venv/bin/python -m benchmarks.mutants [--only NAME]

The project is copied to a temporary directory once; each mutant is applied there, its tests
run with this virtualenv's Python (the copy's modules come first on the path), and the file is
put back. A mutant whose text is no longer in its file is reported as stale, never as killed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


DECIDER = ("tests/test_decider.py", "tests/test_decider_properties.py")
MUTANTS = (
    # the pathway's triggers (001 example 1 step 4, example 2 steps 3-4, example 3 step 4)
    Mutant("urgent escalation needs 3 indicators", "domain/pathway.py",
           "when=count_true(tuple(f.name for f in HIGH_RISK_INDICATORS), 2)",
           "when=count_true(tuple(f.name for f in HIGH_RISK_INDICATORS), 3)", DECIDER),
    Mutant("repeated targeting never escalates", "domain/pathway.py",
           "when=is_(SOURCE_TARGETED_OTHERS_BEFORE.name)", 'when=is_("never_recorded")', DECIDER),
    Mutant("wider exposure never escalates", "domain/pathway.py",
           "when=is_(MORE_THAN_ONE_ADULT_AFFECTED.name)", 'when=is_("never_recorded")', DECIDER),
    Mutant("open risk at oversight never escalates", "domain/pathway.py",
           "when=any_(*(is_(f.name) for f in OVERSIGHT_RISK_FLAGS))", 'when=is_("never_recorded")', DECIDER),
    # the decider's clock and ladder
    Mutant("a missed deadline recorded again", "domain/case/decide.py",
           "if o.due and not o.missed and o.due <= now:", "if o.due and o.due <= now:", DECIDER),
    Mutant("escalation does not climb", "domain/case/decide.py",
           "to_role = pathway.role_above(from_role)", "to_role = pathway.role_above(o.role)", DECIDER),
    Mutant("done exactly at the deadline is late", "domain/case/decide.py",
           "on_time=None if occ.due is None else now <= occ.due", "on_time=None if occ.due is None else now < occ.due",
           ("tests/test_pathway_to_closure.py", "tests/test_missed_deadlines.py", *DECIDER)),
    Mutant("reportable decision no longer opens the referral", "domain/case/decide.py",
           "and not route.record.get(t.decision_field)):", "and route.record.get(t.decision_field)):", DECIDER),
    # commissioner pattern windows (004 line 117)
    Mutant("same-source window 30 to 120 days", "domain/commissioning.py",
           'instant="raised", at_least=2, within_days=30, same="alleged_source"',
           'instant="raised", at_least=2, within_days=120, same="alleged_source"', ("tests/test_pattern_windows.py",)),
    Mutant("frequent concerns window 90 to 365 days", "domain/commissioning.py",
           'instant="raised", at_least=3, within_days=90,', 'instant="raised", at_least=3, within_days=365,',
           ("tests/test_pattern_windows.py",)),
    Mutant("substantiated window 180 to 365 days", "domain/commissioning.py",
           'instant="closed", at_least=2, within_days=180,', 'instant="closed", at_least=2, within_days=365,',
           ("tests/test_pattern_windows.py",)),
    # record values
    Mutant("percent above 100 accepted", "domain/values.py", "0 <= value <= 100", "0 <= value <= 1000",
           ("tests/test_values.py",)),
    Mutant("instants without a UTC offset accepted", "domain/values.py",
           "if parsed is None or parsed.tzinfo is None:", "if parsed is None:", ("tests/test_values.py",)),
    # working time
    Mutant("working time left goes negative after closing", "domain/deadlines.py",
           "total += max(timedelta(), min(closes, end) - max(opens, start))", "total += min(closes, end) - max(opens, start)",
           ("tests/test_deadlines.py",)),
    # the store and the read models
    Mutant("an append no longer checks for a gap", "eventstore/application.py",
           "if first_seq > 1 and not self.recorder.select_events(", "if False and not self.recorder.select_events(",
           ("tests/test_idempotent_recording.py",)),
    Mutant("an empty read is kept", "projections/feed.py", "        if batch:  # \"nothing yet\" is only true for now",
           "        if True:", ("tests/test_projections.py",)),
    # the command
    Mutant("threshold commands unmounted", "cli/main.py", 'app.add_typer(threshold.app, name="threshold")', "",
           ("tests/test_threshold_cli.py",)),
)


def copy_project(to: Path) -> None:
    skip = {".venv", ".git", "__pycache__", ".hypothesis", ".safeguard", ".pytest_cache"}
    with tempfile.TemporaryFile() as buffer:
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            tar.add(ROOT, arcname=".", filter=lambda info: None if set(Path(info.name).parts) & skip else info)
        buffer.seek(0)
        with tarfile.open(fileobj=buffer) as tar:
            tar.extractall(to, filter="data")


def run(m: Mutant, copy: Path) -> str:
    path = copy / m.file
    original = path.read_text()
    if original.count(m.old) != 1:
        return "stale"
    path.write_text(original.replace(m.old, m.new))
    try:
        result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--timeout", "120",
                                 *m.tests], cwd=copy, capture_output=True, text=True)
        return "survived" if result.returncode == 0 else "killed"
    finally:
        path.write_text(original)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="run the mutants whose name contains this")
    args = ap.parse_args()
    chosen = [m for m in MUTANTS if not args.only or args.only in m.name]
    with tempfile.TemporaryDirectory(prefix="safeguard-mutants-") as tmp:
        copy = Path(tmp)
        copy_project(copy)
        results = []
        for m in chosen:
            t0 = time.perf_counter()
            outcome = run(m, copy)
            results.append(outcome)
            print(f"{outcome:8s} {time.perf_counter() - t0:5.1f}s  {m.name}  ({m.file})", flush=True)
    killed, stale = results.count("killed"), results.count("stale")
    live = len(results) - stale
    print(f"\nkilled {killed} of {live} mutants ({100 * killed / max(live, 1):.0f} %)" + (f"; {stale} stale" if stale else ""))


if __name__ == "__main__":
    main()
