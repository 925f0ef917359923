"""Benchmark several replicas on PostgreSQL (issue 23). Prints figures; asserts nothing.

    eval "$(./scripts/postgres)"
    .venv/bin/python -m benchmarks.replicas [--completions 30] [--processes 1,2,4] [--threads 8] [--seconds 5]

1. The board across replicas: two worker processes and two web replicas (`safeguard serve`) on one
   PostgreSQL database and a Temporal dev server (tests/replicas.py). A registered manager's board
   stream (GET /board/stream) is open on replica A; a case is raised and its first step completed
   through replica B's API, --completions times. The delay is from sending the completion to B until
   A's stream sends a board without the step, and from B's answer (negative: A's board changed
   before B had answered). PostgreSQL's notification of the append wakes A; SQLite would look every
   0.2 s (web/pages/live.py WATCH_EVERY).
2. The access log's append rate: --processes processes at once (each a replica), each with
   --threads threads writing access-log lines as the web app does (Accounts.audit), for --seconds,
   on one database: lines/s in all, a line's latency (p50, p95), and lines per append. Run as it is
   (lines grouped per process, appends at the stream's end taking turns across processes:
   eventstore/group_append.py, eventstore/end_turns.py) and, with --before, as it was (each line
   its own append, processes racing for the end).
"""

from __future__ import annotations

import argparse
import logging
import asyncio
import multiprocessing
import statistics
import tempfile
import threading
import time
import uuid
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import httpx

from configuration.settings import Settings

API = "/api/v1"
PASSWORD = "correct-horse-battery-9"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


# ---- 1. the board on A, a completion through B ----------------------------------------------------


