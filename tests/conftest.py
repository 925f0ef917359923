"""Shared fixtures: for each test, its own time-skipping Temporal test server (0.1 s to start),
a fresh SQLite event store and a worker on its own task queue. A server per test keeps each
test's clock and leftover workflows from reaching the next test."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from configuration.settings import Settings, get_settings
from encryption.seal import sealing_key
from simulation.runner import start_test_environment
from tests.cases import CaseDriver
from bootstrap import build_worker, open_records


@pytest_asyncio.fixture(loop_scope="session")
async def env(records, settings) -> AsyncIterator[WorkflowEnvironment]:
    """The test's server; its client encrypts payloads with the test store's keys, as the worker's does,
    and seals its commands as Safeguard's clients do."""
    environment = await start_test_environment(records.keys, sealing_key(settings))
    yield environment
    await environment.shutdown()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # workflows run in the sandbox in tests: a non-deterministic call in workflow code fails them
    return Settings(data_dir=tmp_path, task_queue=f"test-{uuid.uuid4().hex[:8]}", workflow_sandbox=True)


@pytest.fixture
def records(settings: Settings):
    return open_records(settings)


@pytest_asyncio.fixture(loop_scope="session")
async def driver(env: WorkflowEnvironment, settings: Settings, records) -> AsyncIterator[CaseDriver]:
    """Raises cases on a worker with a real SQLite event store, on the scenario's own clock."""
    async with build_worker(env.client, records, settings):
        d = CaseDriver(env, settings, records)
        yield d
        await d.terminate_open_cases()


def concern(identified_at: str, case_id: str | None = None, **over: Any) -> dict[str, Any]:
    body = {
        "identified_at": identified_at,
        "service": {"id": "SVC-ELM", "name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"},
        "adult_at_risk": {"id": "A-117"},
        "alleged_source": {"id": "A-204"},
        "summary": "A-204 blocked A-117 from the lounge",
        "raised_by": {"actor": "SSW-14", "role": "senior_support_worker"},
        "case_id": case_id or f"T-{uuid.uuid4().hex[:10]}",
    }
    return {**body, **over}


@pytest.fixture(autouse=True)
def no_stray_temporal(monkeypatch):
    """A test reaches only the Temporal it starts: never a developer's `./scripts/dev` on 7233."""
    monkeypatch.setenv("SAFEGUARD_TEMPORAL_ADDRESS", "127.0.0.1:1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def quiet_logs():
    import logging

    from configuration.logging import configure_logging

    configure_logging(level=logging.WARNING)


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """For CLI tests with no Temporal (a closed port) and a store of the test's own."""
    monkeypatch.setenv("SAFEGUARD_TEMPORAL_ADDRESS", "127.0.0.1:1")
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def pytest_terminal_summary(terminalreporter) -> None:
    """How many messages the test servers took and scanned for personal data (tests/servers/personal.py)."""
    from tests.servers.personal import SCANNED
    if SCANNED["messages"]:
        terminalreporter.write_line(f"alert messages scanned for personal data: {SCANNED['messages']}; "
                                    f"with personal data: {SCANNED['with_personal_data']}")
