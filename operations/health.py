"""Whether a process can do its work: `/healthz` (alive: answers without touching anything) and
`/readyz` (it reaches the event store and Temporal now). A reason not ready is a plain sentence
that names what could not be reached, never an address, a setting's value or any data.
`TemporalUp` is the same probe of Temporal, made at each scrape of `/metrics`, as a gauge."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Awaitable, Callable, Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from temporalio.client import Client

from eventstore.application import SafeguardingRecords

PROBE_WITHIN = 3.0  # seconds, for each of the store and Temporal
SCRAPE_PROBE_WITHIN = 2.0  # seconds: a scrape is not held up longer by Temporal
ALIVE = "alive"
READY = "ready"


async def not_ready(records: SafeguardingRecords, temporal: Callable[[], Awaitable[Client]],
                    within: float = PROBE_WITHIN) -> str | None:
    """Why the process is not ready, or None when it reaches both the store and Temporal."""
    try:
        async with asyncio.timeout(within):
            await asyncio.to_thread(records.recorder.max_notification_id)
    except Exception:
        return "The event store cannot be reached."
    try:
        async with asyncio.timeout(within):
            client = await temporal()
            if not await client.service_client.check_health(timeout=timedelta(seconds=within)):
                return "Temporal is not serving."
    except Exception:
        return "Temporal cannot be reached."
    return None


class Readiness:
    """`not_ready`, asked at most once per `fresh` seconds and shared by the requests meanwhile:
    anyone may ask the public `/readyz`, and asking it often must not load the store or Temporal."""

    def __init__(self, records: SafeguardingRecords, temporal: Callable[[], Awaitable[Client]], fresh: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._records, self._temporal, self._fresh, self._clock = records, temporal, fresh, clock
        self._lock = asyncio.Lock()
        self._at: float | None = None
        self._reason: str | None = None

    async def reason(self) -> str | None:
        async with self._lock:
            if self._at is None or self._clock() - self._at >= self._fresh:
                self._reason = await not_ready(self._records, self._temporal)
                self._at = self._clock()
            return self._reason


async def reaches_temporal(temporal: Callable[[], Awaitable[Client]], within: float = SCRAPE_PROBE_WITHIN) -> bool:
    """Whether Temporal answers a health check within `within` seconds."""
    try:
        async with asyncio.timeout(within):
            client = await temporal()
            return bool(await client.service_client.check_health(timeout=timedelta(seconds=within)))
    except Exception:
        return False


class TemporalUp(Collector):
    """`safeguard_temporal_up`: 1 if this process reached Temporal at its last probe, else 0.
    `probe` is awaited before each scrape (operations/internal_port.py); a worker's pollers retry
    while Temporal is down, so their count alone does not show it."""

    def __init__(self, temporal: Callable[[], Awaitable[Client]], within: float = SCRAPE_PROBE_WITHIN) -> None:
        self._temporal, self._within, self.up = temporal, within, 0

    async def probe(self) -> None:
        self.up = int(await reaches_temporal(self._temporal, self._within))

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("safeguard_temporal_up", "1 if this process reached Temporal at its last probe "
                                "(each scrape), else 0", self.up)
