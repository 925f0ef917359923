"""Repeated failures are throttled (signing in, a wrong current password, a reset link that does not
work): per key (a user id, an address), a sliding window. The failures are counted in the event
store's database (eventstore/shared.py), so every web replica and the CLI count the same ones: a
fifth wrong password sent to another replica is still the fifth. One per process, in the ports
(casework/ports.py), shared by every face."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class FailureStore(Protocol):
    def failures(self, keys: list[str], since: float) -> dict[str, tuple[int, float]]: ...

    def failed(self, keys: list[str], at: float) -> None: ...

    def forget(self, key: str) -> None: ...


class Throttle:
    def __init__(self, store: FailureStore) -> None:
        self.store = store

    def wait(self, keys: list[str], now: datetime, attempts: int, window: timedelta) -> int:
        """Seconds until a sign-in may be tried again for any of `keys`; 0 if it may now."""
        since = (now - window).timestamp()
        found = self.store.failures(keys, since)
        waits = [int(first + window.total_seconds() - now.timestamp()) + 1
                 for count, first in found.values() if count >= attempts]
        return max(waits, default=0)

    def failed(self, keys: list[str], now: datetime) -> None:
        self.store.failed(keys, now.timestamp())

    def succeeded(self, key: str) -> None:
        self.store.forget(key)
