"""Accounts, tokens, the access audit and idempotent answers, stored in the event store.

Streams (uuid5 of a name, as cases are): one per user, one per token, and one stream holding the
whole access audit. Each append is at the stream's end, through the store's one append path
(`SafeguardingRecords.append`). Stores written before answers were derived from facts also hold
`IdempotentAnswer` streams: they still load, and nothing writes them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable
from uuid import NAMESPACE_URL, UUID, uuid5

from pwdlib import PasswordHash
from zxcvbn import zxcvbn

from domain.access import INSPECTOR_GRANT_LONGEST, Assignment, assignment_problem
from domain.facts import Fact
from eventstore.keys import Erased
from domain.alerts import contact_details
from domain.identity import (
    AccessRecorded,
    Account,
    ContactDetailsSet,
    PasswordSet,
    RoleGranted,
    RoleRevoked,
    SessionEnded,
    Token,
    TokenIssued,
    TokenRevoked,
    TokenUsed,
    UserAdded,
    UserDeactivated,
    fold_account,
    fold_token,
)
from eventstore.application import AlreadyExists, OutOfSequence, SafeguardingRecords
from eventstore.events import Recorded
from eventstore.group_append import group_append

NAMESPACE = uuid5(NAMESPACE_URL, "https://safeguard.invalid/identity")
ACCESS_STREAM = uuid5(NAMESPACE, "access-audit")
TOKEN_PREFIX = "sgt_"


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


def user_stream(user_id: str) -> UUID:
    return uuid5(NAMESPACE, f"user:{user_id}")


def token_stream(token_id: str) -> UUID:
    return uuid5(NAMESPACE, f"token:{token_id}")


def token_use_stream(token_id: str) -> UUID:
    """A token's uses, apart from the token: checking a token reads its two-event stream, never its history of use."""
    return uuid5(NAMESPACE, f"token-use:{token_id}")


_hasher = PasswordHash.recommended()  # Argon2id


def hash_password(password: str) -> str:
    return _hasher.hash(password)


MIN_PASSWORD = 12
ZXCVBN_LONGEST = 72
STRONG_ENOUGH = 3  # of zxcvbn's 0-4: "safely unguessable" against an online attack, and then some


def _made_from(password: str, words: list[str]) -> bool:
    """Whether a password is little but the person's own id or name, with digits or marks."""
    rest = re.sub(r"[^a-z]", "", password.lower())
    letters = len(rest)
    for word in sorted({re.sub(r"[^a-z]", "", w.lower()) for w in words}, key=len, reverse=True):
        if len(word) >= 2:
            rest = rest.replace(word, "")
    return len(rest) < letters and len(rest) < 4  # some of it was their id or name, and little else


def password_problem(password: str, user_id: str, display_name: str = "") -> str | None:
    """Why a password will not do, in plain words (None: it will). NCSC's guidance: length over
    complexity, and no password that is common, or made from the person's own id or name (zxcvbn
    knows the common ones, and is told the id and name)."""
    hint = "try three or four words you will remember."  # each problem a sentence, as a page or the API says it
    if len(password) < MIN_PASSWORD:
        return f"A password must be at least {MIN_PASSWORD} characters: {hint}"
    if not password.strip():
        return f"A password of spaces only is easy to guess: {hint}"
    words = [user_id, display_name, *re.split(r"[-_.\s]+", user_id), *display_name.split(), display_name.replace(" ", "")]
    if _made_from(password, words):
        return f"A password made from your name or user id is easy to guess: {hint}"
    # zxcvbn refuses more than 72 characters: a longer password is judged by its first 72
    found = zxcvbn(password[:ZXCVBN_LONGEST], user_inputs=[w for w in words if w])
    if found["score"] < STRONG_ENOUGH:
        why = found["feedback"]["warning"].rstrip(".")
        return f"That password is too easy to guess{f' ({why[:1].lower() + why[1:]})' if why else ''}: {hint}"
    return None


def verify_password(password: str, hashed: str | None) -> bool:
    if hashed is None:
        _hasher.hash(password)  # the same work as a real check, so timing does not tell which users exist
        return False
    return _hasher.verify(password, hashed)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class IssuedToken:
    token: Token
    secret: str  # shown once: only its digest is stored


