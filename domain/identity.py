"""Accounts, tokens and the access audit as facts, and what an account is once they are folded.

These are stored in the same event store as the cases (`eventstore/accounts.py`), each user and
each token in its own stream and the access audit in one stream of its own, so `safeguard backup`
covers them and nothing is ever overwritten: a revocation is a fact, like a grant.

The access audit holds who, when, what (an action and ids), from where, and allowed or refused:
never record text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from domain.access import Assignment, Principal, narrowed
from domain.facts import Fact


class Grant(Fact):
    """An assignment as stored."""

    role: str
    service: str | None = None
    cases: tuple[str, ...] = ()
    until: datetime | None = None

    def assignment(self) -> Assignment:
        return Assignment(self.role, self.service, tuple(self.cases), self.until)


class UserAdded(Fact):
    type: Literal["UserAdded"] = "UserAdded"
    user_id: str
    display_name: str
    kind: Literal["person", "service"] = "person"
    password_hash: str | None = None  # Argon2id; None: signs in by OIDC or uses tokens only
    by: str


class PasswordSet(Fact):
    type: Literal["PasswordSet"] = "PasswordSet"
    password_hash: str
    by: str


class RoleGranted(Grant):
    type: Literal["RoleGranted"] = "RoleGranted"
    by: str


class RoleRevoked(Grant):
    type: Literal["RoleRevoked"] = "RoleRevoked"
    by: str


class UserDeactivated(Fact):
    """An account closed (a leaver): refused from its next request, every session and token with it."""

    type: Literal["UserDeactivated"] = "UserDeactivated"
    by: str
    reason: str | None = None


class ContactDetailsSet(Fact):
    """Where a person's alerts go (issue 20), and whether they want approaching-deadline alerts
    (escalations to a role they hold cannot be turned off). Never copied into an alert's record."""

    type: Literal["ContactDetailsSet"] = "ContactDetailsSet"
    email: str | None = None
    mobile: str | None = None
    approaching_alerts: bool = True
    by: str


class SessionEnded(Fact):
    """A browser session signed out: its cookie is refused from then on, by every process."""

    type: Literal["SessionEnded"] = "SessionEnded"
    session_id: str


class TokenIssued(Fact):
    type: Literal["TokenIssued"] = "TokenIssued"
    token_id: str
    user_id: str
    name: str
    secret_sha256: str  # of the random secret: a token is as strong as its 256 random bits, not a password
    scope: tuple[tuple[str, str | None], ...] | None = None  # (role, service or None); None: all the user's roles
    expires_at: datetime
    by: str


class TokenRevoked(Fact):
    type: Literal["TokenRevoked"] = "TokenRevoked"
    token_id: str
    by: str


class TokenUsed(Fact):
    """A token's use, recorded at most once per TOKEN_USE_EVERY per process (listed as its last use)."""

    type: Literal["TokenUsed"] = "TokenUsed"
    token_id: str
    address: str | None = None


AccessAction = Literal["read", "export", "login", "logout", "refused", "grant", "revoke", "token_issued",
                       "token_revoked", "user_added", "password_set", "write"]


class AccessRecorded(Fact):
    """One line of the access audit: ids and words chosen here, never a record's text."""

    type: Literal["AccessRecorded"] = "AccessRecorded"
    user_id: str | None  # None: an unknown user (a failed login names what was tried in `target`)
    action: AccessAction
    what: str  # the endpoint or command, e.g. "GET /api/v1/cases/{case_id}/chronology"
    case_id: str | None = None
    service: str | None = None
    target: str | None = None  # the user or token acted on (grants, revocations, logins)
    allowed: bool
    reason: str | None = None  # why it was refused
    address: str | None = None
    channel: str = "api"
    token_id: str | None = None


class IdempotentAnswer(Fact):
    """The answer once given to a POST with an Idempotency-Key, in stores written before answers were
    derived from the facts a request recorded (casework/idempotency.py): it still loads; nothing writes it."""

    type: Literal["IdempotentAnswer"] = "IdempotentAnswer"
    user_id: str
    key: str
    request_sha256: str
    status: int
    body: str  # the JSON answered (receipts and statuses: ids, steps and instants)


IDENTITY_FACTS: tuple[type[Fact], ...] = (UserAdded, PasswordSet, RoleGranted, RoleRevoked, SessionEnded, UserDeactivated,
                                          ContactDetailsSet,
                                          TokenIssued, TokenRevoked,
                                          TokenUsed, AccessRecorded, IdempotentAnswer)


@dataclass
class Account:
    user_id: str
    display_name: str
    kind: str
    password_hash: str | None
    assignments: list[Assignment] = field(default_factory=list)
    added_at: datetime | None = None
    ended_sessions: set[str] = field(default_factory=set)
    deactivated_at: datetime | None = None
    email: str | None = None
    mobile: str | None = None
    approaching_alerts: bool = True

    def principal(self, channel: str = "api", scope: tuple[Assignment, ...] | None = None,
                  token_id: str | None = None, session_id: str | None = None) -> Principal:
        return Principal(self.user_id, self.display_name, narrowed(self.assignments, scope), channel,  # type: ignore[arg-type]
                         token_id=token_id, session_id=session_id)


def fold_account(facts: list[Fact]) -> Account | None:
    account: Account | None = None
    for f in facts:
        match f:
            case UserAdded():
                account = Account(f.user_id, f.display_name, f.kind, f.password_hash, added_at=f.at)
            case PasswordSet() if account:
                account.password_hash = f.password_hash
            case RoleGranted() if account:
                a = f.assignment()
                account.assignments = [x for x in account.assignments if (x.role, x.service) != (a.role, a.service)] + [a]
            case SessionEnded() if account:
                account.ended_sessions.add(f.session_id)
            case UserDeactivated() if account:
                account.deactivated_at = f.at
            case ContactDetailsSet() if account:
                account.email, account.mobile, account.approaching_alerts = f.email, f.mobile, f.approaching_alerts
            case RoleRevoked() if account:
                account.assignments = [x for x in account.assignments if (x.role, x.service) != (f.role, f.service)]
    return account


@dataclass
class Token:
    token_id: str
    user_id: str
    name: str
    secret_sha256: str
    scope: tuple[Assignment, ...] | None
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    last_used_from: str | None = None

    def problem(self, now: datetime) -> str | None:
        if self.revoked_at is not None:
            return f"token {self.token_id} was revoked at {self.revoked_at.isoformat()}"
        if now >= self.expires_at:
            return f"token {self.token_id} expired at {self.expires_at.isoformat()}"
        return None


def fold_token(facts: list[Fact]) -> Token | None:
    token: Token | None = None
    for f in facts:
        match f:
            case TokenIssued():
                scope = None if f.scope is None else tuple(Assignment(r, s) for r, s in f.scope)
                token = Token(f.token_id, f.user_id, f.name, f.secret_sha256, scope, f.at, f.expires_at)
            case TokenRevoked() if token:
                token.revoked_at = token.revoked_at or f.at
            case TokenUsed() if token:
                token.last_used_at, token.last_used_from = f.at, f.address
    return token
