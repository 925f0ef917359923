"""The defects issue 21 lists, each reproduced as found in the trial (the browser ones are in
test_issue21_defects_browser.py)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

import bootstrap
from casework import cases, governance
from casework.refusals import NotOpen
from domain.access import Assignment, Principal
from domain.facts import ThresholdDecisionFiled
from domain.threshold import PriorConcerns, load_profile
from evidence.pack import build_pack
from evidence.render import html
from projections.dashboard import LiveCases, dashboard
from projections.feed import ProjectionFeed
from projections.registry import open_documents
from tests.conftest import concern
from tests.pure_case import PureCase
from tests.test_evidence_pack import GENERATED, closed_case
from web.pages.board import shown
from web.pages.formats import london
from web.pages.live import board
from web.pages.render import env


# ---- 1. an escalation whose step was done late ------------------------------------------------------


async def test_an_escalation_whose_step_was_done_late_is_refused_as_ended_not_as_acknowledged(records, settings):
    """E1 (record concern missed) ended when the step was done late: acknowledging it afterwards is
    refused saying so, never that someone acknowledged it, and nothing is recorded."""
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="D21-1"))
    case.at("2027-01-12T09:50:00+00:00")  # record concern missed at 09:45: E1 to the team leader
    case.complete("record_concern", role="team_leader")  # done late, at 09:50
    records.record("D21-1", 1, case.facts)
    before = len(records.stored_facts("D21-1"))
    tl = Principal("TL-1", "TL-1", (Assignment("team_leader", "SVC-ELM"),), "web")
    ports = bootstrap.ports(settings, records, within=None)
    with pytest.raises(NotOpen) as refused:
        await cases.acknowledge_escalation(ports, tl, cases.AcknowledgeEscalation("D21-1", "E1", "called the home"),
                                           case.now)
    message = refused.value.message
    assert "E1 ended when the step Record the initial peer-to-peer concern was done late, at Tue 12 Jan 2027, 09:50 GMT" in message
    assert "no acknowledgement was needed after that" in message and "acknowledged at" not in message
    assert refused.value.details == {"ended_at": "2027-01-12T09:50:00Z"}
    assert len(records.stored_facts("D21-1")) == before


def test_the_pack_says_a_late_steps_escalation_ended_rather_than_not_acknowledged(records):
    closed_case(records, "D21-PK")
    pack = build_pack(records, open_documents(records), "D21-PK", "DSL-3", GENERATED)
    e1 = next(e for e in pack.escalations if e.escalation_id == "E1")  # record concern missed, done late
    assert (e1.acknowledged_at, e1.ended_by) == (None, "step done late")
    assert e1.ended_at.isoformat() == "2027-01-12T09:50:00+00:00"
    row = next(r for r in html(pack).split("<tr>") if r.startswith("<td>E1</td>"))
    assert "not acknowledged" not in row
    assert "Record the initial peer-to-peer concern was done late at Tue 12 Jan 2027, 09:50 GMT; no acknowledgement was needed after that." in row
    e2 = next(r for r in html(pack).split("<tr>") if r.startswith("<td>E2</td>"))
    assert "DSL-7" in e2  # a trigger escalation acknowledged reads as before


# ---- 2. the frequency of similar incidents, counted once ------------------------------------------


def test_the_frequency_of_similar_incidents_is_not_counted_again_as_incidents_with_other_adults():
    """Two similar incidents between A-117 and A-204, answered as the frequency and found by the
    store as two earlier concerns between the pair: one count of two between the pair. Nothing
    about the same alleged source with other adults, so neither of Sussex line 318's consultation
    examples 'other similar incidents involving the same perpetrator' (002) is matched."""
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="D21-2"),
                    prior=lambda _: PriorConcerns(same_pair=2, same_service=2, source_note="the store"))
    case.complete("record_concern")
    case.complete("seriousness_assessment", frequency_of_similar_incidents=2, power_imbalance="some",
                  fear_or_avoidance=False, facts={"impact": "none"})
    d = next(f.decision for f in case.facts if isinstance(f, ThresholdDecisionFiled))
    assert (d.facts["prior_incidents_between_pair"], d.facts["prior_incidents_same_source"]) == (2, 0)
    perpetrator = [ind for ind in load_profile("sussex").category("incidents_between_adults").indicators
                   if "incidents involving the" in ind.wording and "perpetrator" in ind.wording]
    assert {(i.source.seed[:4], i.source.line) for i in perpetrator} == {("002_", 318)}  # the seed's two examples
    assert not {m.id for m in d.matched} & {i.id for i in perpetrator}
    several = next(m for m in d.matched if m.id.endswith("several_low_level_concerns"))
    assert several.note == ("Several low-level concerns: 2 earlier concerns between the same two adults, counted from "
                            "the event store [the store] (threshold 2).")  # once, and not also 'with other adults'


# ---- 3. an audit run now counts today's cases -------------------------------------------------------


async def test_an_audit_run_now_ends_its_period_now_so_todays_cases_count(records, settings):
    """A concern recorded at 09:40 with too little on what was seen; the weekly audit run
    at 11:00 the same day counts it (its period ended at 00:00 before, leaving the day out)."""
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="D21-3"))
    case.at("2027-01-12T09:40:00+00:00")
    case.complete("record_concern", behaviour_observed="shouting")
    records.record("D21-3", 1, case.facts)

    async def no_temporal():
        raise ConnectionError("no Temporal in this test")

    ports = bootstrap.ports(settings, records, connect_with=no_temporal, within=None)
    lead = Principal("QSL-1", "QSL-1", (Assignment("quality_safeguarding_lead", None),), "web")
    eleven = datetime(2027, 1, 12, 11, 0, 0, 123, tzinfo=timezone.utc)
    run = await governance.run_audit(ports, lead, governance.RunAudit("weekly"), eleven)
    assert run.new and run.record.period_end == eleven.replace(microsecond=0)
    assert run.record.period_start == datetime(2027, 1, 6, tzinfo=timezone.utc)  # the last seven days, today's included
    assert run.record.figures["records_missing_targeting_detail"] == 1
    assert run.record.figures["cases"]["missing_targeting_detail"] == {"D21-3": ["behaviour_observed under 3 words"]}
    again = await governance.run_audit(ports, lead, governance.RunAudit("weekly"), eleven)
    assert not again.new and again.record == run.record  # the same instant: the same record
    dated = await governance.run_audit(ports, lead, governance.RunAudit("weekly", date(2027, 1, 12)), eleven)
    assert dated.new and dated.record.period_end == datetime(2027, 1, 12, tzinfo=timezone.utc)  # as of a day: to its start
    assert dated.record.figures["records_missing_targeting_detail"] == 0


# ---- 4. the board, for a live case whose next oversight is not open yet -------------------------------


def test_the_board_says_when_the_next_oversight_opens_rather_than_that_none_is_due(records, settings):
    """The 72-hourly oversight done early: no occurrence is open until the last one falls due, when
    the next opens (a cadence). The board says so, not 'No live-case oversight is due'."""
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="D21-4"))
    case.at("2027-01-12T09:40:00+00:00")
    case.complete("record_concern")  # the first oversight opens, due 72 hours on
    due = next(o.due for o in case.state.open_steps if o.step == "live_case_oversight")
    case.at("2027-01-12T10:00:00+00:00")
    case.complete("live_case_oversight", role="operations_director", actor="OD-1")
    assert not any(o.step == "live_case_oversight" for o in case.state.open_steps)
    records.record("D21-4", 1, case.facts)
    now = datetime(2027, 1, 12, 10, 5, tzinfo=timezone.utc)
    documents = open_documents(records)
    ProjectionFeed(records, documents, [LiveCases()]).catch_up()
    view = dashboard(documents, now, settings.calendar)
    (live,) = view["live_cases"]
    assert live["live_case_oversight"]["next_due"] is None
    assert live["live_case_oversight"]["next_opens"] == due.isoformat().replace("+00:00", "Z")
    od = Principal("OD-1", "OD-1", (Assignment("operations_director", None),), "web")
    data = board(od, {**view, "escalations": {}}, now, SimpleNamespace(settings=settings))
    html = " ".join(env.get_template("board_live.html").render(b={**data, "on_call": None}, now=now).split())
    assert "No live-case oversight is due" not in html
    assert f"D21-4</a> (SVC-ELM): next oversight opens on {london(due)}" in html  # Fri 15 Jan 2027, 09:40 GMT
    assert shown(data) == {"D21-4": "SVC-ELM"}  # a case the board shows: its read is audited
