"""Connecting the CLI to Temporal and the event store, with errors a person can act on.

Every command answers within a bounded time: connecting is bounded, a command that needs a
worker checks first that one polls the task queue, and each call to Temporal carries its own
timeout (casework/availability.py), under a last-resort bound here."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, TypeVar

import typer
from eventsourcing.persistence import InterfaceError, OperationalError
from temporalio.client import Client

from casework.ports import Ports
from casework.refusals import NotYetRecorded, Refusal, Unavailable
from casework.temporal.availability import RPC_TIMEOUT, require_worker, running_cases
from cli.common import EXIT_BAD_INPUT, EXIT_UNAVAILABLE, CommandError, fail
from configuration.logging import quiet_temporal_runtime
from configuration.settings import Settings, get_settings
from eventstore.application import SafeguardingRecords
from eventstore.keys import Erased
import bootstrap
from bootstrap import connect, open_records

T = TypeVar("T")
_runtimes: list[Any] = []  # the one Temporal runtime of this command, made on first connect


def _runtime() -> Any:
    if not _runtimes:
        _runtimes.append(quiet_temporal_runtime())
    return _runtimes[0]

CONNECT_WITHIN = RPC_TIMEOUT


def last_resort(settings: Settings) -> float:
    """Seconds a command runs against Temporal at most: connect, worker check, answer."""
    return settings.answer_within_seconds + 2 * RPC_TIMEOUT.total_seconds()


async def client_for(settings: Settings, within: float = CONNECT_WITHIN.total_seconds()) -> Client:
    try:
        async with asyncio.timeout(within):
            return await connect(settings, runtime=_runtime())
    except Exception as e:
        raise Unavailable(
            f"cannot reach Temporal at {settings.temporal_address} ({e.__class__.__name__}); start it with `safeguard dev`"
        ) from None


def guarded(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except NotYetRecorded as e:
        settings = get_settings()
        fail(e.explain(settings.store_name(), settings.task_queue), EXIT_UNAVAILABLE)
    except Unavailable as e:
        fail(str(e), EXIT_UNAVAILABLE)
    except (OperationalError, InterfaceError) as e:  # the store down, unwritable, locked too long: not a bug
        fail(f"the event store ({get_settings().store_name()}) failed: {e}", EXIT_UNAVAILABLE)
    except Erased as e:  # read past a use case (an operator's tool): the case's key is destroyed
        fail(f"erased under retention on {e.on}", EXIT_BAD_INPUT)
    except Refusal as e:
        fail(e.message, EXIT_BAD_INPUT)
    except CommandError as e:
        fail(str(e), e.code)


def ports() -> Ports:
    """What the use cases take: the configured store, and Temporal connected (bounded) on first use;
    a command that needs a worker checks first that one polls."""
    settings = get_settings()
    return bootstrap.ports(settings, records(), connect_with=lambda: client_for(settings),
                           check_worker=lambda client: require_worker(client, settings.task_queue))


def use(case: Callable[[], Awaitable[T]]) -> T:
    """Run one use case (an async one, against Temporal), bounded, its refusals mapped to exits."""
    settings = get_settings()

    async def bounded() -> T:
        try:
            async with asyncio.timeout(last_resort(settings)):
                return await case()
        except asyncio.TimeoutError:
            raise Unavailable(f"Temporal at {settings.temporal_address} did not answer within "
                              f"{last_resort(settings):.0f} s") from None

    def go() -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            try:
                return asyncio.run(bounded())
            except KeyboardInterrupt:
                fail("interrupted before Safeguard answered: what you sent may or may not be recorded; "
                     "check the case with `safeguard concern status CASE` before sending it again", 130)
        with ThreadPoolExecutor(1) as pool:  # called from async code (a test's): its own loop, in a thread
            return pool.submit(asyncio.run, bounded()).result()

    return guarded(go)


def records() -> SafeguardingRecords:
    settings = get_settings()
    try:
        store = open_records(settings)
    except Exception as e:
        fail(f"cannot open the event store ({settings.store_name()}): {e}", EXIT_UNAVAILABLE)
    warn_if_not_the_workers(store, settings)
    return store


GLANCE_WITHIN = 2.0  # seconds: a warning is not worth a longer wait


def ask_temporal(question: Callable[[Client, Settings], Awaitable[T]]) -> T | None:
    """A brief question to Temporal, for a warning: None when it cannot be answered within
    GLANCE_WITHIN (Temporal unreachable), or when called from async code rather than a command."""
    settings = get_settings()

    async def ask() -> T | None:
        try:
            async with asyncio.timeout(GLANCE_WITHIN):
                return await question(await client_for(settings, GLANCE_WITHIN), settings)
        except Exception:
            return None

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(ask())
    return None


_warned: set[str] = set()  # stores already warned about, in this process


def warn_if_not_the_workers(store: SafeguardingRecords, settings: Settings) -> None:
    """A read command that finds an empty store while Temporal has running cases is most likely
    looking at another store than the worker's (another data directory): say so on stderr. Costs
    nothing unless the store is empty; skipped when Temporal cannot be reached."""
    try:
        if settings.store_name() in _warned or store.recorder.max_notification_id():
            return
    except Exception:
        return  # an unreadable store is reported by the command itself
    running = ask_temporal(lambda client, _: running_cases(client))
    if running:
        _warned.add(settings.store_name())
        typer.echo(f"warning: the event store ({settings.store_name()}) holds no events, but Temporal at "
                   f"{settings.temporal_address} has {running} running case(s): is this the worker's store? "
                   f"(data directory {settings.data_dir}; set SAFEGUARD_DATA_DIR, or the SAFEGUARD_EVENT_STORE "
                   f"settings, as the worker's)", err=True)
