"""The CLI run in a test against the time-skipping server, with the test's worker running."""

from __future__ import annotations

from configuration.settings import get_settings


def cli_against(env, settings, monkeypatch) -> None:
    """Point the CLI at the test's Temporal server, task queue and data folder. The time-skipping
    server cannot describe task queues, so the CLI's check for a polling worker is let through: the
    test runs its worker itself."""
    monkeypatch.setenv("SAFEGUARD_TEMPORAL_ADDRESS", env.client.service_client.config.target_host)
    monkeypatch.setenv("SAFEGUARD_TASK_QUEUE", settings.task_queue)
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(settings.data_dir))

    async def worker_runs(*_):
        return None

    monkeypatch.setattr("cli.runtime.require_worker", worker_runs)
    get_settings.cache_clear()
