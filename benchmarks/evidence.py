"""Benchmark: evidence for inspection. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.evidence [--cases 10000] [--appends 2000] [--pack-events 300]

- verify: the whole store (10,000 cases written as the workflow records them, benchmarks/projections.py),
  events/s; and the checkpoint of every head (the genesis, the costliest one);
- pack: a case of 300 events, built from the store and written as JSON, HTML and PDF (wall and CPU
  time: on a shared machine the CPU time is the steadier figure);
- append: the live path's append (`SafeguardingRecords.record`, a case's facts one small batch at
  a time, as the workflow appends them) with the hash chain and encryption at rest (the default),
  with the chain only, and with neither, in one run, interleaved.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from eventsourcing.persistence import EventStore
from pypdf import PdfReader

from benchmarks.projections import case_facts
from bootstrap import open_records
from configuration.settings import Settings
from domain.facts import DevelopmentRecorded
from eventstore.application import SafeguardingRecords
from evidence.pack import build_pack
from evidence.render import write_pack
from evidence.store import take_checkpoint
from evidence.verify import verify
from projections.registry import open_documents


class PlainRecords(SafeguardingRecords):
    """The store without the hash chain: what appends cost before it."""

    def construct_event_store(self) -> EventStore:
        return EventStore(mapper=self.mapper, recorder=self.recorder)


def _fill(records: SafeguardingRecords, cases: int) -> int:
    rng, start, events = random.Random(2026), datetime(2026, 1, 5, 9, tzinfo=timezone.utc), 0
    t0 = time.perf_counter()
    for i in range(cases):
        facts = case_facts(i, rng, start)
        records.record(f"BENCH-{i:06d}", 1, facts)
        events += len(facts)
    print(f"fill: {cases:,} cases, {events:,} events in {time.perf_counter() - t0:.1f} s")
    return events


def bench_verify(settings: Settings, cases: int) -> None:
    records = open_records(settings)
    _fill(records, cases)
    documents = open_documents(records)
    t0 = time.perf_counter()
    result = verify(records, documents)
    secs = time.perf_counter() - t0
    print(f"verify (chains only): {result.events:,} events of {result.cases:,} cases in {secs:.2f} s "
          f"= {result.events / secs:,.0f} events/s; intact={result.intact}")
    t0 = time.perf_counter()
    cp = take_checkpoint(records, documents)
    print(f"checkpoint (genesis, every stream checked): {len(cp['streams']):,} heads in {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    result = verify(records, documents)
    secs = time.perf_counter() - t0
    print(f"verify (chains and checkpoint): {result.events:,} events in {secs:.2f} s = {result.events / secs:,.0f} events/s; "
          f"intact={result.intact}")


def bench_pack(settings: Settings, events: int = 300) -> None:
    from tests.conftest import concern
    from tests.pure_case import PureCase

    records = open_records(settings)
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="BENCH-PACK"))
    case.at("2027-01-12T09:40:00+00:00")
    case.complete("record_concern")
    while len(case.facts) < events:
        case.development("agency_contact", f"call {len(case.facts)} with the hub")
    records.record("BENCH-PACK", 1, case.facts)
    documents = open_documents(records)
    with tempfile.TemporaryDirectory() as out:
        timings = []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            pack = build_pack(records, documents, "BENCH-PACK", "bench", datetime.now(timezone.utc))
            built = time.perf_counter() - t0
            write_pack(pack, Path(out))
            timings.append((built, time.perf_counter() - t0, time.process_time() - c0))
        pdf = Path(out) / "BENCH-PACK.pdf"
        pages, size = len(PdfReader(pdf).pages), pdf.stat().st_size
    built, total, cpu = min(timings, key=lambda t: t[1])
    print(f"pack: a {len(case.facts)}-event case: built in {built * 1000:.0f} ms, with JSON, HTML and PDF written "
          f"in {total:.2f} s, {cpu:.2f} s of CPU (best of 3; PDF {pages} pages, {size // 1024} KB)")


def bench_append(settings_for, appends: int) -> None:
    stores = {"encrypted": open_records(settings_for("encrypted")),
              "chained": open_records(settings_for("chained").model_copy(update={"encrypt_at_rest": False})),
              "plain": PlainRecords(env=settings_for("plain").event_store_env())}
    base = case_facts(0, random.Random(1), datetime(2026, 1, 5, 9, tzinfo=timezone.utc))[0]
    timings: dict[str, list[float]] = {k: [] for k in stores}
    for name, records in stores.items():  # one case each, then small batches appended to it
        records.record("APPEND-1", 1, [base])
    at = base.at
    for n in range(appends):
        for name, records in (list(stores.items()) if n % 2 else list(reversed(stores.items()))):
            fact = DevelopmentRecorded(at=at + timedelta(seconds=n), development=n + 1, kind="agency_contact",
                                       summary="LA hub called back about the plan agreed at the meeting")
            t0 = time.perf_counter()
            records.record("APPEND-1", n + 2, [fact])
            timings[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in timings.items()}
    print(f"append ({appends:,} one-fact appends to one case, interleaved, medians): chained and encrypted "
          f"{med['encrypted'] * 1e6:.0f} us ({med['encrypted'] / med['plain']:.2f}x plain), chained "
          f"{med['chained'] * 1e6:.0f} us ({med['chained'] / med['plain']:.2f}x), plain {med['plain'] * 1e6:.0f} us")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--appends", type=int, default=2_000)
    ap.add_argument("--pack-events", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="safeguard-evidence-bench-") as tmp:
        root = Path(tmp)
        bench_append(lambda name: Settings(data_dir=root / f"append-{name}"), args.appends)
        bench_pack(Settings(data_dir=root / "pack"), args.pack_events)
        bench_verify(Settings(data_dir=root / "verify"), args.cases)


if __name__ == "__main__":
    main()
