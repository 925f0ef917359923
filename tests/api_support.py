"""Shared by the API tests: the real app over the test's time-skipping server, worker and SQLite
store, with accounts made in that store and an httpx client per identity."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from domain.access import Assignment
from domain.identity import RoleGranted
from eventstore.accounts import Accounts, user_stream
from web.app import create_app

BASE = "https://testserver"  # Secure cookies are sent over https only
API = "/api/v1"


def ended_grant(records, user_id: str, a: Assignment) -> None:
    """A grant made while it ran that has ended since (a new grant that has ended already is refused)."""
    records.append(user_stream(user_id), [RoleGranted(at=a.until - timedelta(days=1), role=a.role, service=a.service,
                                                      cases=a.cases, until=a.until, by="test")])


class Api:
    def __init__(self, env, settings, records) -> None:
        self.env, self.settings, self.records = env, settings, records
        self.app = create_app(settings, records=records, client=env.client)
        self.accounts = Accounts(records)
        self.transport = httpx.ASGITransport(app=self.app, client=("10.0.0.7", 50000))

    def user(self, user_id: str, *assignments: Assignment, password: str | None = None) -> str:
        self.accounts.add_user(user_id, f"User {user_id}", password, by="test")
        for a in assignments:
            if a.until is not None and a.until <= datetime.now(timezone.utc):
                ended_grant(self.records, user_id, a)
            else:
                self.accounts.grant(user_id, a, by="test")
        return user_id

    def token(self, user_id: str, scope: tuple[Assignment, ...] | None = None, days: float = 1) -> str:
        return self.accounts.issue_token(user_id, "test", scope, timedelta(days=days), by="test").secret

    def client(self, token: str | None = None, **headers: str) -> httpx.AsyncClient:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.AsyncClient(transport=self.transport, base_url=BASE + API, headers=headers, timeout=30)

    def as_user(self, user_id: str, *assignments: Assignment) -> httpx.AsyncClient:
        self.user(user_id, *assignments)
        return self.client(self.token(user_id))

    def events(self) -> int:
        return self.records.recorder.max_notification_id() or 0

    def case_events(self, case_id: str) -> int:
        """The case's facts, but its alerts: recorded off the staff's path, they arrive when they do."""
        return len([f for f in self.records.stored_facts(case_id) if not f.type.startswith("Alert")])


def concern_body(service: str = "SVC-ELM", **over: Any) -> dict[str, Any]:
    from datetime import datetime, timezone

    body = {
        "identified_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "service": {"id": service, "name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"},
        "adult_at_risk": {"id": "A-117"}, "alleged_source": {"id": "A-204"},
        "summary": "A-204 blocked A-117 from the lounge", "case_id": f"T-{uuid.uuid4().hex[:10]}",
    }
    return {**body, **over}
