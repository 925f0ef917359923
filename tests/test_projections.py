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
