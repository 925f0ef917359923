"""A store written before facts became the stored events (topics `eventstore.concern:Concern.*`,
`eventstore.audit:GovernanceAudit.*`) is read as it stands: never rewritten, and every read
model answers from it exactly as the code that wrote it did.

`fixtures/legacy_events.json` is that store's events as written (two cases told by
`tests/stories.py`, and a weekly audit); `fixtures/legacy_read_models.json` is what the read
models said of it then."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from projections.case_history import chronology
from projections.commissioner import commissioner_records, service_history
from projections.dashboard import CLOSED, LIVE_BELOW, LiveCases, dashboard
from projections.governance import governance_view
from projections.registry import open_feed

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).parent / "fixtures"


def load_legacy(records) -> None:
    rows = json.loads((FIXTURES / "legacy_events.json").read_text())
    records.recorder.insert_events([
        StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"], r["state"].encode()) for r in rows
    ])


def as_json(value):
    return json.loads(json.dumps(value, default=str, sort_keys=True))


FROM_A_PROCESS_SINCE = ("caution.cooperative", "suspension.unwilling_to_engage")
PROCESS_FIGURES = ("process_plan_agreed", "process_actions_missed", "process_plan_met", "process_plan_not_met",
                   "concerns_after_plan_met", "process_suspended")


def test_read_models_answer_from_a_legacy_store_as_they_did(records, settings):
    load_legacy(records)
    expected = json.loads((FIXTURES / "legacy_read_models.json").read_text())
    feed = open_feed(records)
    feed.catch_up()
    now = datetime(2027, 2, 2, 12, tzinfo=timezone.utc)
    assert as_json({c: chronology(records.stored_facts(c)) for c in ("LEGACY-full", "LEGACY-missed")}) == expected["chronology"]
    then = expected["documents"]  # the read models there were then (later ones are built from the same events)
    # live_cases keeps what identifies a closed case since (issue 22), past its live keys
    now_docs = as_json({name: dict(feed.documents.scan(name, below=LIVE_BELOW if name == LiveCases.name else None))
                        for name in then})
    kept = {k: d["case_id"] for k, d in feed.documents.scan(LiveCases.name) if k >= LIVE_BELOW}
    assert list(kept.values()) == ["LEGACY-full"] and all(k.startswith(CLOSED) for k in kept)
    for doc in now_docs.get("live_cases", {}).values():  # added since (issue 21): when the next oversight opens
        opens = doc.pop("oversight_opens", None) if isinstance(doc, dict) else None
        assert opens is None or datetime.fromisoformat(opens)
    assert now_docs == then
    view = as_json(dashboard(feed.documents, now, settings.calendar))
    for case in view["live_cases"]:  # additions since: each escalation's id, whether time left is working time,
        for e in case["escalations_outstanding"]:  # and whether its workflow stopped (issue 18)
            assert e.pop("escalation_id").startswith("E")
            assert e.pop("alerts") == [] and e.pop("acknowledged") is None  # and its alerts (issue 20)
        assert case.pop("stopped") is None and case.pop("escalations_acknowledged") == []
        next_opens = case["live_case_oversight"].pop("next_opens")  # issue 21: none open, when the next opens
        assert next_opens is None or datetime.fromisoformat(next_opens)
    for d in view["deadlines"]:
        assert isinstance(d.pop("working_time"), bool)
        assert d.pop("stopped") is None
    assert view == expected["dashboard"]
    records_now = as_json(commissioner_records(feed.documents))
    for r in records_now:  # added since: mutual-harm counts (pathway 2026.12.1) and 004's process per service
        assert r.pop("mutual_harm_concerns") == 0 and r.pop("process") is None
        # and (issue 19 §2) Appendix A's columns apart with what matched each criterion, and the figures
        # read from a provider-concern process (none here), whose two criteria are no longer "not recorded"
        d = r["decision"]
        assert d.pop("set_aside_because") is None and not d.pop("caution")["set_aside"] and not d.pop("suspension")["set_aside"]
        for c in d["matched"]:
            c.pop("matched_by")
        d["not_matched"] = [c for c in d["not_matched"] if c not in FROM_A_PROCESS_SINCE]
        assert all(r["figures"].pop(f) == 0 for f in PROCESS_FIGURES)
        for review in r["service_reviews"]:  # and the governance action tracking each review (issue 19)
            assert review.pop("action").startswith(f"service_review-{r['service_id']}-")
    then_records = expected["commissioner_records"]
    for r in then_records:
        r["decision"]["not_evidenced"] = [c for c in r["decision"]["not_evidenced"] if c["id"] not in FROM_A_PROCESS_SINCE]
    assert records_now == then_records
    assert as_json(service_history(feed.documents, "SVC-ELM")) == expected["service_history"]
    assert as_json(governance_view(feed.documents)) == expected["governance"]
