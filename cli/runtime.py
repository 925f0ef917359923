"""Connecting the CLI to Temporal and the event store, with errors a person can act on."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, TypeVar

from temporalio.client import Client

from casework.errors import CaseworkError, Unavailable
from cli.common import EXIT_BAD_INPUT, EXIT_UNAVAILABLE, CommandError, fail
from configuration.settings import Settings, get_settings
from eventstore.application import SafeguardingRecords
from bootstrap import connect, open_records

T = TypeVar("T")


async def client_for(settings: Settings) -> Client:
    try:
        return await connect(settings)
    except Exception as e:
        raise Unavailable(
            f"cannot reach Temporal at {settings.temporal_address} ({e.__class__.__name__}); start it with `safeguard dev`"
        ) from None


def run(work: Callable[[Client, Settings], Awaitable[T]]) -> T:
    """Run one async piece of casework against the configured Temporal, mapping errors to exits."""
    settings = get_settings()

    async def go() -> T:
        return await work(await client_for(settings), settings)

    return guarded(lambda: asyncio.run(go()))


def guarded(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except Unavailable as e:
        fail(str(e), EXIT_UNAVAILABLE)
    except (CaseworkError, CommandError) as e:
        fail(str(e), getattr(e, "code", EXIT_BAD_INPUT))


def records() -> SafeguardingRecords:
    try:
        return open_records(get_settings())
    except Exception as e:
        fail(f"cannot open the event store: {e}", EXIT_UNAVAILABLE)


def drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
