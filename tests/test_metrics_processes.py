"""The internal port as the processes open it (issue 23): `safeguard serve` answers /healthz and
/readyz on its public port and /metrics only on its internal one; the worker's entry point makes the
process's one Temporal runtime, exporting the SDK's metrics, and serves them with Safeguard's."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from temporalio.runtime import Runtime

import worker
from configuration.settings import get_settings
from telemetry.temporal_sdk import free_loopback_port

ROOT = Path(__file__).resolve().parents[1]
SAFEGUARD = str(Path(sys.executable).parent / "safeguard")


def get(port: int, path: str) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)


def answering(port: int, within: float = 60) -> None:
    deadline = time.monotonic() + within  # a bound for what never happens, not a speed target
    while time.monotonic() < deadline:
        try:
            get(port, "/healthz")
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered on {port} within {within} s")


def test_safeguard_serve_has_health_on_its_public_port_and_metrics_on_its_internal_one(tmp_path):
    public, internal = free_loopback_port(), free_loopback_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SAFEGUARD_DATA_DIR": str(tmp_path),
           "SAFEGUARD_TEMPORAL_ADDRESS": "127.0.0.1:1", "SAFEGUARD_WEB_METRICS_PORT": str(internal)}
    proc = subprocess.Popen([SAFEGUARD, "serve", "--port", str(public)], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        answering(public)
        answering(internal)
        assert (get(public, "/healthz").status_code, get(public, "/healthz").text) == (200, "alive\n")
        ready = get(public, "/readyz")
        assert (ready.status_code, ready.text) == (503, "Temporal cannot be reached.\n")
        assert get(public, "/metrics").status_code == 404  # deny by default: not on the public port
        assert get(internal, "/readyz").status_code == 503
        metrics = get(internal, "/metrics")
        assert metrics.status_code == 200
        assert 'safeguard_http_request_seconds_count{method="GET",route="/healthz",status="200"}' in metrics.text
        assert "safeguard_event_store_up 1.0" in metrics.text and "safeguard_deadlines_open" in metrics.text
        assert get(internal, "/api/v1/cases").status_code == 404  # the internal port serves nothing else
        proc.send_signal(signal.SIGTERM)  # uvicorn stops both servers, then lets the signal end the process
        code, err = proc.wait(timeout=20), proc.stderr.read().decode()
        assert code in (0, -signal.SIGTERM) and "Finished server process" in err, err[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def test_the_worker_makes_one_runtime_and_serves_the_sdks_metrics_with_safeguards(env, settings, monkeypatch):
    port = free_loopback_port()
    for name, value in (("DATA_DIR", str(settings.data_dir)), ("TASK_QUEUE", settings.task_queue),
                        ("TEMPORAL_ADDRESS", env.client.service_client.config.target_host), ("METRICS_PORT", str(port))):
        monkeypatch.setenv(f"SAFEGUARD_{name}", value)
    get_settings.cache_clear()
    serving = asyncio.Event()

    async def serve(client, settings, records) -> None:  # the worker itself is tested elsewhere
        serving.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(worker, "serve", serve)
    monkeypatch.setattr(worker, "configure_logging", lambda *_: None)
    before = Runtime.default()
    running = asyncio.create_task(worker.main())
    try:
        await asyncio.wait_for(serving.wait(), 30)
        assert Runtime.default() is not before  # its own, made before it connected
        ready = await asyncio.to_thread(get, port, "/readyz")
        assert (ready.status_code, ready.text) == (200, "ready\n")
        text = (await asyncio.to_thread(get, port, "/metrics")).text
        assert "safeguard_event_store_up 1.0" in text
        assert "temporal_request{" in text and text.index("safeguard_") < text.index("temporal_request{")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        Runtime.set_default(before, error_if_already_set=False)
    assert await asyncio.to_thread(lambda: _refused(port))  # closed with the worker


def _refused(port: int) -> bool:
    try:
        get(port, "/healthz")
    except httpx.TransportError:
        return True
    return False
