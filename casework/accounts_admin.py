"""The accounts an administrator keeps (issue 22): add a user, close an account, grant and revoke a
role (at a service, across the organisation, or an inspector's access to named cases until a date),
and the users with their roles. Each takes (ports, principal, command, now), checks
`may_administer` (casework/administration.py), validates everything before it records anything,
and says what is wrong in plain words (`field` names the form's question it is about).

The guard: an administrator cannot close their own account, and the last administrator's role
cannot be taken away, by revoking it or by closing the account that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from casework.access import audit
from casework.administration import account_of, administering, last_administrator, name_of, refuse
from casework.alerting import contact_problem
from casework.idempotency import Outcome
from casework.ports import Ports
from casework.refusals import AlreadyDone, Invalid
from domain.access import (ADMINISTRATOR, INSPECTOR, INSPECTOR_GRANT_LONGEST, ORGANISATION_ONLY, ROLES, Assignment,
                           Principal, assignment_problem, role_name)
from domain.identity import Account, ContactDetailsSet, UserAdded
from domain.inputs import MAX_TEXT, text_problem
from eventstore.accounts import AccountError, password_problem, user_stream

MAX_NAME = 200


@dataclass(frozen=True)
class AddUser:
    user_id: str
    display_name: str
    email: str | None = None  # where their alerts go
    kind: Literal["person", "service"] = "person"
    password: str | None = None  # the CLI's: on a page, the person sets their own from a reset link


@dataclass(frozen=True)
class DeactivateUser:
    user_id: str
    reason: str | None = None


@dataclass(frozen=True)
class GrantRole:
    user_id: str
    role: str
    # a service's id; None: across the organisation, said so; "": nothing chosen, refused for a role that may be held
    # at a service (a team leader granted with "Where" left as it was would have led at every service)
    service: str | None = ""
    cases: tuple[str, ...] = ()  # an inspector's: the cases they may read ...
    until: datetime | None = None  # ... and when their access ends


@dataclass(frozen=True)
class RevokeRole:
    user_id: str
    role: str
    service: str | None = None


@dataclass(frozen=True)
class ListUsers:
    pass


@dataclass(frozen=True)
class ReadUser:
    user_id: str


def _sentence(words: str) -> str:
    words = words.strip()
    return (words[:1].upper() + words[1:]).rstrip(".") + "."


def _refused(ports: Ports, principal: Principal, what: str, e: Invalid, target: str | None) -> Invalid:
    """A refused input, in the access log as a refused write (its question, never what was typed)."""
    audit(ports, principal, "write", False, target=target, reason=f"{what} refused: {e.details.get('field', 'input')}")
    return e


# ---- adding and closing -----------------------------------------------------------------------------


def _new_user_problem(ports: Ports, c: AddUser) -> Invalid | None:
    if not c.user_id.strip():
        return Invalid("Enter the person's user id, for example SSW-14.", field="user_id")
    if problem := ports.settings.input_rules().id_problem(c.user_id, "staff"):
        return Invalid(_sentence(f"The user id {c.user_id[:64]!r} {problem}"), field="user_id")
    if not c.display_name.strip():
        return Invalid("Enter the person's name, as colleagues know them.", field="display_name")
    if problem := text_problem(c.display_name, min(MAX_TEXT, MAX_NAME)):
        return Invalid(_sentence(f"The name {problem}"), field="display_name")
    if c.kind not in ("person", "service"):
        return Invalid("An account is a person's or a service's.", field="kind")
    if problem := contact_problem(c.email, None):
        return problem
    if c.password is not None and (problem := password_problem(c.password, c.user_id, c.display_name)):
        return Invalid(_sentence(problem), field="password")
    if ports.accounts.account(c.user_id) is not None:
        return Invalid(f"There is already a user {c.user_id}: give the new account another id.", field="user_id")
    return None


def _sent_again(ports: Ports, principal: Principal, c: AddUser) -> Account | None:
    """The account this very request added, if it was sent before (a double click): added by the same
    person with the same details, and nothing done to it since. A password is never sent again."""
    account = ports.accounts.account(c.user_id) if c.password is None and 0 < len(c.user_id) <= 64 else None
    if account is None:
        return None
    facts = [r.fact for r in ports.records.stream(user_stream(c.user_id))]
    email = (c.email or "").strip() or None
    just_added = [type(f) for f in facts] in ([UserAdded], [UserAdded, ContactDetailsSet])
    same = (facts[0].by, account.display_name, account.kind, account.email, account.password_hash) == (  # type: ignore[attr-defined]
        principal.user_id, c.display_name.strip(), c.kind, email, None)
    return account if just_added and same else None


def add_user(ports: Ports, principal: Principal, c: AddUser, now: datetime) -> Outcome[Account]:
    """A new account: a person (or a service's integration), by a staff id, with where their alerts
    go. It holds no role until one is granted, and no password until they set one. Sent again before
    anything else is done to the account, it is answered as done (replayed), recording nothing."""
    administering(ports, principal, "add a user", target=c.user_id[:64] or None)
    if (earlier := _sent_again(ports, principal, c)) is not None:
        return Outcome(earlier, replayed=True, at=earlier.added_at)
    if problem := _new_user_problem(ports, c):
        raise _refused(ports, principal, "add a user", problem, c.user_id[:64] or None)
    try:
        account = ports.accounts.add_user(c.user_id, c.display_name.strip(), c.password, principal.user_id, c.kind,
                                          email=(c.email or "").strip() or None, audited=False)
    except AccountError as e:  # added meanwhile by someone else
        raise Invalid(_sentence(str(e)), field="user_id") from None
    audit(ports, principal, "user_added", True, target=account.user_id)
    return Outcome(account)


def deactivate_user(ports: Ports, principal: Principal, c: DeactivateUser, now: datetime) -> Account:
    """Close an account (a leaver): every session and API token of theirs is refused from the next use."""
    administering(ports, principal, "close an account", target=c.user_id[:64] or None)
    account = account_of(ports, principal, c.user_id)
    if principal.named and principal.user_id == account.user_id:
        raise refuse(ports, principal, "You cannot close your own account. Ask another administrator to close it.",
                     account.user_id)
    if account.deactivated_at is not None:
        raise AlreadyDone(f"{name_of(account)}'s account is closed already.")
    if c.reason is not None and c.reason.strip() and (problem := text_problem(c.reason, 500)):
        raise _refused(ports, principal, "close an account", Invalid(_sentence(f"The reason {problem}"), field="reason"),
                       account.user_id)
    if last_administrator(ports, account):
        raise refuse(ports, principal, f"{name_of(account)} is the only administrator, so their account cannot be "
                     "closed: nobody could then run Safeguard from the browser. Make someone else an administrator "
                     "first.", account.user_id)
    reason = (c.reason or "").strip() or None
    account = ports.accounts.deactivate(account.user_id, principal.user_id, reason, audited=False)
    audit(ports, principal, "revoke", True, target=account.user_id, reason=reason or "deactivated")
    return account


# ---- roles ------------------------------------------------------------------------------------------


def _grant_problem(ports: Ports, c: GrantRole, now: datetime) -> Invalid | None:
    if c.role not in ROLES:
        return Invalid("Choose a role from the list.", field="role")
    words = role_name(c.role)
    if c.service == "":  # the page's words; the API and the CLI say it for their field and option (details)
        return Invalid("Choose where they hold the role: a service, or Across the organisation.", field="service",
                       where_unchosen=True)
    if c.service is not None and (problem := ports.settings.input_rules().id_problem(c.service, "service")):
        return Invalid(_sentence(f"The service {c.service[:64]!r} {problem}"), field="service")
    if c.role in ORGANISATION_ONLY and c.service is not None:
        # worded for the page's "Where" choice; the CLI says it for its --service option (cli/users.py)
        return Invalid(f"The role {words} is held across the whole organisation: choose Across the organisation, "
                       "not a service.", field="service", organisation_only=True)
    if c.role != INSPECTOR and (c.cases or c.until):
        return Invalid("Only an inspector's access names cases and an end date: leave them empty.", field="cases")
    if c.role == INSPECTOR:
        if not c.cases:
            return Invalid("Enter the cases the inspector may read, for example SG-2027-0001.", field="cases")
        if c.until is None:
            return Invalid("Enter the date the inspector's access ends.", field="until")
        if c.until <= now:
            return Invalid("The date their access ends has passed: give a date in the future.", field="until")
        if c.until - now > INSPECTOR_GRANT_LONGEST:
            return Invalid(f"An inspector's access lasts at most {INSPECTOR_GRANT_LONGEST.days} days: give an earlier "
                           "end date, and grant it again if the inspection runs on.", field="until")
        unknown = [case for case in c.cases if not ports.accounts.case_exists(case)]
        if unknown:
            return Invalid(f"There is no case {', '.join(x[:64] for x in unknown)}: check the case ids.", field="cases")
    if problem := assignment_problem(Assignment(c.role, c.service, c.cases, c.until)):
        return Invalid(_sentence(problem), field="role")
    return None


def grant_role(ports: Ports, principal: Principal, c: GrantRole, now: datetime) -> Outcome[Account]:
    """Grant a role at a service (or across the organisation); an inspector's names its cases and end.
    A role held already, just so, is answered as it is (replayed): nothing is recorded twice."""
    administering(ports, principal, "grant a role", target=c.user_id[:64] or None)
    account = account_of(ports, principal, c.user_id)
    if account.deactivated_at is not None:
        raise _refused(ports, principal, "grant a role", Invalid(
            f"{name_of(account)}'s account is closed: it takes no role. Add the person again under a new id."),
            account.user_id)
    if principal.named and not principal.operator and principal.user_id == account.user_id:
        # the administrator role reads no case: giving oneself a staff role would be a way round that
        raise refuse(ports, principal, "You cannot give yourself a role. Ask another administrator to grant it, "
                     "so that two people agree to it.", account.user_id)
    if c.service == "" and c.role in ORGANISATION_ONLY:
        c = replace(c, service=None)  # held only across the organisation: there is nothing to choose
    if problem := _grant_problem(ports, c, now):
        raise _refused(ports, principal, "grant a role", problem, account.user_id)
    wanted = Assignment(c.role, c.service, tuple(c.cases), c.until)
    if wanted in account.assignments:
        return Outcome(account, replayed=True)
    try:
        account = ports.accounts.grant(account.user_id, wanted, principal.user_id, now=now, audited=False)
    except AccountError as e:
        raise Invalid(_sentence(str(e))) from None
    audit(ports, principal, "grant", True, target=account.user_id, service=c.service, reason=wanted.describe())
    return Outcome(account)


def revoke_role(ports: Ports, principal: Principal, c: RevokeRole, now: datetime) -> Account:
    """Take a role away: their sessions and tokens lose it from their next request."""
    administering(ports, principal, "revoke a role", target=c.user_id[:64] or None)
    account = account_of(ports, principal, c.user_id)
    if not any((a.role, a.service) == (c.role, c.service) for a in account.assignments):
        where = f" at {c.service}" if c.service else " across the organisation"
        raise _refused(ports, principal, "revoke a role", Invalid(
            f"{name_of(account)} does not hold the role {role_name(c.role)}{where}, so there is nothing to revoke."),
            account.user_id)
    if c.role == ADMINISTRATOR and last_administrator(ports, account):
        raise refuse(ports, principal, f"{name_of(account)} is the only administrator, so their administrator role "
                     "cannot be revoked: nobody could then run Safeguard from the browser. Make someone else an "
                     "administrator first.", account.user_id)
    account = ports.accounts.revoke(account.user_id, c.role, c.service, principal.user_id, audited=False)
    audit(ports, principal, "revoke", True, target=account.user_id, service=c.service,
          reason=Assignment(c.role, c.service).describe())
    return account


# ---- reading ----------------------------------------------------------------------------------------


def users(ports: Ports, principal: Principal, c: ListUsers, now: datetime) -> list[Account]:
    """Every account, in the order added, with the roles it holds."""
    administering(ports, principal, "see the users")
    found = ports.accounts.users()
    audit(ports, principal, "read", True, reason="users")
    return found


def user(ports: Ports, principal: Principal, c: ReadUser, now: datetime) -> Account:
    """One account: its roles, whether it is open, whether alerts reach it."""
    administering(ports, principal, "see a user's account", target=c.user_id[:64] or None)
    account = account_of(ports, principal, c.user_id)
    audit(ports, principal, "read", True, target=account.user_id, reason="account")
    return account
