"""What the web app holds while it runs: settings, the event store, accounts, Temporal."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from temporalio.client import Client

from casework.errors import Unavailable
from configuration.settings import Settings
from eventstore.accounts import Accounts
from eventstore.application import SafeguardingRecords
from web.throttle import Throttle


API = "/api/v1"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class WebContext:
    settings: Settings
    records: SafeguardingRecords
    accounts: Accounts
    client: Client | None = None
    now: Callable[[], datetime] = utc_now
    throttle: Throttle = field(default_factory=Throttle)
    _connecting: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def temporal(self) -> Client:
        """The Temporal client, connected on first use (the API answers reads from the store without it)."""
        if self.client is not None:
            return self.client
        from bootstrap import connect
        from casework.availability import RPC_TIMEOUT

        async with self._connecting:
            if self.client is None:
                try:
                    async with asyncio.timeout(RPC_TIMEOUT.total_seconds()):
                        self.client = await connect(self.settings, self.records)
                except Exception as e:
                    raise Unavailable(f"cannot reach Temporal at {self.settings.temporal_address} "
                                      f"({e.__class__.__name__})") from None
        return self.client


def session_secret(settings: Settings) -> str:
    """The secret signing session cookies: the setting, or one made once and kept in the data directory."""
    if settings.session_secret:
        return settings.session_secret
    path = settings.data_dir / "session-secret"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()
