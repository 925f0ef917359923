"""A command a case (or a process, or a governance action) cannot take, and what kind of refusal it is.

The kind travels with the refusal out of the workflow (as the ApplicationError's details), so the
application layer answers by kind and never by the wording of the message."""

from __future__ import annotations

from typing import Literal, get_args

Kind = Literal[
    "invalid",  # the command itself is wrong (a record's fields, an unknown outcome)
    "not_found",  # it names what is not there (an unknown step)
    "not_permitted",  # the role cannot do it
    "not_open",  # the case, step or escalation is not open for it (not yet, or no longer)
    "already_done",  # done already, by this request or another
    "already_recorded",  # this very request (its request id) is recorded already: answer as it was
    "conflict",  # the same id was used for something else
    "unavailable",  # not yet ready (still being raised): try again in a moment
]
KINDS: tuple[str, ...] = get_args(Kind)


class Rejected(ValueError):
    """A command the case cannot take; the message says why, `kind` what sort of refusal it is.
    Nothing is recorded."""

    def __init__(self, message: str, kind: Kind = "invalid") -> None:
        super().__init__(message)
        self.kind: Kind = kind