class Accounts:
    def __init__(self, records: SafeguardingRecords) -> None:
        self.records = records

    # ---- appending ------------------------------------------------------------------------

    def _append(self, stream: UUID, fact: Fact, first: bool = False) -> Recorded:
        """At the stream's end, by the store's one append path; `first`: the stream must be new."""
        try:
            return self.records.append(stream, [fact], new=first)[0]
        except AlreadyExists:
            raise AccountError("already exists") from None
        except OutOfSequence as e:  # the end claimed by others every time: the store is overloaded
            raise AccountError(str(e)) from None

    def _facts(self, stream: UUID) -> list[Fact]:
        return [r.fact for r in self.records.stream(stream)]

    # ---- users ------------------------------------------------------------------------------

    def account(self, user_id: str) -> Account | None:
        return fold_account(self._facts(user_stream(user_id)))

    def add_user(self, user_id: str, display_name: str, password: str | None, by: str, kind: str = "person",
                 email: str | None = None, audited: bool = True) -> Account:
        """A new account (with `email`: where its alerts go, recorded with it in one append). `audited`
        False: the caller (an application-layer use case) writes the access log's line itself."""
        if password is not None and (problem := password_problem(password, user_id, display_name)):
            raise AccountError(problem)
        now = _now()
        facts: list[Fact] = [UserAdded(at=now, user_id=user_id, display_name=display_name, kind=kind,
                                       password_hash=hash_password(password) if password else None, by=by)]
        if email is not None:
            try:
                email, _ = contact_details(email, None)
            except ValueError as e:
                raise AccountError(str(e)) from None
            facts.append(ContactDetailsSet(at=now, email=email, by=by))
        try:
            self.records.append(user_stream(user_id), facts, new=True)
        except AlreadyExists:
            raise AccountError(f"user {user_id} already exists") from None
        except OutOfSequence as e:
            raise AccountError(str(e)) from None
        if audited:
            self.audit(by, "user_added", "users add", target=user_id, allowed=True)
        return self.account(user_id)  # type: ignore[return-value]

    def set_password(self, user_id: str, password: str, by: str, channel: str = "cli", address: str | None = None) -> None:
        account = self._open(user_id)
        if problem := password_problem(password, user_id, account.display_name):
            raise AccountError(problem)
        self._append(user_stream(user_id), PasswordSet(at=_now(), password_hash=hash_password(password), by=by))
        self.audit(by, "password_set", "users password" if channel == "cli" else "change your password", target=user_id,
                   allowed=True, address=address, channel=channel)

    def grant(self, user_id: str, assignment: Assignment, by: str, now: datetime | None = None,
              audited: bool = True) -> Account:
        """`now`: what an inspector's end is checked against (default: the clock)."""
        problem = assignment_problem(assignment)
        if problem:
            raise AccountError(problem)
        now = now or _now()
        if assignment.until is not None and assignment.until <= now:
            raise AccountError(f"the grant would end {assignment.until.isoformat()}, which has passed: give an end "
                               "in the future")
        if assignment.until is not None and assignment.until - now > INSPECTOR_GRANT_LONGEST:
            raise AccountError(f"an inspector's grant lasts at most {INSPECTOR_GRANT_LONGEST.days} days: give an end "
                               "sooner, and grant again if the inspection runs on")
        unknown = [c for c in assignment.cases if not self.case_exists(c)]
        if unknown:
            raise AccountError(f"no case {', '.join(unknown)} in the event store: an inspector's grant names cases "
                               "that were raised")
        self._open(user_id)
        self._append(user_stream(user_id), RoleGranted(at=_now(), role=assignment.role, service=assignment.service,
                                                       cases=assignment.cases, until=assignment.until, by=by))
        if audited:
            self.audit(by, "grant", "users grant", target=user_id, service=assignment.service, allowed=True,
                       reason=assignment.describe())
        return self.account(user_id)  # type: ignore[return-value]

    def revoke(self, user_id: str, role: str, service: str | None, by: str, audited: bool = True) -> Account:
        account = self._existing(user_id)
        if not any((a.role, a.service) == (role, service) for a in account.assignments):
            held = ", ".join(a.describe() for a in account.assignments) or "no role"
            raise AccountError(f"{user_id} does not hold {Assignment(role, service).describe()}; they hold {held}")
        self._append(user_stream(user_id), RoleRevoked(at=_now(), role=role, service=service, by=by))
        if audited:
            self.audit(by, "revoke", "users revoke", target=user_id, service=service, allowed=True,
                       reason=Assignment(role, service).describe())
        return self.account(user_id)  # type: ignore[return-value]

    def sync_from_identity_provider(self, user_id: str, display_name: str, wanted: list[Assignment], by: str) -> Account:
        """An OIDC user as their identity provider's claims say now: the account made on first
        sign-in; roles granted and revoked to match the mapped claims (each change a fact, audited)."""
        account = self.account(user_id)
        if account is None:
            try:
                account = self.add_user(user_id, display_name, None, by)
            except AccountError:
                account = self._existing(user_id)  # a concurrent first sign-in made it
        held = {(a.role, a.service) for a in account.assignments}
        want = {(a.role, a.service): a for a in wanted}
        for key, a in want.items():
            if key not in held:
                self.grant(user_id, a, by)
        for role, service in held - set(want):
            self.revoke(user_id, role, service, by)
        return self._existing(user_id)

    def set_contact(self, user_id: str, email: str | None, mobile: str | None, approaching_alerts: bool, by: str) -> Account:
        """Where the person's alerts go (issue 20); AccountError, recording nothing, for a bad address."""
        self._open(user_id)
        try:
            email, mobile = contact_details(email, mobile)
        except ValueError as e:
            raise AccountError(str(e)) from None
        self._append(user_stream(user_id), ContactDetailsSet(at=_now(), email=email, mobile=mobile,
                                                             approaching_alerts=approaching_alerts, by=by))
        return self._existing(user_id)

    def deactivate(self, user_id: str, by: str, reason: str | None = None, audited: bool = True) -> Account:
        """Close an account (a leaver): every session and token of theirs is refused from its next use."""
        account = self._existing(user_id)
        if account.deactivated_at is not None:
            raise AccountError(f"{user_id}'s account is closed already (since {account.deactivated_at.date().isoformat()})")
        self._append(user_stream(user_id), UserDeactivated(at=_now(), by=by, reason=reason))
        if audited:
            self.audit(by, "revoke", "users deactivate", target=user_id, allowed=True, reason=reason or "deactivated")
        return self._existing(user_id)

    def end_session(self, user_id: str, session_id: str) -> None:
        self._append(user_stream(user_id), SessionEnded(at=_now(), session_id=session_id))

    def _existing(self, user_id: str) -> Account:
        account = self.account(user_id)
        if account is None:
            raise AccountError(f"no user {user_id}")
        return account

    def case_exists(self, case_id: str) -> bool:
        try:
            return len(case_id) <= 64 and bool(self.records.stored_facts(case_id, lte=1))
        except Erased:
            return True  # erased under retention: it was raised

    def _open(self, user_id: str) -> Account:
        """An account that is not closed: a closed one takes no role, token or password."""
        account = self._existing(user_id)
        if account.deactivated_at is not None:
            raise AccountError(f"{user_id}'s account was closed on {account.deactivated_at.date().isoformat()}: "
                               "it takes no role, token or password (add the person again under a new id)")
        return account

    def users(self) -> list[Account]:
        """Every account, in the order added (read from the notification log)."""
        ids = [f.user_id for f in self._log_facts(UserAdded)]
        return [a for a in (self.account(i) for i in ids) if a is not None]

    def _log_facts(self, cls: type[Fact]) -> Iterable[Fact]:
        return (r.fact for r in self.logged(cls))

    def logged(self, *classes: type[Fact]) -> Iterable[Recorded]:
        """Every fact of these classes in the store, with its stream, in the order recorded (the notification log)."""
        from eventsourcing.utils import get_topic

        start = 1
        topics = [get_topic(c) for c in classes]
        while batch := self.records.recorder.select_notifications(start=start, limit=500, topics=topics):
            for n in batch:
                yield self.records.mapper.to_domain_event(n)
            start = batch[-1].id + 1

    # ---- tokens -----------------------------------------------------------------------------

    def issue_token(self, user_id: str, name: str, scope: tuple[Assignment, ...] | None, expires_in: timedelta,
                    by: str) -> IssuedToken:
        account = self._open(user_id)
        if scope is not None:
            for s in scope:
                if not any(a.role == s.role and (s.service is None or a.service in (None, s.service))
                           for a in account.assignments):
                    raise AccountError(f"{user_id} does not hold {s.describe()}: a token's scope is within its user's roles")
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        fact = TokenIssued(at=_now(), token_id=token_id, user_id=user_id, name=name,
                           secret_sha256=hashlib.sha256(secret.encode()).hexdigest(),
                           scope=None if scope is None else tuple((s.role, s.service) for s in scope),
                           expires_at=_now() + expires_in, by=by)
        self._append(token_stream(token_id), fact, first=True)
        self.audit(by, "token_issued", "tokens issue", target=f"{user_id}/{token_id}", allowed=True)
        return IssuedToken(fold_token([fact]), f"{TOKEN_PREFIX}{token_id}.{secret}")  # type: ignore[arg-type]

    def token(self, token_id: str, with_last_use: bool = True) -> Token | None:
        facts = self._facts(token_stream(token_id))
        if with_last_use and facts:
            last = self.records.recorder.select_events(token_use_stream(token_id), desc=True, limit=1)
            facts += [self.records.mapper.to_domain_event(e).fact for e in last]
        return fold_token(facts)

    def tokens(self, user_id: str | None = None) -> list[Token]:
        ids = [f.token_id for f in self._log_facts(TokenIssued) if user_id in (None, f.user_id)]  # type: ignore[attr-defined]
        return [t for t in (self.token(i) for i in ids) if t is not None]

    def revoke_token(self, token_id: str, by: str, audited: bool = True) -> Token:
        token = self.token(token_id)
        if token is None:
            raise AccountError(f"no token {token_id}")
        if token.revoked_at is None:
            self._append(token_stream(token_id), TokenRevoked(at=_now(), token_id=token_id, by=by))
            if audited:
                self.audit(by, "token_revoked", "tokens revoke", target=f"{token.user_id}/{token_id}", allowed=True)
        return self.token(token_id)  # type: ignore[return-value]

    def check_token(self, presented: str, now: datetime | None = None) -> tuple[Token, Account]:
        """The token and its user, or AccountError saying why not (malformed, unknown, expired, revoked)."""
        if not presented.startswith(TOKEN_PREFIX) or "." not in presented:
            raise AccountError("the bearer token is not a Safeguard token (sgt_...)")
        token_id, secret = presented[len(TOKEN_PREFIX):].split(".", 1)
        token = self.token(token_id, with_last_use=False) if token_id.isalnum() and len(token_id) <= 32 else None
        digest = hashlib.sha256(secret.encode()).hexdigest()
        if token is None or not hmac.compare_digest(digest, token.secret_sha256):
            raise AccountError("the bearer token is not known")
        problem = token.problem(now or _now())
        if problem:
            raise AccountError(problem)
        account = self.account(token.user_id)
        if account is None:
            raise AccountError(f"token {token_id}'s user no longer exists")
        if account.deactivated_at is not None:
            raise AccountError(f"token {token_id}'s user's account is closed")
        return token, account

    def token_used(self, token_id: str, address: str | None) -> None:
        self._append(token_use_stream(token_id), TokenUsed(at=_now(), token_id=token_id, address=address))

    def last_use(self, token_id: str) -> datetime | None:
        last = self.records.recorder.select_events(token_use_stream(token_id), desc=True, limit=1)
        return self.records.mapper.to_domain_event(last[0]).fact.at if last else None

    # ---- the access audit -------------------------------------------------------------------

    def audit(self, user_id: str | None, action: str, what: str, allowed: bool, case_id: str | None = None,
              service: str | None = None, target: str | None = None, reason: str | None = None,
              address: str | None = None, channel: str = "cli", token_id: str | None = None) -> None:
        self._access([AccessRecorded(
            at=_now(), user_id=user_id, action=action, what=what, case_id=case_id, service=service, target=target,  # type: ignore[arg-type]
            allowed=allowed, reason=reason, address=address, channel=channel, token_id=token_id)])

    def audit_lines(self, lines: list[dict[str, Any]]) -> None:
        """Several lines of the access audit written at once (the cases a list showed): one append."""
        if lines:
            now = _now()
            self._access([AccessRecorded(at=now, **line) for line in lines])

    def _access(self, lines: list[AccessRecorded]) -> None:
        """Lines of the access log, appended with those other threads of this process write at the
        same moment (eventstore/group_append.py): stored before this returns."""
        try:
            group_append(self.records, ACCESS_STREAM).append(lines)
        except OutOfSequence as e:  # the end claimed by others every time: the store is overloaded
            raise AccountError(str(e)) from None

    def access_log(self, case_id: str | None = None, user_id: str | None = None) -> list[AccessRecorded]:
        def about(f: AccessRecorded) -> bool:  # as actor, or as the one acted on (a user, or one of their tokens)
            return user_id is None or user_id in (f.user_id, f.target) or (f.target or "").startswith(f"{user_id}/")

        return [f for f in self._facts(ACCESS_STREAM)  # type: ignore[misc]
                if case_id in (None, f.case_id) and about(f)]  # type: ignore[arg-type,attr-defined]
