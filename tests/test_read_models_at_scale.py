"""Read models at a national scale (issue 23): the log read and decoded fast gives the very events
the mapper gives; a model whose code changed is rebuilt at the feed's start and only it; a rebuild
stopped part way resumes from its last checkpoint, not from zero, and ends as a rebuild from zero."""

from __future__ import annotations

import json
import random

import pytest

from benchmarks.national_fill import START, fill
from benchmarks.projections import case_facts
from projections import folding, versions
from projections.documents import MemoryDocuments
from projections.feed import ProjectionFeed, decode
from projections.reading import Log
from projections.registry import open_documents, read_models
from tests.test_projections import corrected_after_closing

pytestmark = pytest.mark.unit


def every_view(documents, models) -> dict:
    return {m.name: dict(documents.scan(m.name)) for m in models}


def test_the_log_decoded_fast_is_what_the_mapper_decodes(records):
    """Every fact type a case records (a correction and its review too), encrypted at rest: read a page
    at a time and decoded by pydantic from JSON in one pass, as the mapper's three passes give them."""
    before, opening, after = corrected_after_closing()
    records.record("D-1", 1, [*before, *opening, *after])
    rng = random.Random(7)
    for i in range(30):
        records.record(f"BENCH-{i:06d}", 1, case_facts(i, rng, START))
    log = Log(records)
    fast = log.decode(log.page(0, log.last(), 100_000), lambda cls: True)
    slow = decode(records, records.recorder.select_notifications(start=1, limit=100_000))
    assert len(fast) == len(slow) > 30 * 20
    assert fast == slow
    assert [e.stream for e in fast] == [str(e.originator_id) for e in slow]
    assert {type(e.fact).__name__ for e in fast} >= {"ConcernRaised", "StepAmended", "CaseClosed", "Escalated"}


def test_only_the_models_whose_code_changed_are_rebuilt_at_the_start(records, monkeypatch):
    fill(records, 2_000, say=lambda s: None)
    documents = open_documents(records)
    feed = ProjectionFeed(records, documents, read_models())
    assert feed.rebuilt == []  # a new store: nothing to rebuild
    feed.catch_up()
    folded = every_view(documents, feed.models)
    last = feed.last_position()

    restarted = ProjectionFeed(records, open_documents(records), read_models())  # a restart, the same code
    assert restarted.rebuilt == [] and all(documents.position(m.name) == last for m in feed.models)

    changed = read_models()
    (live,) = [m for m in changed if m.name == "live_cases"]
    monkeypatch.setattr(type(live), "version", 2, raising=False)  # its fold changed
    deployed = ProjectionFeed(records, open_documents(records), changed)
    assert deployed.rebuilt == ["live_cases"]
    assert documents.position("live_cases") == 0
    assert all(documents.position(m.name) == last for m in changed if m.name != "live_cases")
    deployed.catch_up()
    assert every_view(documents, changed) == folded
    monkeypatch.undo()
    again = ProjectionFeed(records, open_documents(records), read_models())  # and back: rebuilt again, alone
    assert again.rebuilt == ["live_cases"]


def test_a_store_folded_before_fingerprints_keeps_its_documents(records):
    fill(records, 500, say=lambda s: None)
    documents = open_documents(records)
    ProjectionFeed(records, documents, read_models()).catch_up()
    documents.reset(versions.VIEWS)  # as a store folded by the version before
    feed = ProjectionFeed(records, open_documents(records), read_models())
    assert feed.rebuilt == []
    assert documents.position("live_cases") == feed.last_position()
    assert set(dict(documents.scan(versions.VIEWS))) == {m.name for m in feed.models}


def test_a_rebuild_stopped_part_way_resumes_from_its_last_checkpoint(records, monkeypatch):
    """Far behind, a feed saves at checkpoints, not after every batch; killed between two, it loses
    only what it folded since the last, and the next start carries on from there."""
    fill(records, 6_000, say=lambda s: None)
    last = records.recorder.max_notification_id()
    monkeypatch.setattr(folding, "CHECKPOINT_EVENTS", 1_500)
    documents = open_documents(records)
    writes: list[int] = []
    real = type(documents).write

    def killed_on_the_third_checkpoint(self, view, changes, tracking):
        if view == "case_list":
            writes.append(tracking.notification_id)
            if len(writes) == 3:
                raise SystemExit("worker killed")
        return real(self, view, changes, tracking)

    monkeypatch.setattr(type(documents), "write", killed_on_the_third_checkpoint)
    feed = ProjectionFeed(records, documents, read_models(), batch_size=500, live_below=100)
    with pytest.raises(SystemExit):
        feed.catch_up()
    monkeypatch.setattr(type(documents), "write", real)
    saved = documents.position("case_list")
    assert saved == writes[1] and 0 < saved < last  # the second checkpoint stands; the third is lost whole
    passed = []
    ProjectionFeed(records, open_documents(records), read_models(), batch_size=500).catch_up(
        progress=lambda view, at, end: passed.append(at) if view == "case_list" else None)
    assert passed[0] > saved  # carried on from the checkpoint, not from zero
    rebuilt = ProjectionFeed(records, MemoryDocuments(), read_models())
    rebuilt.catch_up()
    assert every_view(documents, read_models()) == every_view(rebuilt.documents, read_models())


