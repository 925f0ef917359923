"""Why a use case did not do what was asked: one class per kind of refusal.

Every use case returns its result or raises one of these. The message says why, in words for the
person who asked; the faces choose what to do by the class (a status code, an exit code, where a
page shows it), never by the words.
"""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A request Safeguard did not carry out, and nothing of it was recorded."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details  # what a machine reading the refusal may want (a case id, say)


class NotFound(Refusal):
    """No such case, process, action or record; also what a case the asker may not see looks like."""


class NotPermitted(Refusal):
    """The asker's roles do not allow it."""


class NotOpen(Refusal):
    """The case, step, escalation or process is not open for it: not yet, or no longer."""


class AlreadyDone(Refusal):
    """Done already: the step completed, the action completed, the process decided."""


class AlreadyRecorded(AlreadyDone):
    """This very request (its request id) was recorded before: its answer is read from what it recorded."""


class Conflict(Refusal):
    """The id (a case id, an idempotency key) was used for something else."""


class Invalid(Refusal):
    """The request itself is wrong: a missing field, a bad value, an unknown step."""


class Malformed(Invalid):
    """The request could not be read at all: not JSON, not UTF-8."""


class Gone(Refusal):
    """Erased under retention."""


class Unavailable(Refusal):
    """Temporal, a worker or the event store could not be reached, or is not ready yet."""


class NotYetRecorded(Unavailable):
    """A request Temporal holds but no worker has recorded in time. `accepted`: the workflow took it
    (its validator passed), so it will be recorded as soon as the event store takes it; otherwise no
    worker answered. A raise is kept either way once its workflow exists, as the concern is the
    workflow's input."""

    def __init__(self, case_id: str, what: str, accepted: bool, within_s: int, raised: bool = False) -> None:
        self.case_id, self.what, self.accepted, self.within_s, self.raised = case_id, what, accepted, within_s, raised
        super().__init__(self.explain("the event store", "its task queue"), case_id=case_id, accepted=accepted)

    def explain(self, store: str, task_queue: str) -> str:
        check = f"check with `safeguard concern status {self.case_id}`"
        failing = (f"the event store ({store}) is failing or too slow (the worker could not write to it within "
                   f"{self.within_s} s)")
        if self.raised:
            again = "do not raise it again (the same body raised again answers with this case, never a second one)"
            if self.accepted:
                return (f"case {self.case_id}: the concern is accepted but not yet recorded: {failing}. It will be "
                        f"recorded when the store recovers, with nothing more to do: {again}; {check}")
            return (f"case {self.case_id}: the concern is accepted (its workflow is started) but not yet recorded: no "
                    f"worker answered within {self.within_s} s on task queue {task_queue}. It will be recorded when a "
                    f"worker runs (`safeguard worker`), with nothing more to do: {again}; {check}")
        if self.accepted:
            return (f"case {self.case_id}: {self.what} was accepted but is not yet recorded: {failing}. It will be "
                    f"recorded when the store recovers, unless the case has moved on meanwhile: {check} rather than "
                    "sending it again")
        return (f"case {self.case_id}: {self.what} was not accepted: no worker answered within {self.within_s} s on "
                f"task queue {task_queue} (start one with `safeguard worker`). Nothing of it is recorded yet, but "
                f"Temporal may still hand it to a worker that starts: {check} before sending it again")


# a workflow's Rejected kind (domain/case/rejection.py), as the refusal it is
BY_KIND: dict[str, type[Refusal]] = {
    "invalid": Invalid, "not_found": NotFound, "not_permitted": NotPermitted, "not_open": NotOpen,
    "already_done": AlreadyDone, "already_recorded": AlreadyRecorded, "conflict": Conflict, "unavailable": Unavailable,
}


def of_kind(kind: str | None, message: str) -> Refusal:
    return BY_KIND.get(kind or "invalid", Invalid)(message)
