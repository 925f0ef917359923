"""The task queues a worker serves. A case's workflow, staff's updates and what they wait on run
on the task queue (`SAFEGUARD_TASK_QUEUE`). Work off every member of staff's path, the service's
history that a raise leaves to be attached after its answer, runs on a queue of its own beside it,
which the same worker serves with a few activity slots (bootstrap.BACKGROUND_ACTIVITIES): after a
burst of raises, their histories wait their turn at Temporal instead of crowding the worker's one
process while staff complete steps."""

from __future__ import annotations


def background_queue(task_queue: str) -> str:
    return f"{task_queue}-background"
