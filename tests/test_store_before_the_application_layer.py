"""A store written before the application layer (issue 17) keeps loading, with nothing rewritten.

`fixtures/before_issue_17_events.json` holds the stored events (state as written, base64) of a
store made by the code as it stood before: a case with a development sent with a request id, an
account with a grant and a token, access-log lines, an answer kept for an Idempotency-Key (the
scheme this issue retired: answers are now read back from the facts a request recorded), a
governance audit and an evidence export. No fact class moved, so every stored topic still names
its class; the facts that gained a request id read as having none."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from domain.facts import DevelopmentRecorded, NoteAdded, StepCompleted
from domain.identity import IdempotentAnswer
from eventstore.accounts import Accounts
from evidence.verify import verify
from projections.case_history import chronology
from projections.registry import open_documents, open_feed

pytestmark = pytest.mark.unit
FIXTURE = Path(__file__).parent / "fixtures" / "before_issue_17_events.json"


@pytest.fixture
def plain_records(tmp_path, monkeypatch):
    from bootstrap import open_records
    from configuration.settings import get_settings

    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAFEGUARD_ENCRYPT_AT_REST", "false")
    get_settings.cache_clear()
    try:
        yield open_records(get_settings())
    finally:
        get_settings.cache_clear()


def load(records) -> list[dict]:
    rows = json.loads(FIXTURE.read_text())
    records.recorder.insert_events([StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"],
                                                base64.b64decode(r["state"])) for r in rows])
    return rows


def test_every_event_of_the_earlier_store_loads_as_its_fact(plain_records):
    rows = load(plain_records)
    notifications = plain_records.recorder.select_notifications(start=1, limit=1000)
    assert len(notifications) == len(rows)
    facts = [plain_records.mapper.to_domain_event(n).fact for n in notifications]
    assert {"ConcernRaised", "StepCompleted", "DevelopmentRecorded", "AccessRecorded", "IdempotentAnswer",
            "AuditCompleted", "EvidenceExported", "UserAdded", "TokenIssued"} <= {type(f).__name__ for f in facts}
    assert [f.request_id for f in facts if isinstance(f, StepCompleted)] == [None]
    assert [f.request_id for f in facts if isinstance(f, DevelopmentRecorded)] == ["SSW-1:k1"]
    assert [f.key for f in facts if isinstance(f, IdempotentAnswer)] == ["k1"]  # kept; nothing writes one now


def test_the_earlier_store_reads_and_verifies_as_it_did(plain_records):
    load(plain_records)
    assert [e["type"] for e in chronology(plain_records.stored_facts("BEFORE-17"))][:2] == ["ConcernRaised", "StepOpened"]
    feed = open_feed(plain_records)
    feed.catch_up()
    assert "BEFORE-17" in {case["case_id"] for _, case in feed.documents.scan("live_cases")}
    accounts = Accounts(plain_records)
    assert [a.role for a in accounts.account("DSL-7").assignments] == ["designated_safeguarding_lead"]
    assert [t.name for t in accounts.tokens("DSL-7")] == ["cli"]
    assert [e.case_id for e in accounts.access_log(case_id="BEFORE-17")] == ["BEFORE-17"]
    result = verify(plain_records, open_documents(plain_records))
    assert result.intact, [b.line() for b in result.breaks]


def test_the_one_append_path_carries_on_the_earlier_streams(plain_records):
    load(plain_records)
    facts = plain_records.stored_facts("BEFORE-17")
    note = NoteAdded(at=facts[-1].at, note=1, text="read the earlier record", actor="DSL-7",
                     role="designated_safeguarding_lead", request_id="DSL-7:n1")
    plain_records.record("BEFORE-17", len(facts) + 1, [note])
    assert plain_records.record("BEFORE-17", len(facts) + 1, [note])[0].fact == note  # a retry stores nothing more
    Accounts(plain_records).audit("DSL-7", "read", "GET /cases/{case_id}", True, case_id="BEFORE-17")
    assert len(plain_records.stored_facts("BEFORE-17")) == len(facts) + 1
    assert len(Accounts(plain_records).access_log(case_id="BEFORE-17")) == 2
    result = verify(plain_records, open_documents(plain_records))
    assert result.intact, [b.line() for b in result.breaks]
