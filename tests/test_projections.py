"""Read models from the event store: the oversight dashboard, exact after a crash, identical
after a rebuild from zero, and answerable as at a past instant (issue 4)."""

from datetime import datetime, timezone

import pytest
from eventsourcing.persistence import IntegrityError

from domain.deadlines import WorkingCalendar
from projections.dashboard import LiveCases, dashboard
from projections.feed import ProjectionFeed, as_at, decode, fold
from projections.registry import open_documents
from tests.conftest import concern
from tests.stories import full_pathway

CAL = WorkingCalendar()


def feed_for(driver) -> ProjectionFeed:
    return ProjectionFeed(driver.records, open_documents(driver.records), [LiveCases()], batch_size=7)


def docs(feed) -> dict:
    return dict(feed.documents.scan("live_cases"))


async def two_cases(driver):
    """One case walked to closure, one left with its first deadlines missed."""
    done = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", service={
        "id": "SVC-OAK", "name": "Oak Lodge", "provider": "Northgate Care", "client_group": "older people"}))
    await full_pathway(done)
    late = await driver.raise_concern(concern("2027-01-14T10:00:00+00:00"))
    await late.at("2027-01-14T10:05:00+00:00")
    await late.complete("record_concern")
    await late.complete("peer_risk_review", source_still_has_access=True)
    await late.at("2027-01-14T16:00:00+00:00")
    return done, late


async def test_dashboard_shows_live_cases_overdue_first_with_working_time_left(driver):
    done, late = await two_cases(driver)
    feed = feed_for(driver)
    feed.catch_up()
    view = dashboard(feed.documents, datetime.fromisoformat("2027-01-14T16:00:00+00:00"), CAL)
    assert [c["case_id"] for c in view["live_cases"]] == [late.id]  # the closed case has left the dashboard
    case = view["live_cases"][0]
    assert (case["adult_at_risk"], case["alleged_source"], case["service"]["id"]) == ("A-117", "A-204", "SVC-ELM")
    assert case["current_steps"] == ["notify_regulator", "route_decision", "seriousness_assessment"]
    first = view["deadlines"][0]
    # route decision due 14:05 (4 working hours from 10:05) is overdue; seriousness due 17:00 has 1h working left
    assert (first["step"], first["overdue"], first["due"]) == ("route_decision", True, "2027-01-14T14:05:00Z")
    seriousness = next(d for d in view["deadlines"] if d["step"] == "seriousness_assessment")
    assert (seriousness["overdue"], seriousness["working_time_left_s"]) == (False, 3600)
    oversight = case["live_case_oversight"]["next_due"]
    assert oversight == "2027-01-17T10:05:00Z"
    reasons = [e["reason"] for e in case["escalations_outstanding"]]
    assert reasons[0].startswith("live risk") and any("route_decision deadline missed" in r for r in reasons)
    assert view["cases_with_open_risk_beyond_timescale"] == [late.id]


async def test_crash_between_handling_and_saving_loses_nothing_and_counts_nothing_twice(driver):
    await two_cases(driver)
    clean = feed_for(driver)
    clean.catch_up()
    expected = docs(clean)

    class CrashOnThirdWrite:
        def __init__(self, inner):
            self.inner, self.writes = inner, 0

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def write(self, view, changes, tracking):
            self.writes += 1
            if self.writes == 3:
                raise RuntimeError("worker killed before the transaction committed")
            self.inner.write(view, changes, tracking)

    clean.documents.reset("live_cases")
    crashing = ProjectionFeed(driver.records, CrashOnThirdWrite(clean.documents), [LiveCases()], batch_size=7)
    with pytest.raises(RuntimeError):
        crashing.catch_up()
    assert clean.documents.position("live_cases") == 14  # two batches of 7 saved, the third lost whole
    feed_for(driver).catch_up()  # restart: resumes at 15
    assert docs(clean) == expected

    # Handling a batch that was already saved (a restart that re-reads it) is refused, not double counted.
    batch = driver.records.recorder.select_notifications(start=1, limit=7)
    with pytest.raises(IntegrityError):
        fold(LiveCases(), clean.documents, decode(driver.records, batch), batch[-1].id)
    assert docs(clean) == expected


async def test_rebuild_from_zero_is_identical(driver):
    await two_cases(driver)
    feed = feed_for(driver)
    feed.catch_up()
    before = docs(feed)
    seen = []
    assert feed.rebuild("live_cases", progress=lambda v, p, last: seen.append(p)) == feed.last_position()
    assert docs(feed) == before
    assert seen == sorted(seen) and seen[-1] == feed.last_position()


