"""The defects issue 21 lists, each reproduced as found in the trial (the browser ones are in
test_issue21_defects_browser.py)."""

from __future__ import annotations

import pytest

import bootstrap
from casework import cases
from casework.refusals import NotOpen
from domain.access import Assignment, Principal
from evidence.pack import build_pack
from evidence.render import html
from projections.registry import open_documents
from tests.conftest import concern
from tests.pure_case import PureCase
from tests.test_evidence_pack import GENERATED, closed_case


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
    assert "record concern, was done late, at Tue 12 Jan 2027, 09:50 GMT" in message
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
    assert "Record concern was done late at 2027-01-12T09:50:00Z; no acknowledgement was needed after that." in row
    e2 = next(r for r in html(pack).split("<tr>") if r.startswith("<td>E2</td>"))
    assert "DSL-7" in e2  # a trigger escalation acknowledged reads as before
