"""What the web app holds while it runs: the ports every use case takes (settings, the event store,
accounts, Temporal), the app's clock and the sign-in throttle."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from casework.ports import Ports
from casework.throttle import Throttle
from configuration.settings import Settings
from eventstore.accounts import Accounts
from eventstore.application import SafeguardingRecords

API = "/api/v1"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class WebContext:
    ports: Ports
    now: Callable[[], datetime] = utc_now
    refusals_logged: dict = field(default_factory=dict)  # (address, refusal) -> when last logged (web/identity.py)

    @property
    def settings(self) -> Settings:
        return self.ports.settings

    @property
    def records(self) -> SafeguardingRecords:
        return self.ports.records

    @property
    def accounts(self) -> Accounts:
        return self.ports.accounts

    @property
    def throttle(self) -> Throttle:
        return self.ports.throttle


def session_secret(settings: Settings) -> str:
    """The secret signing session cookies: the setting, or (embedded) one made once and kept in the data
    directory. In production mode it must be set: every web replica reads the others' cookies with it."""
    if settings.session_secret:
        return settings.session_secret
    if settings.mode == "production":
        raise ValueError("set SAFEGUARD_SESSION_SECRET in production mode: every web replica signs and reads "
                         "session cookies with it, so each must have the same one (one made here would be this "
                         "replica's alone)")
    path = settings.data_dir / "session-secret"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()
