"""A worker takes a few workflow tasks at once from the task queue itself (chiefly raises), and
its sticky queue's tasks (staff's updates to the cases it holds) still find a slot: a burst of
raises waits at Temporal (configuration/worker_slots.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from configuration.worker_slots import FewNewAtOnce

pytestmark = pytest.mark.unit


@dataclass
class Reserve:
    is_sticky: bool
    slot_type: str = "workflow"
    task_queue: str = "q"
    worker_identity: str = "w"
    worker_build_id: str = ""
    worker_deployment_version: None = None


@dataclass
class Release:
    permit: object
    slot_info: object = None


async def test_tasks_from_the_task_queue_wait_beyond_the_few_and_sticky_ones_do_not():
    slots = FewNewAtOnce(total=4, new=2)
    new = [await slots.reserve_slot(Reserve(False)) for _ in range(2)]
    third = asyncio.create_task(slots.reserve_slot(Reserve(False)))
    await asyncio.sleep(0.01)
    assert not third.done() and slots.try_reserve_slot(Reserve(False)) is None
    sticky = await asyncio.wait_for(slots.reserve_slot(Reserve(True)), 1)  # an update to a case held here
    slots.release_slot(Release(sticky))
    await asyncio.sleep(0.01)
    assert not third.done()  # a sticky slot freed does not let a third new task in
    slots.release_slot(Release(new[0]))
    await asyncio.wait_for(third, 1)
    assert (slots.used, slots.used_new) == (2, 2)


async def test_no_task_beyond_the_total():
    slots = FewNewAtOnce(total=2, new=1)
    held = [await slots.reserve_slot(Reserve(True)), await slots.reserve_slot(Reserve(False))]
    waiting = asyncio.create_task(slots.reserve_slot(Reserve(True)))
    await asyncio.sleep(0.01)
    assert not waiting.done() and slots.try_reserve_slot(Reserve(True)) is None
    slots.release_slot(Release(held[1]))
    assert (await asyncio.wait_for(waiting, 1)).sticky and (slots.used, slots.used_new) == (2, 0)


def test_the_few_are_at_least_one_and_at_most_the_total():
    for total, new in ((4, 0), (4, 5)):
        with pytest.raises(ValueError, match="between 1 and 4"):
            FewNewAtOnce(total, new)
