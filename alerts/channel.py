"""What every channel answers: sent (with the provider's reference), or a failure that is worth
retrying (the server busy or away) or not (the address refused, the key wrong)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Delivered:
    channel: str  # "email" or "text"
    via: str  # "smtp" or "notify"
    reference: str  # the Message-ID, or Notify's notification id


class SendFailed(Exception):
    """A message not sent. `retry`: worth sending again later (the activity's retries do). The
    message names the failure in plain words, never the address it was for."""

    def __init__(self, message: str, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry
