"""What processes share beyond the events (eventstore/shared.py), in the store's own database: the
sign-in throttle's failures and the turns of a request sent twice at once, each seen alike by two
processes' ports (two `SafeguardingRecords` on one store stand for two replicas here; the
multi-process test, tests/test_replicas.py, runs real ones). And on PostgreSQL, the notification
each append sends wakes a listener (eventstore/changes.py); SQLite has none and keeps polling."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from bootstrap import open_records, ports as make_ports
from casework.idempotency import one_at_a_time
from configuration.settings import Settings
from eventstore.accounts import Accounts
from eventstore.changes import log_changes

SERVER = os.environ.get("SAFEGUARD_TEST_POSTGRES")
NOW = datetime(2027, 3, 1, 9, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    """Settings for one store that two 'replicas' open: a SQLite file, or a PostgreSQL database of the test's own."""
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path)
        return
    if not SERVER:
        pytest.skip("no PostgreSQL: run the suite with ./scripts/test, which starts one")
    yield from _postgres(tmp_path)


def _postgres(tmp_path):
    import psycopg

    host, port = SERVER.split(":")
    dbname = f"safeguard_shared_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {dbname}")
    yield Settings(data_dir=tmp_path, event_store="postgres", postgres_host=host, postgres_port=int(port),
                   postgres_user="postgres", postgres_dbname=dbname)
    with psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


@pytest.fixture
def replicas(store):
    opened = [open_records(store) for _ in range(2)]
    yield [make_ports(store, records) for records in opened]
    for records in opened:
        records.close()


def test_failed_sign_ins_are_counted_across_replicas(replicas, store):
    a, b = replicas
    window, attempts = timedelta(minutes=store.login_window_minutes), store.login_attempts
    keys = ["user:SSW-1", "address:10.0.0.7"]
    for i in range(attempts - 1):
        (a if i % 2 else b).throttle.failed(keys, NOW + timedelta(seconds=i))
    assert a.throttle.wait(keys, NOW + timedelta(seconds=10), attempts, window) == 0
    b.throttle.failed(keys, NOW + timedelta(seconds=10))  # the fifth, on the other replica
    for replica in (a, b):
        wait = replica.throttle.wait(keys, NOW + timedelta(seconds=11), attempts, window)
        assert window.total_seconds() - 12 < wait <= window.total_seconds(), wait
    # the first failure leaves the window: one fewer than the limit, on either
    assert b.throttle.wait(keys, NOW + window + timedelta(seconds=1), attempts, window) == 0
    # a success forgets the user's failures everywhere, not the address's
    b.throttle.failed(keys, NOW + window + timedelta(seconds=2))
    a.throttle.succeeded("user:SSW-1")
    assert b.throttle.wait(["user:SSW-1"], NOW + window + timedelta(seconds=3), 1, window) == 0
    assert b.throttle.wait(["address:10.0.0.7"], NOW + window + timedelta(seconds=3), 2, window) > 0


def test_a_requests_turn_is_held_by_one_replica_at_a_time_and_lapses_if_its_holder_dies(replicas):
    a, b = replicas
    now = time.time()
    assert a.shared.take_turn("SSW-1:key-1", "a", now, now + 30)
    assert not b.shared.take_turn("SSW-1:key-1", "b", now, now + 30)
    assert b.shared.take_turn("SSW-1:key-2", "b", now, now + 30)  # another request: its own turn
    assert a.shared.keep_turn("SSW-1:key-1", "a", now + 60) and not b.shared.keep_turn("SSW-1:key-1", "b", now + 60)
    assert not b.shared.take_turn("SSW-1:key-1", "b", now + 45, now + 75)  # kept: still a's
    assert b.shared.take_turn("SSW-1:key-1", "b", now + 61, now + 91)  # lapsed (a died holding it): b's now
    a.shared.end_turn("SSW-1:key-1", "a")  # a late end from the old holder frees nothing of b's
    assert not a.shared.take_turn("SSW-1:key-1", "a2", now + 62, now + 92)
    b.shared.end_turn("SSW-1:key-1", "b")
    assert a.shared.take_turn("SSW-1:key-1", "a2", now + 62, now + 92)


