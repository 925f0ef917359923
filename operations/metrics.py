"""What `/metrics` says about the cases and the read models, computed at each scrape from the
store, so it is exact, the same from every process, and survives a restart:

- open deadlines, and those overdue; escalations not yet acknowledged, by age, and the oldest's
  age; cases whose workflow stopped without closing: from the live cases' read model as it stands;
- deadlines missed: the DeadlineMissed facts in the log, counted once per process from the start
  and then from where the count ended (absent until the first count is done, so a restart never
  looks like a burst of missed deadlines);
- each read model's lag: the log's end less the model's position, and how long the first event
  it has not folded has waited;
- whether the store answered.

What a process counts as it happens (alerts, refusals, appends, requests) is in
telemetry/instruments.py; `exposition` joins both with Temporal's SDK metrics. No label carries a
case id, a person's id or any text a person wrote."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Callable, Iterator, Sequence

import structlog
from eventsourcing.utils import get_topic
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from domain.facts import DeadlineMissed
from eventstore.application import SafeguardingRecords
from projections.dashboard import live_documents
from projections.documents import Documents
from projections.feed import decode
from projections.registry import read_models
from telemetry.instruments import REGISTRY
from telemetry.temporal_sdk import sdk_text

log = structlog.get_logger("safeguard.metrics")
AGES = (("under_30m", 30 * 60), ("30m_to_2h", 2 * 3600), ("over_2h", float("inf")))
MISSED_TOPICS = [get_topic(DeadlineMissed), "eventstore.concern:Concern.DeadlineMissed"]  # and as stores before facts named it
COUNT_BUDGET = 2.0  # seconds of counting per scrape, until the first count is done
PAGE = 10_000


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class TopicCount:
    """How many notifications of some topics the log holds: counted from the start once, then only
    from where the last count ended. Counting reads the topic alone, never an event's content."""

    def __init__(self, topics: Sequence[str]) -> None:
        self.topics, self.count, self.next, self.done = list(topics), 0, 1, False
        self.lock = threading.Lock()

    def advance(self, records: SafeguardingRecords, last: int, budget: float = COUNT_BUDGET) -> bool:
        """Count up to `last` within `budget` seconds; True once the count has reached it."""
        until = time.monotonic() + budget
        with self.lock:
            while self.next <= last and time.monotonic() < until:
                page = records.recorder.select_notifications(start=self.next, stop=last, limit=PAGE, topics=self.topics)
                self.count += len(page)
                self.next = page[-1].id + 1 if len(page) == PAGE else last + 1
            self.done = self.done or self.next > last
            return self.next > last


class CaseMetrics(Collector):
    """The collector for one store. `now` is the clock deadlines and escalations are measured
    against (the tests' time-skipping clock; the wall clock otherwise)."""

    def __init__(self, records: SafeguardingRecords, documents: Documents, models: Sequence[str] | None = None,
                 now: Callable[[], datetime] = utc_now) -> None:
        self.records, self.documents, self.now = records, documents, now
        self.models = list(models) if models is not None else [m.name for m in read_models()]
        self.missed = TopicCount(MISSED_TOPICS)

    def collect(self) -> Iterator[Metric]:
        try:
            last = self.records.recorder.max_notification_id() or 0
            up = 1
        except Exception:
            last, up = 0, 0
        yield GaugeMetricFamily("safeguard_event_store_up", "1 if the event store answered at this scrape, else 0", up)
        if not up:
            return
        try:
            yield from self._cases(self.now())
            yield from self._lag(last)
            if self.missed.advance(self.records, last):
                yield CounterMetricFamily("safeguard_deadlines_missed", "Deadlines missed (DeadlineMissed facts "
                                          "in the log)", self.missed.count)
        except Exception as e:  # a scrape that fails says so in the log, by kind only
            log.warning("metrics not computed", error=type(e).__name__)

    def _cases(self, now: datetime) -> Iterator[Metric]:
        open_, overdue, stopped, ages = 0, 0, 0, []
        for case in live_documents(self.documents):
            stopped += bool(case.get("stopped"))
            for step in case["open_steps"].values():
                if step.get("due"):
                    open_ += 1
                    overdue += datetime.fromisoformat(step["due"]) <= now
            ages += [max(0.0, (now - datetime.fromisoformat(x["at"])).total_seconds())
                     for x in case["escalations"].values()]
        yield GaugeMetricFamily("safeguard_deadlines_open", "Open steps with a deadline, across live cases", open_)
        yield GaugeMetricFamily("safeguard_deadlines_overdue", "Open steps whose deadline has passed", overdue)
        by_age = GaugeMetricFamily("safeguard_escalations_unacknowledged", "Escalations not yet acknowledged "
                                   "(nor settled by their step being done), by how long ago they were raised",
                                   labels=["age"])
        below = 0.0
        for name, upper in AGES:
            by_age.add_metric([name], sum(1 for a in ages if below <= a < upper))
            below = upper
        yield by_age
        yield GaugeMetricFamily("safeguard_escalation_unacknowledged_oldest_seconds",
                                "Age of the oldest escalation not yet acknowledged (0 if none)", max(ages, default=0.0))
        yield GaugeMetricFamily("safeguard_cases_stopped", "Cases whose workflow stopped without closing", stopped)

    def _lag(self, last: int) -> Iterator[Metric]:
        events = GaugeMetricFamily("safeguard_read_model_lag_events", "Events in the log the read model has not "
                                   "folded yet", labels=["model"])
        seconds = GaugeMetricFamily("safeguard_read_model_lag_seconds", "How long the first event the read model "
                                    "has not folded has waited (0 when it is current)", labels=["model"])
        waited: dict[int, float] = {}  # by position: models at the same one share the answer
        for model in self.models:
            at = self.documents.position(model)
            events.add_metric([model], max(0, last - at))
            if at < last and at not in waited:
                first = decode(self.records, self.records.recorder.select_notifications(start=at + 1, limit=50))
                waited[at] = max(0.0, time.time() - first[0].timestamp.timestamp()) if first else 0.0
            seconds.add_metric([model], waited.get(at, 0.0))
        yield events
        yield seconds


class _Instruments(Collector):
    """The process's own instruments (telemetry/instruments.py), in a registry of the exposition's."""

    def collect(self) -> Iterator[Metric]:
        return REGISTRY.collect()


def registry_for(records: SafeguardingRecords, documents: Documents,
                 now: Callable[[], datetime] = utc_now) -> CollectorRegistry:
    """What one process exposes: its instruments and the store's metrics."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Instruments())
    registry.register(CaseMetrics(records, documents, now=now))
    return registry


def exposition(registry: CollectorRegistry, sdk_port: int | None = None) -> bytes:
    """The text `/metrics` answers: Safeguard's metrics, then Temporal's SDK's (if it exports them)."""
    return generate_latest(registry) + sdk_text(sdk_port)
