"""What the use cases reach outside themselves through: the settings, the event store, the accounts
and access log, Temporal, the alert channels. `bootstrap.ports` builds one per process; every face passes it to every
use case, so a use case cannot tell (and does not care) which face called it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Sequence

from temporalio.client import Client

from alerts.senders import Senders
from casework.refusals import Unavailable
from casework.temporal.availability import ANSWER_WITHIN
from casework.throttle import Throttle
from configuration.settings import Settings
from eventstore.accounts import Accounts
from eventstore.application import SafeguardingRecords
from eventstore.shared import SharedState, shared_state
from projections.documents import Documents
from projections.feed import ProjectionFeed, ReadModel, as_at
from projections.registry import open_documents


@dataclass
class Ports:
    settings: Settings
    records: SafeguardingRecords
    connect: Callable[[], Awaitable[Client]]  # Temporal: called once, on first use
    within: timedelta | None = ANSWER_WITHIN  # how long a person waits on a workflow (None: until it answers)
    # asks Temporal whether a worker polls before a person waits on one (the CLI's; Unavailable if none)
    check_worker: Callable[[Client], Awaitable[None]] | None = None
    senders: Senders | None = None  # the alert channels configured (alerts/senders.py); None: none set up
    accounts: Accounts = field(init=False)
    _client: Client | None = field(default=None, init=False)
    _connecting: asyncio.Lock | None = field(default=None, init=False)
    _documents: Documents | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.records)

    async def temporal(self, worker: bool = False) -> Client:
        """The Temporal client, connected on first use (reads from the store never need it). With
        `worker` and `check_worker`, Unavailable unless a worker polls the task queue."""
        if self._client is None:
            self._connecting = self._connecting or asyncio.Lock()
            async with self._connecting:
                if self._client is None:
                    self._client = await self.connect()
        if worker and self.check_worker is not None:
            await self.check_worker(self._client)
        return self._client

    def rules(self, now: datetime | None = None) -> dict[str, Any]:
        """The input rules in force, as a validation context (with `now`: instants checked against it)."""
        try:
            return self.settings.input_rules().context(now)
        except Exception as e:  # settings refused: not the asker's fault
            raise Unavailable(f"the input rules in the settings are not usable: {e}") from None

    @property
    def shared(self) -> SharedState:
        """What the processes share beside the events: failed attempts, requests' turns (eventstore/shared.py)."""
        return shared_state(self.records)

    @property
    def throttle(self) -> Throttle:
        """Failed sign-ins and password checks, counted in the store's database: the same for every replica."""
        return Throttle(self.shared)

    @property
    def documents(self) -> Documents:
        """The read models' documents, beside the event store (opened once)."""
        if self._documents is None:
            self._documents = open_documents(self.records)
        return self._documents

    def read_models(self, models: Sequence[ReadModel], at: datetime | None = None) -> Documents:
        """Read models now (what the worker has not folded yet is folded first) or as they stood `at`."""
        if at is not None:
            return as_at(self.records, list(models), at)
        feed = ProjectionFeed(self.records, self.documents, list(models))
        feed.catch_up()
        return feed.documents
