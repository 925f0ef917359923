"""Benchmark: rewrapping every key under a new master-key version (`safeguard keys rotate`,
operations/keys.py), on SQLite and on PostgreSQL. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.key_rotation --keys 200000 [--batch 500] [--postgres]

The keys are written straight into the key store, wrapped under version 1, then rotated to
version 2. With --postgres, a database of its own is made on SAFEGUARD_TEST_POSTGRES (as the test
suite's, `eval "$(./scripts/postgres)"`) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eventstore.keys import KeyRows, KeyStore
from eventstore.keys_sqlite import SqliteKeys
from eventstore.master_keys import MasterKeys
from operations.keys import rotate


def run(rows: KeyRows, keys: int, batch: int) -> None:
    one, two = os.urandom(32), os.urandom(32)
    before = MasterKeys({1: one}, 1, {1: "benchmark"})
    started = time.monotonic()
    for i in range(0, keys, 10_000):
        streams = [uuid.uuid4() for _ in range(min(10_000, keys - i))]
        rows.put([(s, *before.wrap(s, AESGCM.generate_key(256)), None) for s in streams])
    print(f"{rows.kind}: {keys:,} keys written in {time.monotonic() - started:.1f} s")
    done = rotate(KeyStore(rows, MasterKeys({2: two, 1: one}, 2, {1: "benchmark", 2: "benchmark"})), batch)
    print(f"{rows.kind}: {done.rewrapped:,} keys rewrapped in {done.seconds:.1f} s: {done.rate():,.0f} keys/s "
          f"(batches of {batch})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--postgres", action="store_true", help="on SAFEGUARD_TEST_POSTGRES rather than a temporary SQLite file")
    args = ap.parse_args()
    if not args.postgres:
        with tempfile.TemporaryDirectory() as tmp:
            rows = SqliteKeys(Path(tmp) / "keys.sqlite")
            run(rows, args.keys, args.batch)
            rows.close()
        return
    import psycopg

    from eventstore.keys_postgres import PostgresKeys

    host, port = os.environ["SAFEGUARD_TEST_POSTGRES"].split(":")
    server = {"host": host, "port": int(port), "user": "postgres", "password": None}
    name = f"keys_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    try:
        rows = PostgresKeys({**server, "dbname": name}, "safeguard_keys")
        run(rows, args.keys, args.batch)
        rows.close()
    finally:
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as db:
            db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
