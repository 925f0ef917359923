"""How a process learns that the event log grew, to fold the read models and push the board at once.

On PostgreSQL every append already sends a notification in its own transaction (the eventsourcing
library's recorder runs `NOTIFY <events table>` before its insert, so it is delivered on commit, to
every listener, whichever process appended): one connection per process `LISTEN`s, and wakes the
read models' feed (projections/feed.py) and the board's stream (web/pages/live.py). The access log
grows with every read, so the feed acts at once after a quiet spell and at most every `BUSY_GAP`
while appends keep coming (a burst costs one pass, as polling did), and the board looks past what
only the access log and tokens' use appended (`grew`). Both still look every `SAFETY` seconds, in
case a notification was lost while the connection was being made again.
SQLite has no notifications: `log_changes` answers None, and its callers keep polling.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable

import structlog
from eventsourcing.postgres import PostgresFactory
from psycopg import Connection, connect
from psycopg.sql import SQL, Identifier

from eventstore.application import SafeguardingRecords

SAFETY = 5.0  # seconds: listeners look anyway this often (a notification lost in a reconnection)
# seconds: while the log keeps growing (every read of personal data appends an access-log line), a
# listener acts at most this often, so a burst is folded in one pass; after a quiet spell, at once
BUSY_GAP = 0.2
RECONNECT_AFTER = (0.2, 5.0)  # seconds: the first pause before connecting again, and the longest
log = structlog.get_logger("safeguard.eventstore")


class Listener:
    """A `LISTEN` on its own connection, in a thread: counts the notifications, and wakes whoever
    waits (threads through `wait`, event loops through `until`). Waiters take `mark()` before they
    read the log, then wait for the count to pass it: a notification in between is never missed."""

    def __init__(self, open_connection: Callable[[], Connection[Any]], channel: str) -> None:
        self.open_connection, self.channel = open_connection, channel
        self._count = 0
        self._changed = threading.Condition()
        self._pokes: set[Callable[[], None]] = set()
        self._closed = threading.Event()
        self.connected = threading.Event()
        threading.Thread(target=self._listen, name="event-log-listener", daemon=True).start()

    def mark(self) -> int:
        with self._changed:
            return self._count

    def wait(self, mark: int, timeout: float, stop: threading.Event | None = None) -> bool:
        """Block until a notification after `mark`, `timeout` seconds, or `stop`; True if notified."""
        end = time.monotonic() + timeout
        with self._changed:
            while self._count == mark and not (stop is not None and stop.is_set()):
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(min(left, 0.5) if stop is not None else left)
            return self._count != mark

    async def until(self, mark: int, timeout: float) -> bool:
        """In an event loop: wait for a notification after `mark`, or `timeout` seconds; True if notified."""
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()

        def poke() -> None:
            try:
                loop.call_soon_threadsafe(woken.set)
            except RuntimeError:  # the loop has closed
                pass

        with self._changed:
            if self._count != mark:
                return True
            self._pokes.add(poke)
        try:
            await asyncio.wait_for(woken.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            with self._changed:
                self._pokes.discard(poke)

    def close(self) -> None:
        self._closed.set()

    def _bump(self) -> None:
        with self._changed:
            self._count += 1
            self._changed.notify_all()
            pokes = list(self._pokes)
        for poke in pokes:
            poke()

    def _listen(self) -> None:
        pause = RECONNECT_AFTER[0]
        while not self._closed.is_set():
            try:
                with self.open_connection() as conn:
                    conn.execute(SQL("LISTEN {}").format(Identifier(self.channel)))
                    self.connected.set()
                    self._bump()  # whatever was appended while not listening is looked for now
                    pause = RECONNECT_AFTER[0]
                    while not self._closed.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self._bump()
            except Exception as e:  # the database restarting, a network blip: listen again
                self.connected.clear()
                log.warning("event log listener reconnecting", error=type(e).__name__)
                self._closed.wait(pause)
                pause = min(pause * 2, RECONNECT_AFTER[1])


BACKGROUND = ("AccessRecorded", "TokenUsed")  # appended by every read and token use: they change no board


def grew(records: SafeguardingRecords, after: int, upto: int) -> bool:
    """Whether the log holds more after position `after` (to `upto`) than lines of the access log and
    tokens' use, which every read appends and no read model of the board folds."""
    start = after + 1
    while start <= upto:
        page = records.recorder.select_notifications(start=start, limit=200, stop=upto)
        if not page:
            return False
        if any(n.topic.rsplit(":", 1)[-1] not in BACKGROUND for n in page):
            return True
        start = page[-1].id + 1
    return False


def paced(last_started: float) -> float:
    """Seconds to wait before acting again, when the last pass began at `last_started` (monotonic)."""
    return max(0.0, last_started + BUSY_GAP - time.monotonic())


def log_changes(records: SafeguardingRecords) -> Listener | None:
    """The process's listener for `records`' log (made once), or None where the store cannot notify (SQLite)."""
    if not isinstance(records.factory, PostgresFactory):
        return None
    with _making:
        found = records.__dict__.get("_log_listener")
        if found is None:
            kwargs = {k: v for k, v in records.factory.datastore.pool.kwargs.items() if k != "row_factory"}  # type: ignore[attr-defined]
            found = records.__dict__["_log_listener"] = Listener(
                lambda: connect(autocommit=True, connect_timeout=5, **kwargs),
                records.recorder.channel_name)  # type: ignore[attr-defined]
    return found


_making = threading.Lock()
