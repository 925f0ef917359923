"""The access log under several writers (issue 23): lines from many threads of a process go in one
append together (eventstore/group_append.py), each caller answered once its own line is stored;
and on PostgreSQL, processes appending at one stream's end take turns (eventstore/end_turns.py), so
none reads an end another is about to move: each append claims its position once. The stream stays
one stream, in order, its hash chain whole. Figures: benchmarks/replicas.py."""

from __future__ import annotations

import threading
import time

import pytest

from bootstrap import open_records
from eventstore.accounts import ACCESS_STREAM, Accounts
from eventstore.application import OutOfSequence, SafeguardingRecords
from eventstore.group_append import group_append
from evidence.streams import check_stream
from tests.test_shared_state import SERVER, _postgres, store  # noqa: F401  (the store fixture: SQLite and PostgreSQL)


def test_lines_written_at_once_by_many_threads_are_appended_together_each_once(store, monkeypatch):
    records = open_records(store)
    accounts = Accounts(records)
    real = SafeguardingRecords.append

    def slow(self, stream, facts, *args, **kwargs):  # an append that takes a while: lines gather meanwhile
        time.sleep(0.05)
        return real(self, stream, facts, *args, **kwargs)

    monkeypatch.setattr(SafeguardingRecords, "append", slow)
    done: list[str] = []

    def read(n: int) -> None:
        for i in range(5):
            accounts.audit(f"SSW-{n}", "read", f"GET /cases/{i}", True, case_id=f"C-{n}-{i}")
            done.append(f"C-{n}-{i}")  # only once its line is stored

    threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = accounts.access_log()
    assert sorted(a.case_id for a in lines) == sorted(done) and len(done) == 40
    group = group_append(records, ACCESS_STREAM)
    assert group.lines == 40 and group.appends < 20, (group.appends, group.lines)  # grouped, not a line an append
    stored = records.recorder.select_events(ACCESS_STREAM)
    assert [e.originator_version for e in stored] == list(range(1, 41))
    assert not check_stream(ACCESS_STREAM, [(e.originator_version, e.topic, e.state) for e in stored]).breaks
    records.close()


def test_an_append_that_fails_fails_every_line_it_carried_and_the_next_goes_on(store, monkeypatch):
    records = open_records(store)
    accounts = Accounts(records)
    real, failing = SafeguardingRecords.append, [True]

    def once_busy(self, stream, facts, *args, **kwargs):
        if failing and stream == ACCESS_STREAM:
            failing.clear()
            time.sleep(0.1)
            raise OutOfSequence("the store is too busy to append; try again")
        return real(self, stream, facts, *args, **kwargs)

    monkeypatch.setattr(SafeguardingRecords, "append", once_busy)
    errors: list[str] = []

    def read(n: int) -> None:
        try:
            accounts.audit(f"SSW-{n}", "read", "GET /", True)
        except Exception as e:
            errors.append(str(e))

    first = threading.Thread(target=read, args=(0,))
    first.start()
    time.sleep(0.02)
    accounts.audit("SSW-9", "read", "GET /", True)  # waited for the failed append, then went in its own
    first.join()
    assert errors == ["the store is too busy to append; try again"]
    assert [a.user_id for a in accounts.access_log()] == ["SSW-9"]
    records.close()


@pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
def test_processes_appending_at_one_streams_end_take_turns_and_never_claim_a_taken_end(tmp_path):
    import multiprocessing

    settings = next(gen := _postgres(tmp_path))
    try:
        open_records(settings).close()  # its tables made once, before the processes race
        spawn = multiprocessing.get_context("spawn")
        ready, go, out = spawn.Queue(), spawn.Event(), spawn.Queue()
        procs = [spawn.Process(target=_append_at_the_end, args=(settings.model_dump_json(), n, ready, go, out), daemon=True)
                 for n in range(3)]  # daemons: one that failed to start must not leave the others holding pytest's exit
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=60)
        go.set()
        claims = sum(out.get(timeout=120) for _ in procs)
        for p in procs:
            p.join(10)
        records = open_records(settings)
        stored = records.recorder.select_events(ACCESS_STREAM)
        assert [e.originator_version for e in stored] == list(range(1, 91))
        assert claims == 90, f"{claims - 90} appends found their end taken and claimed it again"
        records.close()
    finally:
        for p in procs if "procs" in locals() else ():
            if p.is_alive():
                p.terminate()
        next(gen, None)


def _append_at_the_end(settings_json: str, n: int, ready, go, out) -> None:
    """A process of its own: three threads, each appending ten lines at the access log's end one by one."""
    from configuration.settings import Settings

    records = open_records(Settings.model_validate_json(settings_json))
    claims = [0]
    real = records._claim

    def counted(*args, **kwargs):
        claims[0] += 1
        return real(*args, **kwargs)

    records._claim = counted  # type: ignore[method-assign]
    accounts = Accounts(records)
    accounts.account("warm-up")  # connections made before the race
    ready.put(True)
    go.wait()

    def write(t: int) -> None:
        for i in range(10):
            accounts._append(ACCESS_STREAM, _line(n * 10 + t, i))  # each its own append at the end, as an account's are

    threads = [threading.Thread(target=write, args=(t,)) for t in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(claims[0])


def _line(n: int, i: int):
    from datetime import datetime, timezone

    from domain.identity import AccessRecorded

    return AccessRecorded(at=datetime.now(timezone.utc), user_id=f"SSW-{n}", action="read", what=f"GET /{i}",
                          allowed=True, channel="api")