class BoardStream:
    """A's board stream, read as it comes: each `board` event's arrival time and HTML."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str]] = []
        self.arrived = asyncio.Event()

    async def read(self, http: httpx.AsyncClient, url: str, cookie: str) -> None:
        async with http.stream("GET", url, headers={"Cookie": cookie, "Accept": "text/event-stream"}) as r:
            event, data = None, []
            async for line in r.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
                elif not line and data:
                    if event == "board":
                        self.events.append((time.monotonic(), "\n".join(data)))
                        self.arrived.set()
                    event, data = None, []

    async def first(self, since: float, test, within_s: float = 30) -> float:
        deadline = time.monotonic() + within_s
        while True:
            for at, html in self.events:
                if at >= since and test(html):
                    return at
            self.arrived.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the board on A did not change")
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except asyncio.TimeoutError:
                pass


async def board_delay(completions: int) -> None:
    from bootstrap import open_records
    from domain.access import Assignment
    from eventstore.accounts import Accounts
    from tests.api_support import concern_body
    from tests.cases import RECORDS
    from tests.replicas import replicas

    with tempfile.TemporaryDirectory(prefix="safeguard-replicas-") as tmp:
        async with replicas(Path(tmp)) as stack:
            records = open_records(stack.settings)
            accounts = Accounts(records)
            for user, role in (("SSW-1", "senior_support_worker"), ("RM-1", "registered_manager")):
                accounts.add_user(user, f"User {user}", PASSWORD, by="benchmark")
                accounts.grant(user, Assignment(role, "SVC-ELM"), by="benchmark")
            token = accounts.issue_token("SSW-1", "benchmark", None, timedelta(days=1), by="benchmark").secret
            a, b = stack.webs
            async with httpx.AsyncClient(timeout=60) as http:
                signed = await http.post(f"{a.base}{API}/session", json={"user_id": "RM-1", "password": PASSWORD})
                cookie = "; ".join(f"{k}={v}" for k, v in signed.cookies.items())
                board = BoardStream()
                reading = asyncio.create_task(board.read(http, f"{a.base}/board/stream", cookie))
                await board.first(0, lambda html: True)
                headers = {"Authorization": f"Bearer {token}"}
                from_sent, from_answer, answers, late = [], [], [], 0
                for n in range(completions + 3):  # the first three warm the processes up: not counted
                    body = concern_body("SVC-ELM", case_id=f"BENCH-{n:03d}-{uuid.uuid4().hex[:4]}")
                    case = body["case_id"]
                    row = f'data-case="{case}" data-step="record_concern"'
                    sent = time.monotonic()
                    r = await http.post(f"{b.base}{API}/cases", json=body, headers={**headers, "Idempotency-Key": case})
                    assert r.status_code == 201, r.text
                    await board.first(sent, lambda html: row in html)
                    sent = time.monotonic()
                    for _ in range(5):  # not answered in time (a loaded machine): sent again with its key, as staff would
                        r = await http.post(f"{b.base}{API}/cases/{case}/steps/record_concern/completions",
                                            json={"record": RECORDS["record_concern"]},
                                            headers={**headers, "Idempotency-Key": f"c-{case}"})
                        if r.status_code != 503:
                            break
                        late += 1
                    answered = time.monotonic()
                    assert r.status_code == 200, r.text
                    shown = await board.first(sent, lambda html: row not in html and f'data-case="{case}"' in html)
                    if n >= 3:
                        from_sent.append(shown - sent)
                        from_answer.append(shown - answered)
                        answers.append(answered - sent)
                reading.cancel()
            records.close()
    ms = lambda v: f"{v * 1000:.0f} ms"  # noqa: E731
    print(f"1. The board on replica A after a completion through replica B (PostgreSQL, NOTIFY), {completions} completions")
    print(f"   B's answer to the completion:    p50 {ms(statistics.median(answers))}, p95 {ms(pct(answers, 0.95))}"
          + (f" ({late} not answered within 8 s, sent again)" if late else ""))
    print(f"   A's board, from sending to B:    p50 {ms(statistics.median(from_sent))}, p95 {ms(pct(from_sent, 0.95))}, "
          f"max {ms(max(from_sent))}")
    print(f"   A's board, from B's answer:      p50 {ms(statistics.median(from_answer))}, p95 {ms(pct(from_answer, 0.95))}, "
          f"max {ms(max(from_answer))}")


# ---- 2. the access log, several processes appending at once ------------------------------------------


def _append_lines(settings_json: str, threads: int, seconds: float, before: bool, ready, go, out) -> None:
    """One process (a replica): `threads` threads writing access-log lines until `seconds` have passed."""
    import eventstore.application as application
    from bootstrap import open_records
    from eventstore.accounts import ACCESS_STREAM, Accounts
    from eventstore.group_append import group_append

    records = open_records(Settings.model_validate_json(settings_json))
    accounts = Accounts(records)
    if before:  # as before issue 23: each line its own append, processes racing for the stream's end
        application.end_turn = lambda records, stream: nullcontext()
        accounts._access = lambda lines: records.append(ACCESS_STREAM, lines)  # type: ignore[method-assign]
    accounts.audit("SSW-1", "read", "GET /api/v1/cases/{case_id}", True)  # connections made before the clock starts
    latencies: list[list[float]] = [[] for _ in range(threads)]
    ready.put(True)
    go.wait()
    end = time.monotonic() + seconds

    def write(mine: list[float]) -> None:
        while time.monotonic() < end:
            t = time.perf_counter()
            accounts.audit("SSW-1", "read", "GET /api/v1/cases/{case_id}", True, case_id="C-1", service="SVC-ELM",
                           address="10.0.0.7", channel="api")
            mine.append(time.perf_counter() - t)

    running = [threading.Thread(target=write, args=(mine,)) for mine in latencies]
    for t in running:
        t.start()
    for t in running:
        t.join()
    group = group_append(records, ACCESS_STREAM)
    out.put(([x for mine in latencies for x in mine], group.appends - 1 if not before else None))


def access_log_rate(process_counts: list[int], threads: int, seconds: float, before: bool) -> None:
    from bootstrap import open_records
    from tests.replicas import database

    print(f"2. The access log: lines appended by several processes at once, {threads} threads each, {seconds:.0f} s "
          f"({'as before: a line an append, racing' if before else 'grouped per process, turns across processes'})")
    spawn = multiprocessing.get_context("spawn")
    for processes in process_counts:
        with tempfile.TemporaryDirectory(prefix="safeguard-access-") as tmp, database() as db:
            settings = Settings(data_dir=Path(tmp), event_store="postgres", **db)  # type: ignore[arg-type]
            open_records(settings).close()  # tables and keys made once, before the processes race
            ready, go, out = spawn.Queue(), spawn.Event(), spawn.Queue()
            procs = [spawn.Process(target=_append_lines, args=(settings.model_dump_json(), threads, seconds, before,
                                                               ready, go, out)) for _ in range(processes)]
            for p in procs:
                p.start()
            for _ in procs:  # every process started and connected before the clock starts
                ready.get(timeout=120)
            go.set()
            results = [out.get(timeout=seconds + 120) for _ in procs]
            for p in procs:
                p.join()
        lines = [x for r, _ in results for x in r]
        appends = [a for _, a in results if a is not None]
        grouped = f", {len(lines) / sum(appends):.1f} lines an append" if appends and sum(appends) else ""
        print(f"   {processes} process{'es' if processes > 1 else ''}: {len(lines) / seconds:6.0f} lines/s, "
              f"a line p50 {statistics.median(lines) * 1000:.1f} ms, p95 {pct(lines, 0.95) * 1000:.1f} ms{grouped}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--completions", type=int, default=30)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--before", action="store_true", help="the access log as it was before issue 23, for comparison")
    parser.add_argument("--only", choices=["board", "access"])
    args = parser.parse_args()
    from configuration.logging import configure_logging

    configure_logging(level=logging.WARNING)
    if args.only != "access":
        asyncio.run(board_delay(args.completions))
    if args.only != "board":
        access_log_rate([int(n) for n in args.processes.split(",")], args.threads, args.seconds, args.before)


if __name__ == "__main__":
    main()
