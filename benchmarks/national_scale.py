"""Benchmark: read models at a national scale (issue 23). Fills a store with realistic case events
(`benchmarks/national_fill.py`), then rebuilds every read model from zero, together, as
`safeguard projections rebuild` does, and (with --per-model) each one alone. Prints figures and
adds them to a results file; --plot draws the rebuild time against the events in the log, with the
line through the measurements carried on to a national year (5x10^7 events).

    .venv/bin/python -m benchmarks.national_scale --events 1000000 --per-model [--postgres]
    .venv/bin/python -m benchmarks.national_scale --events 10000000
    .venv/bin/python -m benchmarks.national_scale --plot
    .venv/bin/python -m benchmarks.national_scale --board 10000 [--postgres]

Each figure is wall-clock time and the process's own CPU time: on a shared machine the first
depends on what else runs, the second much less (PostgreSQL's own work is in neither's CPU time).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from benchmarks.national_fill import fill
from bootstrap import open_records
from configuration.settings import Settings
from projections.parallel import rebuild_in_processes
from projections.registry import open_feed

RESULTS = Path("docs/benchmarks/national-scale.json")
PLOT = Path("docs/benchmarks/read-model-rebuild.png")
NATIONAL_YEAR = 5 * 10**7
GOAL_SECONDS = 30 * 60


@contextmanager
def store(postgres: bool, kept: Path | None = None) -> Iterator[Settings]:
    """A new, empty store: a SQLite file in a temporary folder, or a new PostgreSQL database
    (SAFEGUARD_TEST_POSTGRES, as the tests use; dropped afterwards). With `kept` (SQLite only), the
    store in that folder, kept afterwards: filled once, rebuilt as often as wanted."""
    if kept is not None and not postgres:
        kept.mkdir(parents=True, exist_ok=True)
        yield Settings(data_dir=kept)
        return
    with tempfile.TemporaryDirectory(prefix="safeguard-scale-") as tmp:
        if not postgres:
            yield Settings(data_dir=Path(tmp))
            return
        import os

        import psycopg

        host, port = os.environ["SAFEGUARD_TEST_POSTGRES"].split(":")
        name = f"safeguard_scale_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres", autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        try:
            yield Settings(data_dir=Path(tmp), event_store="postgres", postgres_host=host, postgres_port=int(port),
                           postgres_user="postgres", postgres_dbname=name)
        finally:
            with psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres", autocommit=True) as c:
                c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def timed(work: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def load() -> float:
    return round(float(Path("/proc/loadavg").read_text().split()[0]), 2)


def measure(events: int, postgres: bool, per_model: bool, processes: int = 1, kept: Path | None = None) -> dict[str, Any]:
    with store(postgres, kept) as settings:
        records = open_records(settings)
        fill_wall = None
        if written := records.recorder.max_notification_id() or 0:  # a kept store, filled before
            cases = first_events(records)
        else:
            (cases, written), fill_wall, _ = timed(lambda: fill(records, events))
            print(f"fill: {cases:,} cases, {written:,} events in {fill_wall:.0f}s ({written / fill_wall:,.0f} events/s)")
        feed = open_feed(records)
        result: dict[str, Any] = {
            "store": "postgres" if postgres else "sqlite", "events": written, "cases": cases,
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "load_before": load(), "models": len(feed.models)}
        if fill_wall is not None:
            result["fill_wall"] = round(fill_wall)
        if postgres:
            import psycopg

            result["psycopg"] = psycopg.pq.__impl__  # "binary" (the compiled build) or "python"
        _, wall, cpu = timed(lambda: feed.rebuild())
        result.update(all_wall=round(wall, 1), all_cpu=round(cpu, 1), load_after=load())
        print(f"rebuild of all {len(feed.models)} read models together: {wall:.1f}s wall ({written / wall:,.0f} events/s), "
              f"{cpu:.1f}s CPU; load {result['load_before']} -> {result['load_after']}")
        if processes > 1:
            names = [m.name for m in feed.models]
            _, wall, _ = timed(lambda: rebuild_in_processes(open_records, settings, names, processes))
            result[f"all_wall_{processes}_processes"] = round(wall, 1)
            print(f"rebuild of all in {processes} processes: {wall:.1f}s wall ({written / wall:,.0f} events/s); load {load()}")
        _, wall, _ = timed(lambda: open_feed(records).catch_up())  # a restart: open the read models, nothing new
        result["restart_wall"] = round(wall, 2)
        print(f"a restart with nothing new: {wall:.2f}s to open the read models and find them current")
        if per_model:
            result["per_model"] = {}
            for model in feed.models:
                _, wall, cpu = timed(lambda: feed.rebuild(model.name))
                result["per_model"][model.name] = {"wall": round(wall, 2), "cpu": round(cpu, 2)}
                print(f"  {model.name} alone: {wall:.1f}s ({written / wall:,.0f} events/s wall, "
                      f"{written / cpu:,.0f} per CPU second)")
        records.close()
    return result


def first_events(records: Any) -> int:
    """The streams in a SQLite store (a case's first event): the cases a kept store was filled with."""
    recorder = records.recorder
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(f"SELECT count(*) FROM {recorder.events_table_name} WHERE originator_version = 1")
        return int(c.fetchone()[0])


def board(live: int, postgres: bool, queries: int = 200, landed: int = 50) -> dict[str, Any]:
    """The dashboard query over `live` live cases, at instants a second apart: with nothing landed
    between queries, and with a case raised (and `live_cases` caught up) before each query."""
    import random
    import statistics

    from benchmarks.projections import case_facts
    from projections.dashboard import LiveCases, dashboard

    def spread(xs: list[float]) -> dict[str, float]:
        return {"median_ms": round(statistics.median(xs) * 1000, 1),
                "p99_ms": round(statistics.quantiles(xs, n=100, method="inclusive")[98] * 1000, 1)}

    with store(postgres) as settings:
        records = open_records(settings)
        cases, written = fill(records, live * 14, live=1.0)  # a live case holds about 14 events
        feed = open_feed(records)
        feed.catch_up(only=LiveCases.name)
        now = datetime(2026, 7, 1, 12, tzinfo=timezone.utc)
        result: dict[str, Any] = {"store": "postgres" if postgres else "sqlite", "board_live": cases, "load_before": load()}
        for kind, count in (("quiet", queries), ("landed", landed)):
            wall, cpu = [], []
            for i in range(count):
                if kind == "landed":
                    records.record(f"LANDED-{i}", 1, case_facts(10**6 + i, random.Random(i), now, 1.0))
                    feed.catch_up(only=LiveCases.name)
                view, w, c = timed(lambda: dashboard(feed.documents, now + timedelta(seconds=i), settings.calendar))
                wall.append(w)
                cpu.append(c)
            result[kind] = {"wall": spread(wall), "cpu": spread(cpu)}
            print(f"dashboard, {len(view['live_cases']):,} live cases, {len(view['deadlines']):,} deadlines, {kind}: "
                  f"wall {result[kind]['wall']}, CPU {result[kind]['cpu']}")
        result["load_after"] = load()
        records.close()
    return result


def save(result: dict[str, Any]) -> None:
    runs = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps([*runs, result], indent=1) + "\n")
    RESULTS.chmod(0o644)