def test_the_board_answers_as_the_dashboard_folded_from_every_document(records):
    """The board keeps what the clock does not change and reads the clock at each query: its answer is
    the dashboard worked out from every live document, before and after facts land, at instants a
    deadline is due at, either side of the clocks changing, on a bank holiday."""
    from datetime import datetime, timedelta

    from configuration.settings import Settings
    from projections.dashboard import LiveCases, dashboard, folded_dashboard

    calendar = Settings().calendar
    fill(records, 3_000, live=0.6, say=lambda s: None)
    feed = ProjectionFeed(records, open_documents(records), [LiveCases()])
    feed.catch_up()
    due = next(d["due"] for d in folded_dashboard(feed.documents, START, calendar)["deadlines"])
    instants = [datetime.fromisoformat(due), *(START + timedelta(days=d, hours=h) for d in (0, 3, 81, 83, 100, 297, 360)
                                               for h in (0, 7.5, 13))]
    for now in instants:
        assert dashboard(feed.documents, now, calendar) == folded_dashboard(feed.documents, now, calendar), now
    read = []  # how many documents the board read at each refresh: only those written since it last looked
    changes = feed.documents.changes
    feed.documents.changes = lambda *a, **k: read.append(c := changes(*a, **k)) or c
    before, opening, after = corrected_after_closing()
    closing = next(i for i, f in enumerate(before) if type(f).__name__ == "CaseClosed")
    # a case raised, steps done (one at a time, then the rest), closed, its review open on the closed case, closed again
    for facts in ([before[0]], *([f] for f in before[1:4]), before[4:closing], before[closing:], opening, after):
        seq = 1 + len(records.stored_facts("D-1"))
        records.record("D-1", seq, facts)
        feed.catch_up()
        for now in instants[::4]:
            assert dashboard(feed.documents, now, calendar) == folded_dashboard(feed.documents, now, calendar), now
        assert not read[-1].whole and len(read[-1].docs) + len(read[-1].gone) <= 1, facts
    assert "D-1" not in {c["case_id"] for c in dashboard(feed.documents, instants[0], calendar)["live_cases"]}
    assert [c.gone for c in read if c.gone] == [[str(records.stored_facts("D-1")[0].stream)]] * 2  # closed, twice
    feed.rebuild(LiveCases.name)  # documents written again at checkpoints: the board reads them all again
    assert dashboard(feed.documents, instants[-1], calendar) == folded_dashboard(feed.documents, instants[-1], calendar)
    assert read[-1].whole


def test_working_time_from_the_running_total_is_the_calendars(records):
    import random
    from datetime import timedelta

    from configuration.settings import Settings
    from projections.board import EPOCH, US, WorkingClock, _us

    calendar = Settings().calendar
    clock = WorkingClock(calendar, START.date(), START.date() + timedelta(days=400))
    rng = random.Random(3)
    for _ in range(400):
        a = START + timedelta(minutes=rng.randrange(0, 395 * 24 * 60), microseconds=rng.randrange(10**6))
        b = a + timedelta(minutes=rng.randrange(0, 40 * 24 * 60), microseconds=rng.randrange(10**6))
        assert clock.seconds(_us(a), _us(b)) == int(calendar.working_time_between(a, b).total_seconds()), (a, b)
    far = START + timedelta(days=900)  # beyond its days: the calendar's own
    assert clock.seconds(_us(START), _us(far)) == int(calendar.working_time_between(START, far).total_seconds())
    assert EPOCH + _us(far) * US == far


def test_a_model_far_behind_never_holds_up_one_that_is_current(records):
    """A deploy rebuilds one model in the worker's feed: an activity needing another model current
    (the earlier concerns a threshold decision counts) folds it meanwhile, without waiting."""
    import threading

    fill(records, 3_000, say=lambda s: None)
    feed = ProjectionFeed(records, open_documents(records), read_models(), batch_size=200, live_below=500)
    feed.catch_up()
    feed.documents.reset("case_list")  # its code changed
    records.record("NEW-1", 1, case_facts(99, random.Random(1), START, 1.0))
    answered = []

    def the_activity(view: str, at: int, end: int) -> None:
        if view == "case_list" and not answered:  # the long pass is under way
            t = threading.Thread(target=lambda: answered.append(feed.catch_up(only="concern_index")))
            t.start()
            t.join(10)
            answered.append(not t.is_alive())

    feed.catch_up(progress=the_activity)
    assert answered[-1] is True  # it did not wait for the rebuild
    assert feed.documents.position("concern_index") == feed.last_position()


