"""The things a process counts and times as they happen: alerts sent and failed, commands refused
at the workflow, event store appends, HTTP requests, evidence verifications that failed.

They live in this process's own registry (`REGISTRY`), beside Python's process and garbage
collector metrics; what describes cases (deadlines, escalations, lag) is computed from the read
models at each scrape instead (operations/metrics.py), so it is exact and survives a restart.

Labels are few and fixed: a channel, a command (the update's name), a route's template, a method,
a status. Never a case id, a person's id, a name or free text (tests/test_metrics.py scans for them).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

disable_created_metrics()  # no *_created series beside each counter: nothing reads them
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

CHANNELS = ("email", "text")

ALERTS_SENT = Counter("safeguard_alerts_sent", "Alert messages sent, by channel", ["channel"], registry=REGISTRY)
ALERTS_FAILED = Counter("safeguard_alerts_failed", "Alert messages that could not be sent (to be tried again, or "
                        "not deliverable), by channel", ["channel"], registry=REGISTRY)
COMMANDS_REFUSED = Counter("safeguard_commands_refused", "Commands the workflow refused (its validator or decider), "
                           "by command", ["command"], registry=REGISTRY)
APPEND_SECONDS = Histogram("safeguard_append_seconds", "Time to append facts to the event store",
                           buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5), registry=REGISTRY)
HTTP_SECONDS = Histogram("safeguard_http_request_seconds", "Time to answer an HTTP request, by route template, "
                         "method and status", ["route", "method", "status"],
                         buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10), registry=REGISTRY)
EVIDENCE_VERIFICATION_FAILURES = Counter("safeguard_evidence_verification_failures",
                                         "Verifications of the evidence chain that found a break", registry=REGISTRY)
BUILD_INFO = Gauge("safeguard_build_info", "Always 1: the version of Safeguard running", ["version"], registry=REGISTRY)

for _channel in CHANNELS:  # present at 0 from the start, so a rule's rate() has a series to read
    ALERTS_SENT.labels(_channel)
    ALERTS_FAILED.labels(_channel)


def _version() -> str:
    try:
        return version("safeguard")
    except PackageNotFoundError:
        return "unknown"


BUILD_INFO.labels(_version()).set(1)