def plot() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [r for r in json.loads(RESULTS.read_text()) if "events" in r]
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=110)
    for name, colour in (("sqlite", "tab:blue"), ("postgres", "tab:orange")):
        label = "SQLite" if name == "sqlite" else "PostgreSQL"
        for key, mark, how in (("all_wall", "o", "wall clock"), ("all_cpu", "x", "CPU time of the process")):
            mine = [r for r in runs if r["store"] == name]
            if not mine:
                continue
            xs, ys = [r["events"] for r in mine], [r[key] for r in mine]
            newest = max(mine, key=lambda r: (r["events"], r.get("at", "")))  # the code as it is now, at its largest
            rate = newest["events"] / newest[key]  # events per second, carried on in a straight line
            ax.plot(xs, ys, mark, color=colour, label=f"{label}, {how}")
            ax.plot([min(xs), NATIONAL_YEAR], [min(xs) / rate, NATIONAL_YEAR / rate], "--" if mark == "o" else ":",
                    color=colour, label=f"  carried on at {rate:,.0f}/s: {NATIONAL_YEAR / rate / 60:,.0f} min for 5x10^7")
    two = [(r["events"], r["all_wall_2_processes"]) for r in runs if "all_wall_2_processes" in r]
    if two:
        ax.plot([x for x, _ in two], [y for _, y in two], "*", color="tab:green", markersize=10,
                label="SQLite, wall clock, two processes (--processes 2)")
    ax.axhline(GOAL_SECONDS, color="tab:red", linewidth=1, label="goal: 30 minutes")
    ax.axvline(NATIONAL_YEAR, color="grey", linewidth=1, linestyle=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("events in the log")
    ax.set_ylabel("seconds to rebuild every read model")
    ax.set_title("Every read model rebuilt together (2 shared cores, load 1-15); lines: the newest run at the most events",
                 fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(PLOT)
    print(f"plotted {len(runs)} runs into {PLOT}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, help="fill a new store with at least this many events, then rebuild")
    ap.add_argument("--postgres", action="store_true", help="on a new database of SAFEGUARD_TEST_POSTGRES's server")
    ap.add_argument("--processes", type=int, default=1, help="also rebuild every model in this many processes")
    ap.add_argument("--per-model", action="store_true", help="also rebuild each read model alone")
    ap.add_argument("--store", type=Path, metavar="DIR", help="SQLite: fill a store kept in DIR (or use the one there)")
    ap.add_argument("--no-save", action="store_true", help=f"print only, do not add to {RESULTS}")
    ap.add_argument("--board", type=int, metavar="LIVE", help="time the dashboard query over this many live cases")
    ap.add_argument("--plot", action="store_true", help=f"draw {PLOT} from {RESULTS}")
    args = ap.parse_args()
    if args.events:
        result = measure(args.events, args.postgres, args.per_model, args.processes, args.store)
        if not args.no_save:
            save(result)
    if args.board:
        result = board(args.board, args.postgres)
        if not args.no_save:
            save(result)
    if args.plot:
        plot()


if __name__ == "__main__":
    main()
