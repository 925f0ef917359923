"""`safeguard_temporal_up` (issue 23): a worker's pollers keep counting while they retry, so each
process probes Temporal at every scrape of its internal port's `/metrics`; 1 when the health check
answers, 0 when Temporal is unreachable or too slow, and it comes back to 1 when Temporal does."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import httpx
from prometheus_client.parser import text_string_to_metric_families

from operations.internal_port import internal_app


def temporal_up(text: str) -> float:
    return next(s.value for f in text_string_to_metric_families(text) for s in f.samples
                if s.name == "safeguard_temporal_up")


async def test_temporal_up_follows_temporal_at_each_scrape(records):
    state = {"answer": "serving"}

    async def check_health(timeout):
        if state["answer"] == "down":
            raise ConnectionRefusedError("Temporal down")
        if state["answer"] == "slow":
            await asyncio.sleep(30)
        return state["answer"] == "serving"

    client = SimpleNamespace(service_client=SimpleNamespace(check_health=check_health))

    async def temporal():
        return client

    app = internal_app(records, temporal)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://internal") as http:
        async def scrape() -> float:
            got = await http.get("/metrics")
            assert got.status_code == 200
            return temporal_up(got.text)

        assert await scrape() == 1
        state["answer"] = "down"
        assert await scrape() == 0
        state["answer"] = "not serving"
        assert await scrape() == 0
        state["answer"] = "slow"
        started = asyncio.get_running_loop().time()
        assert await scrape() == 0
        assert asyncio.get_running_loop().time() - started < 5  # the probe's own timeout, not the hang
        state["answer"] = "serving"
        assert await scrape() == 1


async def test_temporal_up_is_0_when_no_client_can_be_had(records):
    async def temporal():
        raise OSError("cannot connect")

    app = internal_app(records, temporal)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://internal") as http:
        got = await http.get("/metrics")
        assert temporal_up(got.text) == 0
        assert "safeguard_event_store_up 1.0" in got.text
