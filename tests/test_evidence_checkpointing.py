"""Issue 19 §0: removing a case's latest events went undetected until the next checkpoint, which
came every 60 minutes. The worker now takes one at once when a case concludes or closes, and at
least every 5 minutes while anything changed (nothing when nothing did)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from configuration.settings import Settings
from domain.facts import CaseClosed, CaseConcluded, DevelopmentRecorded
from evidence.checkpointing import Checkpointing
from evidence.store import checkpoints
from evidence.verify import verify
from projections.registry import open_documents
from tests.test_evidence_verify import Rows, delete_last, fill

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def append(records, case_id: str, fact) -> None:
    records.record(case_id, len(records.stored_facts(case_id)) + 1, [fact])


def test_a_checkpoint_when_a_case_concludes_or_closes_and_every_five_minutes_while_anything_changed(records):
    fill(records)
    documents, clock = open_documents(records), Clock()
    taking = Checkpointing(records, documents, every=Settings().evidence_checkpoint_minutes * 60, clock=clock)
    assert taking.every == 300
    assert taking.due() is None  # written, but neither a milestone nor 5 minutes yet
    clock.t = 300
    assert taking.step()["seq"] == 1  # the genesis, after 5 minutes
    clock.t = 900
    assert taking.due() == "interval" and taking.step() is None  # nothing changed: nothing taken
    append(records, "TV-A", CaseConcluded(at="2027-01-12T11:00:00+00:00", actor="DSL-1", role="designated_safeguarding_lead",
                                          reason="enquiry concluded"))
    clock.t = 901  # a second later, not five minutes
    assert taking.due() == "milestone" and taking.step()["seq"] == 2
    append(records, "TV-B", DevelopmentRecorded(at="2027-01-12T11:05:00+00:00", development=1, kind="update", summary="x"))
    clock.t = 1000
    assert taking.step() is None and len(checkpoints(documents)) == 2  # an ordinary change waits for the interval
    append(records, "TV-A", CaseClosed(at="2027-01-12T12:00:00+00:00", outcome="substantiated", actor="Q-1",
                                       role="quality_safeguarding_lead"))
    assert taking.step()["seq"] == 3
    # the closed case's last event removed behind Safeguard's back is now found
    delete_last(Rows(records, Settings(data_dir=Path(records.env["SQLITE_DBNAME"]).parent)))
    assert [(b.name, b.kind) for b in verify(records, documents).breaks] == [("case TV-A", "removed")]


def test_the_worker_thread_takes_them_and_stops(records):
    fill(records)
    documents = open_documents(records)
    taking = Checkpointing(records, documents, every=0, poll=0.01)
    stop = threading.Event()
    thread = threading.Thread(target=taking.run, args=(stop,))
    thread.start()
    try:
        deadline = time.monotonic() + 120  # a bound for a stuck thread, not a speed target
        while not checkpoints(documents) and time.monotonic() < deadline:
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join()
    assert checkpoints(documents)[0]["seq"] == 1
