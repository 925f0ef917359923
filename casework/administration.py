"""Administration (issue 22): running Safeguard's accounts, roles, tokens and rotas, for every face.

One check for all of it, `domain.access.may_administer` (an administrator, held organisation-wide;
the CLI's local operator passes it, as every check): a refusal is in the access log and raised as
NotPermitted, with nothing recorded. The use cases are in three modules, each taking (ports,
principal, command, now):

- this one: the check, the guard on the last administrator, the overview and the tokens;
- `casework/accounts_admin.py`: adding and closing accounts, granting and revoking roles, the users;
- `casework/admin_history.py`: every administrative fact, who did what to whom and when.

An administrator reads no case content by virtue of the role: nothing here reads a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casework.access import audit
from casework.idempotency import Outcome
from casework.ports import Ports
from casework.refusals import NotFound, NotPermitted
from domain.access import ADMINISTRATOR, Principal, may_administer
from domain.identity import Account, Token


def administering(ports: Ports, principal: Principal, what: str, target: str | None = None) -> None:
    """Let an administrator through; refuse anyone else (NotPermitted, in the access log). `what`:
    what they asked to do, as a sentence ends ("add a user")."""
    decision = may_administer(principal, what)
    if not decision:
        audit(ports, principal, "refused", False, target=target, reason=decision.reason)
        raise NotPermitted(decision.reason)


class Guarded(NotPermitted):
    """An administrator's request the guard refuses: closing their own account, or taking away the
    last administrator role. A page shows it on the form it came from."""


def refuse(ports: Ports, principal: Principal, why: str, target: str | None = None) -> Guarded:
    """A refusal of an administrator's request by the guard, in the access log."""
    audit(ports, principal, "refused", False, target=target, reason=why)
    return Guarded(why)


def active_administrators(ports: Ports) -> list[Account]:
    return [a for a in ports.accounts.users() if a.deactivated_at is None
            and any(x.role == ADMINISTRATOR and x.service is None for x in a.assignments)]


def last_administrator(ports: Ports, account: Account) -> bool:
    """Whether `account` holds the only administrator role left on an open account."""
    return [a.user_id for a in active_administrators(ports)] == [account.user_id]


def account_of(ports: Ports, principal: Principal, user_id: str) -> Account:
    """The account an administrator asks about, or NotFound (in the access log)."""
    account = ports.accounts.account(user_id) if 0 < len(user_id) <= 64 else None
    if account is None:
        audit(ports, principal, "refused", False, target=user_id[:64] or None, reason="no such user")
        raise NotFound(f"There is no user {user_id[:64]}." if user_id else "Choose a user.")
    return account


def name_of(account: Account) -> str:
    return f"{account.display_name} ({account.user_id})"


# ---- the overview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadOverview:
    pass


@dataclass(frozen=True)
class Overview:
    users: int  # open accounts
    closed: int
    administrators: tuple[str, ...]  # the open accounts that hold the administrator role, by name
    tokens: int  # neither revoked nor expired


def overview(ports: Ports, principal: Principal, c: ReadOverview, now: datetime) -> Overview:
    """What the Administration page opens with: how many accounts and tokens, who administers."""
    administering(ports, principal, "use the administration pages")
    accounts = ports.accounts.users()
    live = sum(1 for t in ports.accounts.tokens() if t.problem(now) is None)
    admins = tuple(name_of(a) for a in active_administrators(ports))
    return Overview(sum(1 for a in accounts if a.deactivated_at is None),
                    sum(1 for a in accounts if a.deactivated_at is not None), admins, live)


# ---- tokens ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListTokens:
    user_id: str | None = None  # None: every user's


@dataclass(frozen=True)
class TokenRow:
    token: Token
    holder: str  # the user's name and id ("Tess Leader (TL-4)"), or their id if the account is gone
    live: bool  # neither revoked nor expired


@dataclass(frozen=True)
class RevokeToken:
    token_id: str


def tokens(ports: Ports, principal: Principal, c: ListTokens, now: datetime) -> list[TokenRow]:
    """Every API token (or one user's), in the order issued: whose, what for, its scope, when it ends, its last use."""
    administering(ports, principal, "see the API tokens", target=c.user_id)
    names = {a.user_id: name_of(a) for a in ports.accounts.users()}
    rows = [TokenRow(t, names.get(t.user_id, t.user_id), t.problem(now) is None) for t in ports.accounts.tokens(c.user_id)]
    audit(ports, principal, "read", True, target=c.user_id, reason="API tokens")
    return rows


def revoke_token(ports: Ports, principal: Principal, c: RevokeToken, now: datetime) -> Outcome[Token]:
    """Revoke a token: refused from its next use. One revoked already is answered as it is (replayed)."""
    administering(ports, principal, "revoke an API token", target=c.token_id or None)
    token = ports.accounts.token(c.token_id) if c.token_id.isalnum() and len(c.token_id) <= 32 else None
    if token is None:
        audit(ports, principal, "refused", False, target=c.token_id[:40] or None, reason="no such token")
        raise NotFound("There is no such API token. It may have been removed from the list: look again.")
    if token.revoked_at is not None:
        return Outcome(token, replayed=True, at=token.revoked_at)
    token = ports.accounts.revoke_token(c.token_id, principal.user_id, audited=False)
    audit(ports, principal, "token_revoked", True, target=f"{token.user_id}/{token.token_id}")
    return Outcome(token)