def test_every_model_rebuilt_in_two_processes_is_a_rebuild_in_one(settings):
    from bootstrap import open_records
    from projections.parallel import rebuild_in_processes, shares

    assert shares(["live_cases", "case_list", "governance_facts", "services"], 2) == [
        ["live_cases", "services"], ["governance_facts", "case_list"]]
    records = open_records(settings)
    fill(records, 2_000, say=lambda s: None)
    one = ProjectionFeed(records, MemoryDocuments(), read_models())
    one.catch_up()
    names = [m.name for m in read_models()]
    done = rebuild_in_processes(open_records, settings, names, 2)
    assert sorted(n for group, _ in done for n in group) == sorted(names) and len(done) == 2
    documents = open_documents(records)
    assert every_view(documents, read_models()) == every_view(one.documents, read_models())
    assert all(documents.position(n) == one.last_position() for n in names)


def test_processes_rebuilding_together_wait_for_each_others_writes(settings, monkeypatch):
    """On SQLite the processes share one writer. At 10^7 events one process emptying its models held
    it past the other's 10 seconds, and the rebuild failed after minutes. The models are now all
    emptied first, and a folding process waits for the writer as long as the other needs: here it is
    held for longer than a request would wait, as the processes start."""
    import sqlite3
    import threading
    import time

    from bootstrap import open_records
    from projections import parallel

    settings = settings.model_copy(update={"sqlite_lock_timeout": 1})
    records = open_records(settings)
    fill(records, 500, say=lambda s: None)
    records.close()
    emptied = parallel._empty
    held = threading.Event()

    def hold_the_writer() -> None:
        db = sqlite3.connect(settings.data_dir / "events.sqlite", isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(4)
        db.execute("ROLLBACK")
        db.close()

    def then_hold(*args):
        emptied(*args)
        threading.Thread(target=hold_the_writer, daemon=True).start()
        held.wait(5)

    monkeypatch.setattr(parallel, "_empty", then_hold)
    names = [m.name for m in read_models()]
    done = parallel.rebuild_in_processes(open_records, settings, names, 2)
    records = open_records(settings)
    documents = open_documents(records)
    assert held.is_set() and sorted(n for group, _ in done for n in group) == sorted(names)
    assert all(documents.position(n) == records.recorder.max_notification_id() for n in names)


def test_every_process_gives_a_model_the_same_fingerprint_whatever_it_has_imported():
    """A CLI command imports less than the worker or the web app: were a module imported lazily left
    out of a fingerprint, each process would reset the read models the other had just folded."""
    import subprocess
    import sys

    import bootstrap  # noqa: F401  (this process: the worker's and the web app's imports)
    import web.app  # noqa: F401
    here = {m.name: versions.fingerprint(m) for m in read_models()}
    code = ("import json; from projections import versions; from projections.registry import read_models; "
            "print(json.dumps({m.name: versions.fingerprint(m) for m in read_models()}))")
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(fresh.stdout) == here


def test_instants_written_quickly_are_written_as_pydantic_and_strftime_write_them():
    """Read models write instants by `isoformat` (`projections/jsonable.iso`, `case_list.instant`):
    the very text pydantic's JSON and strftime gave, in UTC, at other offsets, naive, at any microsecond."""
    from datetime import datetime, timedelta, timezone

    from pydantic import TypeAdapter
    from pydantic_core import TzInfo

    from projections.case_list import instant
    from projections.jsonable import iso

    pydantic_json = TypeAdapter(datetime)
    rng = random.Random(11)
    zones = [timezone.utc, TzInfo(0), timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30)),
             timezone(timedelta(seconds=30)), TzInfo(3600), None]
    for _ in range(3_000):
        at = datetime(rng.choice([1, 999, 1000, 2026, 9999]), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                      rng.randint(0, 59), rng.randint(0, 59), rng.choice([0, 1, 120000, rng.randrange(10**6)]),
                      tzinfo=rng.choice(zones))
        assert iso(at) == pydantic_json.dump_python(at, mode="json"), at
        if at.tzinfo is not None and 2 <= at.year <= 9998:
            assert instant(at) == at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), at
            if at.utcoffset().seconds % 60 == 0:  # (pydantic writes an offset in whole minutes)
                assert instant(iso(at)) == instant(at)
    assert iso(None) is None and instant(None) is None


def test_a_page_leaves_out_the_rows_of_topics_no_model_folding_reads(records):
    """The database sends only the rows of the topics wanted (once each topic is known): a model reading
    few kinds of fact is not sent every event's bytes; `limit` rows are the first of those wanted."""
    from domain.facts import ConcernRaised

    fill(records, 1_000, say=lambda s: None)
    log = Log(records)
    every = log.page(0, log.last(), 100_000)  # every topic seen: known from now on
    raised = [r for r in every if log.cls(r.topic) is ConcernRaised]
    wanted = lambda cls: cls is ConcernRaised  # noqa: E731
    assert 0 < len(raised) < len(every) / 10
    assert log.page(0, log.last(), 100_000, wanted) == raised
    assert log.page(raised[1].position, log.last(), 3, wanted) == raised[2:5]
    assert log.decode(log.page(0, log.last(), 100_000, wanted), wanted) == log.decode(every, wanted)
