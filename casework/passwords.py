"""Passwords (issue 18 §5, issue 22): a person changes their own; an administrator sends a person a
one-time link to set one; the person uses it. Each takes (ports, ..., now) and returns, or raises a
typed refusal (casework/refusals.py) having recorded nothing; the pages, the API and the CLI call
these alike. The rules a password must meet are eventstore/accounts.py's `password_problem` (length,
not easy to guess), its hash Argon2id; the link's rules are domain/identity.py's.

A link is `<public url>/reset/<token>`, the token the person's user id (base64url) and 256 random
bits: only the bits' SHA-256 is stored, in the person's stream, and the token is never logged nor
put in the access log (which names the route, `/reset/{token}`). It goes by email to the address
the person's alerts go to; the CLI's operator, on a machine with no mail, may have it shown instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.channel import SendFailed
from casework.access import allowed, audit
from casework.ports import Ports
from casework.refusals import Invalid, NotFound, NotOpen, NotPermitted, Refusal, Unavailable
from domain.access import Principal, may_administer
from domain.alerts import alert_key, reset_link_message
from domain.identity import (RESET_EXPIRED, fold_account, reset_link_issued, reset_link_problem, reset_link_sent_lately,
                             reset_link_used)
from eventstore.accounts import AccountError, hash_password, password_problem, user_stream, verify_password
from eventstore.application import Superseded

RESET_PATH = "/reset/"


class Throttled(Refusal):
    """Too many failures from this person or address lately: `details["wait"]` seconds until the next try."""


# ---- changing your own password ---------------------------------------------------------------------


def change_own_password(ports: Ports, principal: Principal, current: str, new: str, now: datetime) -> None:
    """Change a signed-in person's own password: the current one is checked (throttled, as signing in
    is), the new one must not be easy to guess. From a session only: a token cannot set the password
    that signs in with every role."""
    if principal.session_id is None:
        audit(ports, principal, "refused", False, reason="a password change with a token")
        raise NotPermitted("change your password from a signed-in session, not with a token")
    account = ports.accounts.account(principal.user_id)
    if account is None or account.password_hash is None:
        raise NotOpen("your account signs in through your organisation: change your password there")
    keys = [f"user:{principal.user_id}", f"address:{principal.address}"]
    _not_throttled(ports, principal, keys, now, "too many wrong passwords")
    if not verify_password(current, account.password_hash):
        ports.throttle.failed(keys, now)
        audit(ports, principal, "refused", False, reason="wrong current password")
        raise NotPermitted("your current password is not right: try again")
    try:
        ports.accounts.set_password(principal.user_id, new, principal.user_id, principal.channel, principal.address)
    except AccountError as e:
        raise Invalid(str(e), field="new_password") from None
    ports.throttle.succeeded(keys[0])


def _not_throttled(ports: Ports, principal: Principal | None, keys: list[str], now: datetime, what: str) -> None:
    window = timedelta(minutes=ports.settings.login_window_minutes)
    wait = ports.throttle.wait(keys, now, ports.settings.login_attempts, window)
    if wait:
        if principal is not None:
            audit(ports, principal, "refused", False, reason="throttled")
        raise Throttled(f"{what}: try again in {wait // 60 + 1} minute(s)", wait=wait)


# ---- a link to set a password -----------------------------------------------------------------------


@dataclass(frozen=True)
class ResetLinkSent:
    user_id: str
    expires_at: datetime
    link: str | None  # only when it was asked to be shown (the CLI's --print); else it went by email alone
    again: bool = False  # sent a moment ago already: this was the same request, and nothing more was sent


def issue_reset_link(ports: Ports, principal: Principal, user_id: str, now: datetime, send: bool = True) -> ResetLinkSent:
    """Send a person a one-time link to set their password (an administrator, or the CLI's local
    operator): by email to their alerts' address; with `send` False, the link is answered instead
    (the CLI's --print). Issuing it ends their earlier links. The same request sent again within a
    minute (a double click) sends nothing more. Refused, recording nothing: someone not allowed, no
    such active user, no email address, no email channel, the email not sent."""
    allowed(ports, principal, may_administer(principal, "send a link to set a password"))
    account = ports.accounts.account(user_id)
    if account is None or account.deactivated_at is not None:
        audit(ports, principal, "refused", False, target=user_id, reason="reset link: no such active user")
        raise NotFound(f"There is no active user {user_id}.")
    if send:
        if not account.email:
            audit(ports, principal, "refused", False, target=user_id, reason="reset link: no email address")
            raise Invalid(f"{user_id} has no email address for alerts. Add one first.", field="email")
        if ports.senders is None or not ports.senders.can_email:
            audit(ports, principal, "refused", False, target=user_id, reason="reset link: no email channel")
            raise NotOpen("Email is not set up on this Safeguard yet, so no link can be sent. Ask your operator to set "
                          "it up.")
        if (lately := reset_link_sent_lately(account, now)) is not None:
            return ResetLinkSent(user_id, lately.expires_at, None, again=True)
    secret = secrets.token_urlsafe(32)
    fact = reset_link_issued(account, secrets.token_hex(8), _digest(secret), principal.user_id, now)
    link = ports.settings.public_url.rstrip("/") + RESET_PATH + _token(user_id, secret)
    if send:
        message = reset_link_message(user_id, link, fact.expires_at)
        try:
            ports.senders.email(account.email, message, alert_key("reset", user_id, fact.reset_id))  # type: ignore[union-attr,arg-type]
        except SendFailed as e:
            audit(ports, principal, "refused", False, target=user_id, reason="reset link: the email was not sent")
            raise Unavailable(f"The email to {user_id} could not be sent ({e}). Nothing was recorded: try again "
                              "later.") from None
    ports.records.append(user_stream(user_id), [fact])
    audit(ports, principal, "reset_link_issued", True, target=user_id,
          reason="sent by email" if send else "shown to the operator")
    return ResetLinkSent(user_id, fact.expires_at, None if send else link)


def reset_link_holder(ports: Ports, token: str, now: datetime, address: str | None = None,
                      what: str = "reset link", channel: str = "web") -> str:
    """The user id an open link is for (its page asks for the new password), or NotOpen in plain words."""
    user_id, digest = _parsed(token)
    account = ports.accounts.account(user_id) if user_id else None
    _open_link(ports, account, user_id, digest, now, address, what, channel)
    return user_id  # type: ignore[return-value]


def redeem_reset_link(ports: Ports, token: str, new_password: str, now: datetime, address: str | None = None,
                      what: str = "reset link", channel: str = "web") -> str:
    """Set the password with a link: once, before it expires, to a password not easy to guess (a
    refused password leaves the link usable). The person's sessions begun before are refused from
    now on. Answers their user id. `address`, `what` and `channel`: the access log's."""
    user_id, digest = _parsed(token)
    for _ in range(3):
        stored = ports.records.stream(user_stream(user_id)) if user_id else []
        account = fold_account([r.fact for r in stored])
        link = _open_link(ports, account, user_id, digest, now, address, what, channel)
        assert account is not None and user_id is not None
        if problem := password_problem(new_password, user_id, account.display_name):
            raise Invalid(problem, field="new_password")
        facts = reset_link_used(link, hash_password(new_password), user_id, now)
        try:  # just after what was read: a twin request (or any other change) meanwhile decides again
            ports.records.append(user_stream(user_id), facts, stored[-1].seq + 1)
        except Superseded:
            continue
        ports.accounts.audit(user_id, "password_set", what, True, target=user_id, reason="with a reset link",
                             address=address, channel=channel)
        return user_id
    raise Unavailable("Safeguard is too busy to set your password just now: try again in a minute.")


def _open_link(ports: Ports, account, user_id: str | None, digest: str, now: datetime, address: str | None,
               what: str, channel: str):
    """The open link, else NotOpen (audited; failures from one address throttled, as signing in is)."""
    keys = [f"reset:{address}"]
    try:
        _not_throttled(ports, None, keys, now, "too many links that do not work")
    except Throttled:
        ports.accounts.audit(None, "refused", what, False, target=user_id, reason="throttled", address=address,
                             channel=channel)
        raise
    link, problem = reset_link_problem(account, digest, now)
    if link is None:
        ports.throttle.failed(keys, now)
        reason = "reset link: used already" if problem != RESET_EXPIRED else "reset link: expired or not known"
        ports.accounts.audit(None, "refused", what, False, target=user_id if account else None, reason=reason,
                             address=address, channel=channel)
        raise NotOpen(problem or RESET_EXPIRED)
    return link


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token(user_id: str, secret: str) -> str:
    return base64.urlsafe_b64encode(user_id.encode()).decode().rstrip("=") + "." + secret


def _parsed(token: str) -> tuple[str | None, str]:
    """(user id, the secret's digest) of a token; user id None for one that is not a link's."""
    head, _, secret = token.partition(".")
    try:
        user_id = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode() if 0 < len(head) <= 100 else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        user_id = None
    return (user_id if user_id and user_id.isprintable() and secret else None), _digest(secret)
