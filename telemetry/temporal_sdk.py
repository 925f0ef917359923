"""Temporal's SDK metrics (pollers, task slots, workflow and activity failures, request latency),
taken through the SDK's own runtime telemetry: one `Runtime` per process, made the process's
default before any client connects, whose Prometheus exporter listens on a loopback port chosen
at start. That port is never scraped directly: Safeguard's `/metrics` appends what it answers
(`sdk_text`), so each process has one scrape target, on its internal port (docs/operations.md).
The SDK labels its metrics with the namespace, task queue, workflow and activity type: never a
workflow's id."""

from __future__ import annotations

import socket
import urllib.request

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

FETCH_WITHIN = 2.0  # seconds: a scrape is not held up longer by the SDK's exporter


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sdk_runtime(port: int | None = None) -> tuple[Runtime, int]:
    """A runtime exporting the SDK's metrics on 127.0.0.1:`port` (a free port if none), and the port."""
    port = port or free_loopback_port()
    runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}")))
    return runtime, port


def use_in_this_process(port: int | None = None) -> int:
    """Make such a runtime the process's default (every client and worker made after uses it);
    returns the port its exporter listens on."""
    runtime, port = sdk_runtime(port)
    Runtime.set_default(runtime, error_if_already_set=False)
    return port


def sdk_text(port: int | None) -> bytes:
    """What the SDK's exporter answers (Prometheus text), or nothing when it cannot be read."""
    if not port:
        return b""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=FETCH_WITHIN) as answer:
            text = answer.read()
    except OSError:
        return b""
    return text if text.endswith(b"\n") or not text else text + b"\n"