async def test_twins_sent_to_two_replicas_take_turns(replicas):
    a, b = replicas
    order: list[str] = []

    async def send(ports, name: str) -> None:
        async with one_at_a_time(ports, "SSW-1:twin"):
            order.append(f"{name} in")
            await asyncio.sleep(0.3)
            order.append(f"{name} out")

    await asyncio.gather(send(a, "a"), send(b, "b"))
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    async with one_at_a_time(b, "SSW-1:twin"):  # ended: free again
        pass


def test_sqlite_has_no_notifications_so_its_readers_poll(tmp_path):
    records = open_records(Settings(data_dir=tmp_path))
    assert log_changes(records) is None


@pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
def test_an_append_by_another_process_wakes_the_listener_at_once(tmp_path):
    settings = next(gen := _postgres(tmp_path))
    try:
        here, there = open_records(settings), open_records(settings)
        listener = log_changes(here)
        assert listener is log_changes(here)  # one per process
        assert listener.connected.wait(10)
        mark = listener.mark()
        assert not listener.wait(mark, 0.3)  # nothing appended: no wake
        woken: list[float] = []
        waiting = threading.Thread(target=lambda: woken.append(listener.wait(mark, 10) and time.monotonic()))
        waiting.start()
        time.sleep(0.1)
        sent = time.monotonic()
        Accounts(there).audit("SSW-1", "read", "GET /", True)
        waiting.join(10)
        assert woken and woken[0] - sent < 1.0, woken  # far sooner than SAFETY: it was the notification
        here.close()
        there.close()
    finally:
        next(gen, None)


@pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
def test_the_read_models_feed_wakes_at_once_after_a_quiet_spell_and_paces_itself_through_a_burst(tmp_path):
    from eventstore.changes import BUSY_GAP
    from projections.dashboard import LiveCases
    from projections.feed import ProjectionFeed
    from projections.registry import open_documents

    settings = next(gen := _postgres(tmp_path))
    here, there, stop = open_records(settings), open_records(settings), threading.Event()
    try:
        feed = ProjectionFeed(here, open_documents(here), [LiveCases()])
        passes: list[float] = []
        real = feed.catch_up
        feed.catch_up = lambda *a, **k: (passes.append(time.monotonic()), real(*a, **k))[1]  # type: ignore[method-assign]
        threading.Thread(target=feed.run, args=(stop,), daemon=True).start()
        assert log_changes(here).connected.wait(10)
        time.sleep(1.0)
        quiet = len(passes)
        sent = time.monotonic()
        Accounts(there).audit("SSW-1", "read", "GET /", True)  # one append after a quiet spell
        while len(passes) == quiet and time.monotonic() - sent < 5:
            time.sleep(0.01)
        assert passes[quiet] - sent < 0.5  # at once: not the 5 s look
        time.sleep(1.0)
        before, burst = len(passes), time.monotonic()
        while time.monotonic() - burst < 2.0:  # appends all the time, as reads under load write the access log
            Accounts(there).audit("SSW-1", "read", "GET /", True)
        during = len(passes) - before
        assert 2 <= during <= 2.0 / BUSY_GAP + 2, during  # paced, not a pass an append
    finally:
        stop.set()
        here.close()
        there.close()
        next(gen, None)


async def test_the_board_is_woken_by_what_changes_it_not_by_the_access_logs_lines(store):
    from domain.access import Assignment
    from web.app import create_app
    from web.pages.live import watcher

    records, writer = open_records(store), open_records(store)  # the writer: another replica, or a worker
    w = watcher(create_app(store, records=records).state.web)
    views: list[int] = []
    real = w.feed.view
    w.feed.view = lambda now: (views.append(1), real(now))[1]  # type: ignore[method-assign]
    w.listeners = 1
    w.start()
    try:
        await asyncio.sleep(0.5)
        accounts = Accounts(writer)
        for i in range(20):  # reads elsewhere: each appends an access-log line
            accounts.audit("SSW-1", "read", f"GET /cases/{i}", True)
        await asyncio.sleep(1.0)
        assert views == [] and w.position == writer.recorder.max_notification_id()
        accounts.add_user("TL-1", "User TL-1", None, by="test")
        accounts.grant("TL-1", Assignment("team_leader", "SVC-ELM"), by="test")  # who may watch: a board changes
        for _ in range(50):
            if views:
                break
            await asyncio.sleep(0.05)
        assert views
    finally:
        w.listeners = 0
        await asyncio.sleep(0.3)
        records.close()
        writer.close()