async def test_dashboard_as_at_a_past_instant(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T11:00:00+00:00")
    feed = feed_for(driver)
    feed.catch_up()
    then = datetime.fromisoformat("2027-01-12T11:00:00+00:00")
    live_then = dashboard(feed.documents, then, CAL)
    await case.at("2027-01-12T11:01:00+00:00")
    await case.complete("record_concern", role="designated_safeguarding_lead")
    await case.at("2027-01-13T11:00:00+00:00")
    assert dashboard(as_at(driver.records, [LiveCases()], then), then, CAL) == live_then
    assert live_then["deadlines"][0]["step"] == "record_concern" and live_then["deadlines"][0]["overdue"]


async def test_dashboard_and_rebuild_from_the_command_line(driver, monkeypatch):
    import json

    from typer.testing import CliRunner

    from cli.main import app
    from configuration.settings import get_settings

    done, late = await two_cases(driver)
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(driver.settings.data_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    monkeypatch.setattr("cli.common.now", lambda: datetime(2027, 1, 20, tzinfo=timezone.utc))  # the scenario's clock
    try:
        view = json.loads(runner.invoke(app, ["dashboard", "--json", "--as-at", "2027-01-14T16:00:00+00:00"]).stdout)
        assert [c["case_id"] for c in view["live_cases"]] == [late.id]
        rebuilt = runner.invoke(app, ["projections", "rebuild", "live_cases", "--json"])
        assert rebuilt.exit_code == 0 and json.loads(rebuilt.stdout)[0]["events"] == len(done.facts()) + len(late.facts())
        assert "live_cases: " in rebuilt.stderr and "(100%)" in rebuilt.stderr  # progress
        status = json.loads(runner.invoke(app, ["projections", "status", "--json"]).stdout)
        assert {r["read_model"]: r["position"] == r["last_event"] for r in status}["live_cases"]
        bad = runner.invoke(app, ["dashboard", "--as-at", "last tuesday"])
        assert bad.exit_code == 2 and "is not an ISO date" in bad.stderr
        naive = runner.invoke(app, ["dashboard", "--as-at", "2027-01-14T16:00:00"])
        assert naive.exit_code == 2 and "has no UTC offset" in naive.stderr
        future = runner.invoke(app, ["dashboard", "--as-at", "2027-01-21T16:00:00+00:00"])
        assert future.exit_code == 2 and "is in the future" in future.stderr
        assert runner.invoke(app, ["dashboard", "--as-at", "2027-01-22"]).exit_code == 2  # a future date
        unknown = runner.invoke(app, ["projections", "rebuild", "nonsense"])
        assert unknown.exit_code == 2 and "no read model 'nonsense'" in unknown.stderr
    finally:
        get_settings.cache_clear()


@pytest.mark.unit
def test_a_model_behind_the_others_still_reaches_the_end_of_the_log(records):
    """Models share the batches they read; one caught up while the log was shorter must not stop another short."""
    from projections.registry import open_feed
    from tests.pure_case import PureCase

    feed = open_feed(records)
    records.record("LAG-1", 1, PureCase(concern("2027-01-12T09:30:00+00:00", case_id="LAG-1")).facts)
    feed.catch_up(only="live_cases")
    records.record("LAG-2", 1, PureCase(concern("2027-01-12T09:30:00+00:00", case_id="LAG-2")).facts)
    feed.catch_up(only="concern_index")
    assert feed.documents.position("concern_index") == feed.last_position()
    assert feed.documents.position("live_cases") < feed.last_position()


# ---- closed cases: kept out of the live scan (issue 22, issue 23's board at scale) ----------------


def corrected_after_closing():
    """A pure case (D-1) closed on 14 January, its closure corrected on 1 March (the closure's review
    opens) and reviewed on 2 March: the facts to closure, to the review's opening, and after."""
    import asyncio

    from domain.case import decide_amendment
    from domain.concern import StepAmendment, StepCompletion
    from tests.pure_case import StoryCase
    from tests.test_decider import case as pure_case

    c = pure_case()
    asyncio.run(full_pathway(StoryCase(c)))
    closed = len(c.facts)
    c.at("2027-03-01T10:00:00+00:00")
    c._record(decide_amendment(c.state, StepAmendment(
        step="closure_learning_review", occurrence=1, changes={"lessons": "and the lounge"}, reason="cut short",
        actor="RM-1", role="registered_manager"), c.now))
    opened = len(c.facts)
    c.at("2027-03-02T10:00:00+00:00")
    c.send(StepCompletion(step="decision_review", occurrence=1, role="quality_safeguarding_lead", actor="QSL-1", record={
        "decision_stands": "confirmed", "review_reason": "the lessons change nothing decided"}))
    assert c.state.status == "closed" and not c.state.open_steps
    return c.facts[:closed], c.facts[closed:opened], c.facts[opened:]


def board_ids(documents, at: str) -> list[str]:
    return [c["case_id"] for c in dashboard(documents, datetime.fromisoformat(at), CAL)["live_cases"]]


@pytest.mark.unit
def test_a_closed_case_is_out_of_the_live_scan_and_a_review_on_it_comes_and_goes(records):
    """Closed: only its identity is kept, under "~closed/", past the live scan's bound. A correction's
    review brings it back to the board as a closed case with that one step open, until it is done.
    Folded live, in batches of one, or rebuilt from zero: the same documents; as at the review's day,
    the board shows it."""
    from eventstore.events import case_stream
    from projections.dashboard import CLOSED, LIVE_BELOW, live_documents
    from projections.documents import MemoryDocuments
    from tests.pure_case import PureCase

    to_close, to_review, after = corrected_after_closing()
    records.record("LIVE-1", 1, PureCase(concern("2027-01-20T09:30:00+00:00", case_id="LIVE-1")).facts)
    records.record("D-1", 1, to_close)
    feed = ProjectionFeed(records, open_documents(records), [LiveCases()], batch_size=7)
    feed.catch_up()
    stream = str(case_stream("D-1"))
    scanned = dict(feed.documents.scan(LiveCases.name))
    assert list(scanned) == [str(case_stream("LIVE-1")), CLOSED + stream]  # the closed case after every live key
    assert scanned[CLOSED + stream] == {
        "case_id": "D-1", "service": scanned[CLOSED + stream]["service"], "adult_at_risk": "A-117",
        "alleged_source": scanned[CLOSED + stream]["alleged_source"], "identified_at": "2027-01-12T09:30:00Z",
        "raised_at": "2027-01-12T09:30:00Z", "threshold_level": scanned[CLOSED + stream]["threshold_level"],
        "status": "closed", "closed_at": "2027-01-14T10:00:00Z"}
    assert [k for k, _ in feed.documents.scan(LiveCases.name, below=LIVE_BELOW)] == [str(case_stream("LIVE-1"))]
    assert [c["case_id"] for c in live_documents(feed.documents)] == ["LIVE-1"]
    assert board_ids(feed.documents, "2027-02-01T10:00:00+00:00") == ["LIVE-1"]

    records.record("D-1", len(to_close) + 1, to_review)
    feed.catch_up()
    assert sorted(c["case_id"] for c in live_documents(feed.documents)) == ["D-1", "LIVE-1"]
    view = dashboard(feed.documents, datetime.fromisoformat("2027-03-01T11:00:00+00:00"), CAL)
    [row] = [c for c in view["live_cases"] if c["case_id"] == "D-1"]
    assert (row["status"], row["current_steps"], row["service"]) == ("closed", ["decision_review"], scanned[CLOSED + stream]["service"])
    assert [(d["step"], d["role"], d["title"]) for d in view["deadlines"] if d["case_id"] == "D-1"] == [
        ("decision_review", "quality_safeguarding_lead", "Review the closure outcome after a correction")]  # as recorded
    assert CLOSED + stream in dict(feed.documents.scan(LiveCases.name))  # its identity kept meanwhile
    during = as_at(records, [LiveCases()], datetime.fromisoformat("2027-03-01T11:00:00+00:00"))
    assert board_ids(during, "2027-03-01T11:00:00+00:00") == board_ids(feed.documents, "2027-03-01T11:00:00+00:00")

    records.record("D-1", len(to_close) + len(to_review) + 1, after)
    feed.catch_up()
    assert [c["case_id"] for c in live_documents(feed.documents)] == ["LIVE-1"]
    assert [k for k, _ in feed.documents.scan(LiveCases.name, below=LIVE_BELOW)] == [str(case_stream("LIVE-1"))]
    assert board_ids(feed.documents, "2027-03-03T10:00:00+00:00") == ["LIVE-1"]
    folded = dict(feed.documents.scan(LiveCases.name))
    assert folded[CLOSED + stream] == scanned[CLOSED + stream]

    feed.rebuild(LiveCases.name)
    assert dict(feed.documents.scan(LiveCases.name)) == folded
    one_by_one = MemoryDocuments()
    for e in decode(records, records.recorder.select_notifications(start=1, limit=10_000)):
        fold(LiveCases(), one_by_one, [e], e.position)
    assert dict(one_by_one.scan(LiveCases.name)) == folded


@pytest.mark.unit
def test_a_store_folded_while_closed_cases_were_kept_under_their_own_key_still_reads(records):
    """Before this version, a closed case's identity sat under its live key (status closed, nothing
    open): every reader still leaves it out, the stopped-case watch asks nothing about it, and its
    next fact (a correction's review) brings it to the board and then out of the live keys."""
    import asyncio

    from temporalio.service import RPCError, RPCStatusCode

    from casework.temporal.stopped import record_stopped
    from eventstore.events import case_stream
    from projections.dashboard import CLOSED, LIVE_BELOW, live_documents
    from projections.documents import Following
    from tests.pure_case import PureCase

    to_close, to_review, after = corrected_after_closing()
    records.record("LIVE-1", 1, PureCase(concern("2027-01-20T09:30:00+00:00", case_id="LIVE-1")).facts)
    records.record("D-1", 1, to_close)
    feed = ProjectionFeed(records, open_documents(records), [LiveCases()])
    feed.catch_up()
    stream, documents = str(case_stream("D-1")), feed.documents
    kept = dict(documents.scan(LiveCases.name))[CLOSED + stream]
    old = {**kept, "open_steps": {}, "escalations": {}, "oversight": None}  # as the previous version kept it
    at = documents.position(LiveCases.name)
    documents.write(LiveCases.name, {stream: old, CLOSED + stream: None}, Following(LiveCases.name, at + 1, at))
    assert stream in dict(documents.scan(LiveCases.name, below=LIVE_BELOW))  # in the live range, as it was stored
    assert [c["case_id"] for c in live_documents(documents)] == ["LIVE-1"]
    assert board_ids(documents, "2027-02-01T10:00:00+00:00") == ["LIVE-1"]

    asked = []

    class Unknown:  # Temporal holds no workflow of the case: nothing to record
        async def describe(self):
            raise RPCError("not found", RPCStatusCode.NOT_FOUND, b"")

    class Temporal:  # the watch asks Temporal about each live case's workflow
        def get_workflow_handle(self, case_id):
            asked.append(case_id)
            return Unknown()

    assert asyncio.run(record_stopped(Temporal(), records, documents)) == []
    assert asked == ["LIVE-1"]  # the closed case is not looked at

    records.record("D-1", len(to_close) + 1, to_review)
    feed.catch_up()
    assert sorted(board_ids(documents, "2027-03-01T11:00:00+00:00")) == ["D-1", "LIVE-1"]
    records.record("D-1", len(to_close) + len(to_review) + 1, after)
    feed.catch_up()
    assert board_ids(documents, "2027-03-03T10:00:00+00:00") == ["LIVE-1"]
    moved = dict(documents.scan(LiveCases.name))  # out of the live keys, as a rebuild from zero puts it
    assert list(moved) == [str(case_stream("LIVE-1")), CLOSED + stream]
    feed.rebuild(LiveCases.name)
    assert dict(documents.scan(LiveCases.name)) == moved


@pytest.mark.unit
def test_a_scan_below_a_key_is_the_same_in_memory_and_on_sqlite(records):
    """Keys compare byte by byte in every home of documents: a scan's order and its bound agree."""
    from projections.documents import MemoryDocuments

    keys = ["~closed/0a", "0a-1", "ff", "Zed", "a", "a~", "~", "~~", "-", "é"]
    changes = {k: {"k": k} for k in keys}
    memory, sqlite = MemoryDocuments(), open_documents(records)
    for documents in (memory, sqlite):
        documents.write("v", changes, None)
        documents.write("w", {"0": {"k": "0"}}, None)  # another view's
    for below in (None, "~", "a", "0", "\u00e9", ""):
        expected = sorted(k for k in keys if below is None or k.encode() < below.encode())
        assert [k for k, _ in memory.scan("v", below=below)] == expected
        assert list(sqlite.scan("v", below=below)) == list(memory.scan("v", below=below))
