"""Repeated failures are throttled (signing in, a wrong current password, a reset link that does not
work): per key (a user id, an address), a sliding window, in this process's memory. One per process,
in the ports (casework/ports.py), shared by every face."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta


class Throttle:
    def __init__(self) -> None:
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: datetime, window: timedelta) -> deque[datetime]:
        q = self._failures[key]
        while q and q[0] <= now - window:
            q.popleft()
        return q

    def wait(self, keys: list[str], now: datetime, attempts: int, window: timedelta) -> int:
        """Seconds until a sign-in may be tried again for any of `keys`; 0 if it may now."""
        with self._lock:
            waits = [int((q[0] + window - now).total_seconds()) + 1
                     for q in (self._recent(k, now, window) for k in keys) if len(q) >= attempts]
        return max(waits, default=0)

    def failed(self, keys: list[str], now: datetime) -> None:
        with self._lock:
            for k in keys:
                self._failures[k].append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
