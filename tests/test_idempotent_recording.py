"""Retries never duplicate an event: the store numbers each fact by the workflow's sequence."""

from datetime import timedelta

import pytest
from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError

from activities.case_activities import CaseActivities
from activities.models import FactBatch, StoredBatch
from domain.concern import ConcernBody
from domain.facts import CaseConcluded, ConcernRaised, DevelopmentRecorded
from eventstore.application import OutOfSequence, Superseded
from tests.cases import CaseDriver
from tests.conftest import concern
from bootstrap import build_worker


def raised(case_id: str, body: dict) -> ConcernRaised:
    c = ConcernBody.model_validate(body)
    return ConcernRaised(at=c.identified_at, case_id=case_id, concern=c, pathway="p", pathway_version="1",
                         calendar={}, threshold_profile="sussex")


@pytest.mark.unit
def test_same_batch_twice_is_stored_once(records):
    body = concern("2027-01-12T09:30:00+00:00", case_id="IDEM-1")
    first = [raised("IDEM-1", body)]
    assert [r.seq for r in records.record("IDEM-1", 1, first)] == [1]
    assert [r.seq for r in records.record("IDEM-1", 1, first)] == [1]  # a retry of a batch that did land
    dev = [DevelopmentRecorded(at=first[0].at + timedelta(hours=1), development=1, kind="new_incident", summary="x")]
    assert [r.seq for r in records.record("IDEM-1", 2, dev)] == [2]
    assert [r.fact for r in records.record("IDEM-1", 2, dev)] == dev
    assert [f.type for f in records.stored_facts("IDEM-1")] == ["ConcernRaised", "DevelopmentRecorded"]


@pytest.mark.unit
def test_a_different_fact_at_a_taken_position_is_refused(records):
    body = concern("2027-01-12T09:30:00+00:00", case_id="IDEM-2")
    records.record("IDEM-2", 1, [raised("IDEM-2", body)])
    first = DevelopmentRecorded(at=raised("IDEM-2", body).at, development=1, kind="new_incident", summary="x")
    records.record("IDEM-2", 2, [first])
    other = first.model_copy(update={"kind": "other"})
    with pytest.raises(Superseded, match="event #2 in the store is a different DevelopmentRecorded") as taken:
        records.record("IDEM-2", 2, [other])
    assert [r.fact for r in taken.value.stored] == [first]  # what the store holds there instead
    concluded = CaseConcluded(at=first.at, actor="DSL-1", role="designated_safeguarding_lead", reason="x")
    with pytest.raises(OutOfSequence, match="event #2 in the store is DevelopmentRecorded, not the CaseConcluded"):
        records.record("IDEM-2", 1, [raised("IDEM-2", body), concluded])
    with pytest.raises(OutOfSequence, match="DevelopmentRecorded recorded before the concern was raised"):
        records.record("IDEM-2", 1, [other])
    with pytest.raises(OutOfSequence, match="has already been raised"):
        records.record("IDEM-2", 3, [raised("IDEM-2", body)])
    with pytest.raises(OutOfSequence, match="holds 2 events but the workflow is recording from #5"):
        records.record("IDEM-2", 5, [other])
    assert len(records.stored_facts("IDEM-2")) == 2


class FlakyAfterSaving(CaseActivities):
    """Saves, then fails as if the worker died before reporting success: Temporal retries."""

    failures = 0

    @activity.defn(name="append_facts")
    def append_facts(self, batch: FactBatch) -> StoredBatch:
        stored = super().append_facts(batch)
        if activity.info().attempt == 1:
            FlakyAfterSaving.failures += 1
            raise RuntimeError("worker lost after saving")
        return stored


async def test_activity_retry_after_save_leaves_one_event(env, settings, records):
    async with build_worker(env.client, records, settings, acts=FlakyAfterSaving(records, settings)):
        driver = CaseDriver(env, settings, records)
        case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
        await case.at("2027-01-12T09:35:00+00:00")
        await case.complete("record_concern")
        await driver.terminate_open_cases()
    assert FlakyAfterSaving.failures >= 2  # the raise and the completion were each retried
    seqs = [f.seq for f in case.facts()]
    assert seqs == list(range(1, len(seqs) + 1))
    assert case.types().count("ConcernRaised") == 1 and case.types().count("StepCompleted") == 1


class LostAttemptFirst(CaseActivities):
    """Before appending a step completion, stores what a lost attempt of the same workflow task
    would have stored: the same facts a second earlier (the worker stopped after its local
    activity, and the task ran again at a later instant). With `other_actor`, the lost attempt
    had recorded someone else's completion of the step instead."""

    done = False
    other_actor: str | None = None

    @activity.defn(name="append_facts")
    def append_facts(self, batch: FactBatch) -> StoredBatch:
        if any(f.type == "StepCompleted" for f in batch.facts) and not LostAttemptFirst.done:
            LostAttemptFirst.done = True
            earlier = [f.model_copy(update={"at": f.at - timedelta(seconds=1)}) for f in batch.facts]
            if LostAttemptFirst.other_actor:
                earlier[0] = earlier[0].model_copy(update={"actor": LostAttemptFirst.other_actor})
            self.records.record(batch.case_id, batch.first_seq, earlier)
        return super().append_facts(batch)


async def test_a_lost_attempt_that_recorded_the_same_request_answers_it(env, settings, records):
    """The lost attempt stored this very completion: the member of staff is told it is done, with
    the instant it was recorded at, and nothing is recorded twice."""
    LostAttemptFirst.done, LostAttemptFirst.other_actor = False, None
    async with build_worker(env.client, records, settings, acts=LostAttemptFirst(records, settings)):
        driver = CaseDriver(env, settings, records)
        case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
        await case.at("2027-01-12T09:35:00+00:00")
        receipt = await case.complete("record_concern")
        stored = next(f.fact for f in case.facts() if f.type == "StepCompleted")
        assert LostAttemptFirst.done and receipt.completed_at == stored.at and receipt.step == "record_concern"
        await case.complete("peer_risk_review")  # the case goes on from what the store holds
        await driver.terminate_open_cases()
    seqs = [f.seq for f in case.facts()]
    assert seqs == list(range(1, len(seqs) + 1)) and case.types().count("StepCompleted") == 2


async def test_a_lost_attempts_facts_stand_and_another_request_is_told_it_was_not_recorded(env, settings, records):
    LostAttemptFirst.done, LostAttemptFirst.other_actor = False, "S-OTHER-9"
    async with build_worker(env.client, records, settings, acts=LostAttemptFirst(records, settings)):
        driver = CaseDriver(env, settings, records)
        case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
        await case.at("2027-01-12T09:35:00+00:00")
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await case.complete("record_concern")
        assert "this request was not recorded as sent; check the case's status" in refused.value.cause.message
        status = await case.status()
        assert "record_concern" in status.completed_steps and status.events_recorded == len(case.facts())
        assert [f.fact.actor for f in case.facts() if f.type == "StepCompleted"] == ["S-OTHER-9"]  # the store's facts stand
        await case.complete("peer_risk_review")
        await driver.terminate_open_cases()
    seqs = [f.seq for f in case.facts()]
    assert seqs == list(range(1, len(seqs) + 1)) and case.types().count("StepCompleted") == 2
