"""A new concern for a service carries that service's history of earlier concerns and their
outcomes (004: "this record system will be interrogated"), with no adult ids."""

from tests.conftest import concern
from tests.stories import full_pathway

SERVICE = {"id": "SVC-HIST", "name": "Hazel House", "provider": "Northgate Care", "client_group": "mental health"}


async def test_second_concern_is_told_the_first_ones_outcome(driver):
    first = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", service=SERVICE))
    attached = await first.recorded("ServiceHistoryAttached")
    assert [(a.fact.service_id, a.fact.history) for a in attached] == [("SVC-HIST", None)]
    await full_pathway(first)

    second = await driver.raise_concern(concern("2027-01-20T09:30:00+00:00", service=SERVICE,
                                                adult_at_risk={"id": "A-300"}, alleged_source={"id": "A-204"}))
    (attached,) = await second.recorded("ServiceHistoryAttached")
    history = attached.fact.history
    assert history["concerns"] == 1 and history["outcomes"]["substantiated"] == 1
    assert [(c["case_id"], c["outcome"]) for c in history["earlier_concerns"]] == [(first.id, "substantiated")]
    text = str(history)
    assert "A-117" not in text and "A-300" not in text and "A-204" not in text


async def test_the_history_is_read_on_the_background_queue_and_the_case_replays(driver):
    """Off staff's path, a few at a time: the worker serves the background queue beside the task queue."""
    from temporalio.api.enums.v1 import EventType
    from tests.test_replay import replayer
    from workflows.queues import background_queue

    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", service=SERVICE))
    await case.recorded("ServiceHistoryAttached")
    history = await case.handle.fetch_history()
    scheduled = [e.activity_task_scheduled_event_attributes for e in history.events
                 if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    assert [(a.activity_type.name, a.task_queue.name) for a in scheduled] == [
        ("service_history", background_queue(driver.settings.task_queue))]
    assert (await replayer(driver.env.client.data_converter).replay_workflow(history)).replay_failure is None
