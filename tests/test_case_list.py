"""Finding any case (issue 21 part 2): the case list's filters and search, keyset paging with no
duplicate and no gap, who sees what (commissioners refused, an inspector only granted cases until
the grant ends, staff their services), the access log's lines, an erased case leaving the index,
and a rebuild from zero equal to the model fed as facts arrived. Cases are stored as their
workflows record them (tests/pure_case.py), with no Temporal."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from bootstrap import ports as make_ports
from casework.case_list import CaseQuery, cases_csv, find_cases
from casework.refusals import Invalid, NotPermitted
from domain.access import Assignment, Principal
from operations.retention import apply as apply_retention
from projections.case_list import CaseList
from projections.feed import ProjectionFeed
from projections.registry import open_documents, open_feed
from tests.conftest import concern
from tests.pure_case import PureCase
from tests.test_evidence_pack import closed_case
from tests.test_postgres_store import pg_settings  # noqa: F401  (a fixture)

pytestmark = pytest.mark.unit
ELM, OAK = "SVC-ELM", "SVC-OAK"
OAK_SERVICE = {"id": OAK, "name": "Oak Lodge", "provider": "Northgate Care", "client_group": "older people"}
NOW = datetime(2027, 2, 1, 12, tzinfo=timezone.utc)


def staff(user_id: str, role: str, service: str | None = ELM) -> Principal:
    return Principal(user_id, user_id, (Assignment(role, service),), request="GET /cases")


def open_case(records, case_id: str, identified: str, **over) -> PureCase:
    """A case whose concern is recorded: its next steps (the team leader's peer risk review among them) are open."""
    case = PureCase(concern(identified, case_id=case_id, **over))
    case.at(identified).complete("record_concern")
    records.record(case_id, 1, case.facts)
    return case


@pytest.fixture
def ports(settings, records):
    return make_ports(settings, records)


@pytest.fixture
def store(records):
    """Four cases: one closed at Elm, two open at Elm (one raised by SSW-9), one open at Oak."""
    closed_case(records, "CL-CLOSED", adult_at_risk={"id": "A-501"})  # identified 2027-01-12
    open_case(records, "CL-ELM-1", "2027-01-20T09:30:00+00:00", adult_at_risk={"id": "A-117"}, alleged_source={"id": "A-204"})
    open_case(records, "CL-ELM-2", "2027-01-25T09:30:00+00:00", adult_at_risk={"id": "A-300"}, alleged_source={"id": "A-117"},
              raised_by={"actor": "SSW-9", "role": "senior_support_worker"})
    open_case(records, "CL-OAK-1", "2027-01-26T09:30:00+00:00", service=OAK_SERVICE, adult_at_risk={"id": "A-117"})
    return records


def ids(page) -> list[str]:
    return [c["case_id"] for c in page.cases]


def test_filters_and_search_find_the_cases_asked_for(ports, store):
    od = staff("OD-1", "operations_director", None)  # every service
    assert ids(find_cases(ports, od, CaseQuery(), NOW)) == ["CL-OAK-1", "CL-ELM-2", "CL-ELM-1", "CL-CLOSED"]
    assert ids(find_cases(ports, od, CaseQuery(service=ELM), NOW)) == ["CL-ELM-2", "CL-ELM-1", "CL-CLOSED"]
    assert ids(find_cases(ports, od, CaseQuery(status="closed"), NOW)) == ["CL-CLOSED"]
    assert ids(find_cases(ports, od, CaseQuery(status="open"), NOW)) == ["CL-OAK-1", "CL-ELM-2", "CL-ELM-1"]
    # identified between two UK days, both included
    between = CaseQuery(identified_from=date(2027, 1, 20), identified_to=date(2027, 1, 25))
    assert ids(find_cases(ports, od, between, NOW)) == ["CL-ELM-2", "CL-ELM-1"]
    # search: a case id, or an adult as adult at risk or alleged source
    assert ids(find_cases(ports, od, CaseQuery(search="A-117"), NOW)) == ["CL-OAK-1", "CL-ELM-2", "CL-ELM-1"]
    assert ids(find_cases(ports, od, CaseQuery(search="CL-ELM-1"), NOW)) == ["CL-ELM-1"]
    # typed in lower case (found by a new-user trial: "a-117" found nothing)
    assert ids(find_cases(ports, od, CaseQuery(search="a-117"), NOW)) == ["CL-OAK-1", "CL-ELM-2", "CL-ELM-1"]
    assert ids(find_cases(ports, od, CaseQuery(search="cl-elm-1"), NOW)) == ["CL-ELM-1"]
    assert ids(find_cases(ports, od, CaseQuery(search="A-300", service=OAK), NOW)) == []
    # overdue: the open peer risk reviews were due within the hour of being opened in January
    assert ids(find_cases(ports, od, CaseQuery(overdue=True), NOW)) == ["CL-OAK-1", "CL-ELM-2", "CL-ELM-1"]
    assert ids(find_cases(ports, od, CaseQuery(overdue=True), datetime(2027, 1, 20, 9, 31, tzinfo=timezone.utc))) == []
    row = find_cases(ports, od, CaseQuery(search="CL-CLOSED"), NOW).cases[0]
    assert (row["status"], row["level"], row["outcome"], row["overdue"], row["open_step_roles"]) == \
        ("closed", "reportable", "substantiated", False, [])
    assert row["closed_at"] == datetime(2027, 1, 14, 10, tzinfo=timezone.utc)
    # raised by me, and my open work (a step my roles at its service can complete)
    assert ids(find_cases(ports, staff("SSW-9", "senior_support_worker"), CaseQuery(raised_by_me=True), NOW)) == ["CL-ELM-2"]
    assert ids(find_cases(ports, staff("TL-1", "team_leader"), CaseQuery(mine=True), NOW)) == ["CL-ELM-2", "CL-ELM-1"]
    assert ids(find_cases(ports, staff("SSW-1", "senior_support_worker"), CaseQuery(mine=True), NOW)) == []


def test_bad_filters_are_refused_in_plain_words(ports, store):
    od = staff("OD-1", "operations_director", None)
    with pytest.raises(Invalid, match="Search by a case id or an adult's id, like A-117, not a name"):
        find_cases(ports, od, CaseQuery(search="Mary Smith"), NOW)
    with pytest.raises(Invalid, match="must be the same as or before"):
        find_cases(ports, od, CaseQuery(identified_from=date(2027, 2, 1), identified_to=date(2027, 1, 1)), NOW)
    with pytest.raises(Invalid, match="not one Safeguard made"):
        find_cases(ports, od, CaseQuery(cursor="bm90IGEgY3Vyc29y"), NOW)
    with pytest.raises(Invalid, match="between 1 and 100"):
        find_cases(ports, od, CaseQuery(limit=500), NOW)


def test_keyset_pages_cover_every_case_once_forwards_and_back(ports, records):
    start = datetime(2027, 1, 1, 9, tzinfo=timezone.utc)
    made = []
    for i in range(53):  # some share an instant: the case id breaks the tie
        identified = start + timedelta(hours=(i // 2) * 5)
        made.append(open_case(records, f"PG-{i:03d}", identified.isoformat()).state.case_id)
    reader = staff("TL-1", "team_leader")
    pages, cursor = [], None
    while True:
        page = find_cases(ports, reader, CaseQuery(limit=7, cursor=cursor), NOW)
        pages.append(ids(page))
        assert (page.previous_cursor is None) == (cursor is None)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    seen = [c for p in pages for c in p]
    assert len(pages) == 8 and len(seen) == 53 and len(set(seen)) == 53
    expected = sorted(made, key=lambda c: (next(r for r in records.stored_facts(c)).fact.concern.identified_at, c), reverse=True)
    assert seen == expected
    back, cursor = [], page.previous_cursor  # from the last page to the first
    while cursor:
        page = find_cases(ports, reader, CaseQuery(limit=7, cursor=cursor), NOW)
        back.insert(0, ids(page))
        cursor = page.previous_cursor
    assert back == pages[:-1]


def test_who_sees_what(ports, store, settings):
    commissioner = Principal("COM-1", "COM-1", (Assignment("commissioner"),))
    with pytest.raises(NotPermitted, match="Commissioners see the commissioner records"):
        find_cases(ports, commissioner, CaseQuery(), NOW)
    assert ids(find_cases(ports, staff("SSW-2", "senior_support_worker", OAK), CaseQuery(), NOW)) == ["CL-OAK-1"]
    assert ids(find_cases(ports, staff("SSW-2", "senior_support_worker", OAK), CaseQuery(search="CL-ELM-1"), NOW)) == []
    grant = Assignment("inspector", cases=("CL-ELM-1", "CL-CLOSED"), until=NOW + timedelta(days=5))
    inspector = Principal("INS-1", "INS-1", (grant,))
    assert ids(find_cases(ports, inspector, CaseQuery(), NOW)) == ["CL-ELM-1", "CL-CLOSED"]
    assert ids(find_cases(ports, inspector, CaseQuery(search="A-117"), NOW)) == ["CL-ELM-1"]
    with pytest.raises(NotPermitted, match="inspection access has ended"):
        find_cases(ports, inspector, CaseQuery(), NOW + timedelta(days=5))
    with pytest.raises(NotPermitted, match="Only managers and safeguarding leads"):
        cases_csv(ports, inspector, CaseQuery(), NOW)
    with pytest.raises(NotPermitted):
        cases_csv(ports, staff("SSW-1", "senior_support_worker"), CaseQuery(), NOW)
    refused = [a for a in ports.accounts.access_log() if a.action == "refused"]
    assert {a.user_id for a in refused} == {"COM-1", "INS-1", "SSW-1"}


def test_lists_searches_and_downloads_are_in_the_access_log(ports, store):
    tl = staff("TL-1", "team_leader")
    find_cases(ports, tl, CaseQuery(search="A-117", status="open"), NOW)
    lines = [a for a in ports.accounts.access_log(user_id="TL-1")]
    assert lines[0].target == "case list (status open; search A-117)" and lines[0].action == "read"
    assert [(a.case_id, a.service, a.target) for a in lines[1:]] == [("CL-ELM-2", ELM, "case list"), ("CL-ELM-1", ELM, "case list")]
    assert any(a.user_id == "TL-1" for a in ports.accounts.access_log(case_id="CL-ELM-1"))  # who_read names them
    # a manager at Elm who is also a support worker at Oak downloads Elm's cases only
    rm = Principal("RM-1", "RM-1", (Assignment("registered_manager", ELM), Assignment("senior_support_worker", OAK)))
    assert ids(find_cases(ports, rm, CaseQuery(), NOW)) == ["CL-OAK-1", "CL-ELM-2", "CL-ELM-1", "CL-CLOSED"]
    text, count = cases_csv(ports, rm, CaseQuery(identified_from=date(2027, 1, 1)), NOW)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert count == 3 and [r["Case"] for r in rows] == ["CL-ELM-2", "CL-ELM-1", "CL-CLOSED"]
    assert rows[2]["Level"] == "reportable" and rows[2]["Closed (UK time)"] == "2027-01-14 10:00"
    assert rows[0]["Overdue"] == "yes" and "team leader" in rows[0]["Open steps are with"].split(", ")
    export = ports.accounts.access_log(user_id="RM-1")[-1]
    assert (export.action, export.target) == ("export", "case list download (identified 2027-01-01 to any day): 3 cases")


def test_a_case_erased_under_retention_leaves_the_index(ports, store, settings):
    od = staff("OD-1", "operations_director", None)
    assert "CL-CLOSED" in ids(find_cases(ports, od, CaseQuery(), NOW))
    erased = apply_retention(store, open_feed(store), settings.retention_years, date(2036, 1, 1), "DPO-1")
    assert [d.case_id for d in erased] == ["CL-CLOSED"]
    assert ids(find_cases(ports, od, CaseQuery(), NOW)) == ["CL-OAK-1", "CL-ELM-2", "CL-ELM-1"]
    assert ids(find_cases(ports, od, CaseQuery(search="A-501"), NOW)) == []
    rows = open_documents(store).select("SELECT case_id FROM {case_list} WHERE case_id = ?", ["CL-CLOSED"])
    assert rows == []


def test_rebuilt_from_zero_the_list_is_the_one_fed_as_facts_arrived(records):
    live = ProjectionFeed(records, open_documents(records), [CaseList()], batch_size=3)
    closed_case(records, "RB-1")
    live.catch_up()
    case = open_case(records, "RB-2", "2027-01-20T09:30:00+00:00")
    live.catch_up()
    case.at("2027-01-20T12:00:00+00:00")  # its peer risk review missed: escalated
    records.record("RB-2", len(records.stored_facts("RB-2")) + 1, case.facts[len(records.stored_facts("RB-2")):])
    live.catch_up()
    everything = "SELECT * FROM {case_list} ORDER BY case_id"
    holders = "SELECT * FROM {case_holders} ORDER BY case_id, role"
    fed = (live.documents.select(everything, []), live.documents.select(holders, []))
    assert [r["case_id"] for r in fed[0]] == ["RB-1", "RB-2"]
    assert {r["role"] for r in fed[1]} > {"team_leader"}  # escalated: another role can complete it too
    rebuilt = ProjectionFeed(records, open_documents(records), [CaseList()])
    rebuilt.rebuild("case_list")
    assert (rebuilt.documents.select(everything, []), rebuilt.documents.select(holders, [])) == fed


def test_the_case_list_on_postgres(pg_settings):
    """The same table, indexes and keyset queries on PostgreSQL, written with its documents."""
    from bootstrap import open_records

    records = open_records(pg_settings)
    for i in range(9):
        open_case(records, f"PGL-{i}", f"2027-01-{10 + i}T09:30:00+00:00", adult_at_risk={"id": f"A-{900 + i % 3}"})
    ports = make_ports(pg_settings, records)
    reader = staff("TL-1", "team_leader")
    first = find_cases(ports, reader, CaseQuery(limit=4), NOW)
    second = find_cases(ports, reader, CaseQuery(limit=4, cursor=first.next_cursor), NOW)
    third = find_cases(ports, reader, CaseQuery(limit=4, cursor=second.next_cursor), NOW)
    assert ids(first) + ids(second) + ids(third) == [f"PGL-{i}" for i in reversed(range(9))] and third.next_cursor is None
    assert ids(find_cases(ports, reader, CaseQuery(limit=4, cursor=third.previous_cursor), NOW)) == ids(second)
    assert ids(find_cases(ports, reader, CaseQuery(search="A-901", mine=True, overdue=True), NOW)) == ["PGL-7", "PGL-4", "PGL-1"]
    feed = open_feed(records)
    fed = feed.documents.select("SELECT * FROM {case_list} ORDER BY case_id", [])
    feed.rebuild("case_list")
    assert feed.documents.select("SELECT * FROM {case_list} ORDER BY case_id", []) == fed and len(fed) == 9
