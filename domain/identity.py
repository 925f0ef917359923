"""Accounts, tokens and the access audit as facts, and what an account is once they are folded.

These are stored in the same event store as the cases (`eventstore/accounts.py`), each user and
each token in its own stream and the access audit in one stream of its own, so `safeguard backup`
covers them and nothing is ever overwritten: a revocation is a fact, like a grant.

The access audit holds who, when, what (an action and ids), from where, and allowed or refused:
never record text.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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


RESET_LINK_LIFE = timedelta(hours=24)  # how long a link to set a password works (once)
RESEND_AFTER = timedelta(minutes=1)  # a link asked for again sooner is the same request (a double click): not sent twice
RESET_EXPIRED = "This link has expired. Ask your administrator for a new one."
RESET_USED = ("This link has been used already. Sign in with the password you set with it, or ask your administrator "
              "for a new one.")


class PasswordResetIssued(Fact):
    """A one-time link to set the person's password, sent to them (issue 22). Only the SHA-256 of its
    random secret is kept. A newer link ends it, and so does a password set meanwhile."""

    type: Literal["PasswordResetIssued"] = "PasswordResetIssued"
    reset_id: str
    secret_sha256: str
    expires_at: datetime
    by: str


class PasswordResetUsed(Fact):
    """The link used: the password set with it is the PasswordSet recorded with this. The person's
    sessions begun before this are refused from now on."""

    type: Literal["PasswordResetUsed"] = "PasswordResetUsed"
    reset_id: str


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
                       "token_revoked", "user_added", "password_set", "reset_link_issued", "write"]


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
                                          ContactDetailsSet, PasswordResetIssued, PasswordResetUsed,
                                          TokenIssued, TokenRevoked,
                                          TokenUsed, AccessRecorded, IdempotentAnswer)


@dataclass
class ResetLink:
    """A link to set a password, as its facts leave it: open until used, ended (by a newer link or a
    password set meanwhile) or past `expires_at`."""

    reset_id: str
    secret_sha256: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    ended_at: datetime | None = None

    def open(self, now: datetime) -> bool:
        return self.used_at is None and self.ended_at is None and now < self.expires_at


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
    reset_links: list[ResetLink] = field(default_factory=list)  # in the order issued
    sessions_from: datetime | None = None  # a reset link used then: sessions begun before are refused
    held_a_role: bool = False  # granted one ever (so an account holding none now is told from a new one)

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
                _end_links(account, f.at)
            case PasswordResetIssued() if account:
                _end_links(account, f.at)
                account.reset_links.append(ResetLink(f.reset_id, f.secret_sha256, f.at, f.expires_at))
            case PasswordResetUsed() if account:
                for link in account.reset_links:
                    if link.reset_id == f.reset_id:
                        link.used_at = f.at
                account.sessions_from = f.at
            case RoleGranted() if account:
                a = f.assignment()
                account.assignments = [x for x in account.assignments if (x.role, x.service) != (a.role, a.service)] + [a]
                account.held_a_role = True
            case SessionEnded() if account:
                account.ended_sessions.add(f.session_id)
            case UserDeactivated() if account:
                account.deactivated_at = f.at
            case ContactDetailsSet() if account:
                account.email, account.mobile, account.approaching_alerts = f.email, f.mobile, f.approaching_alerts
            case RoleRevoked() if account:
                account.assignments = [x for x in account.assignments if (x.role, x.service) != (f.role, f.service)]
    return account


def _end_links(account: Account, at: datetime) -> None:
    for link in account.reset_links:
        if link.used_at is None and link.ended_at is None:
            link.ended_at = at


def reset_link_issued(account: Account, reset_id: str, secret_sha256: str, by: str, now: datetime) -> PasswordResetIssued:
    """A new link for the account's person: it works once, for RESET_LINK_LIFE, and ends the earlier ones."""
    return PasswordResetIssued(at=now, reset_id=reset_id, secret_sha256=secret_sha256, expires_at=now + RESET_LINK_LIFE,
                               by=by)


def reset_link_sent_lately(account: Account, now: datetime) -> ResetLink | None:
    """The open link issued less than RESEND_AFTER ago (the same request sent twice), if any."""
    last = account.reset_links[-1] if account.reset_links else None
    return last if last is not None and last.open(now) and now - last.issued_at < RESEND_AFTER else None


def reset_link_problem(account: Account | None, secret_sha256: str, now: datetime) -> tuple[ResetLink | None, str | None]:
    """The open link whose secret has this digest, or why it cannot be used, in plain words (an
    unknown, ended or expired link alike: expired; one used already: used)."""
    found = None
    if account is not None and account.deactivated_at is None:
        for link in account.reset_links:
            if hmac.compare_digest(link.secret_sha256, secret_sha256):
                found = link
    if found is None or not found.open(now):
        return None, RESET_USED if found is not None and found.used_at is not None else RESET_EXPIRED
    return found, None


def reset_link_used(link: ResetLink, password_hash: str, user_id: str, now: datetime) -> list[Fact]:
    """Using the link: it is spent, and the password is set (by the person themselves), in one append."""
    return [PasswordResetUsed(at=now, reset_id=link.reset_id), PasswordSet(at=now, password_hash=password_hash, by=user_id)]


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
