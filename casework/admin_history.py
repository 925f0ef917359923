"""The administration history (issue 22): every administrative fact in the store, who did what to
whom and when, newest first. Read from the facts themselves (the notification log), so nothing can
be done that it does not show: accounts added and closed, roles granted and revoked, passwords set
and links to set one sent, where someone's alerts go set by another, API tokens issued and revoked,
people put on call, services recorded and their details changed. Never a password, a token's
secret or an alert address: what changed, not what it was changed to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable
from uuid import UUID

from casework.access import audit
from casework.administration import administering
from casework.ports import Ports
from domain.access import INSPECTOR, Principal, role_name
from domain.facts import Fact
from domain.identity import (ContactDetailsSet, PasswordResetIssued, PasswordResetUsed, PasswordSet, RoleGranted,
                             RoleRevoked, TokenIssued, TokenRevoked, UserAdded, UserDeactivated)
from domain.oncall import OnCallSet
from domain.services import WORDS as SERVICE_WORDS, ServiceDetailsChanged, ServiceRecorded
from eventstore.accounts import token_stream, user_stream

MOST = 500  # the newest entries shown


@dataclass(frozen=True)
class ReadHistory:
    user_id: str | None = None  # only what was done to, or by, this user
    most: int = MOST


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    by: str  # who did it: a staff id, or the command line's operator ("cli:<login>")
    what: str  # in words, e.g. "Granted the role team leader at SVC-ELM"
    whom: str | None = None  # the user it was done to
    service: str | None = None
    until: datetime | None = None  # an inspector's access ends then
    start: datetime | None = None  # on call from ... to ...
    end: datetime | None = None


def _where(service: str | None) -> str:
    return f"at {service}" if service else "across the organisation"


def _role(f: RoleGranted | RoleRevoked) -> str:
    if f.role == INSPECTOR and f.cases:
        return f"inspector of case{'s' if len(f.cases) > 1 else ''} {', '.join(f.cases)}"
    return f"{role_name(f.role)} {_where(f.service)}"


def _granted(f: Any, whom: str | None) -> HistoryEntry:
    return HistoryEntry(f.at, f.by, f"Granted the role {_role(f)}" + (", until" if f.until else ""), whom, f.service,
                        until=f.until)


def _password(f: Any, whom: str | None) -> HistoryEntry:
    return HistoryEntry(f.at, f.by, "Changed their own password" if f.by == whom else "Set the password", whom)


def _service_changed(f: Any, whom: str | None) -> HistoryEntry:
    changed = [SERVICE_WORDS.get(name, name.replace("_", " ")) for name in f.changed]
    return HistoryEntry(f.at, f.by, f"Changed the details of the service {f.service_id}"
                        + (f": {', '.join(changed)}" if changed else ""), None, f.service_id)


SERVICE_SOURCES = {"settings": " from the settings", "concern": " from its concerns", "administrator": ""}


def _contact(f: Any, whom: str | None, name: str | None = None, first: bool = False) -> HistoryEntry | None:
    """Where someone's alerts go, set by another (an administrator, the command line): never the
    address. A person keeping their own alert details is not administration, so not shown."""
    if f.by == whom:
        return None
    whose = f"{name or whom}'s" if whom else "their"
    return HistoryEntry(f.at, f.by, f"{'Set' if first else 'Changed'} where {whose} alerts go", whom)


# each administrative fact in words: (the fact, the user it was done to) -> an entry (None: not shown)
WORDS: dict[type[Fact], Callable[[Any, str | None], HistoryEntry | None]] = {
    UserAdded: lambda f, whom: HistoryEntry(f.at, f.by, "Added the account" if f.kind == "person"
                                            else "Added the account of a service (an integration)", f.user_id),
    UserDeactivated: lambda f, whom: HistoryEntry(f.at, f.by, "Closed the account" + (f": {f.reason}" if f.reason else ""),
                                                  whom),
    RoleGranted: _granted,
    RoleRevoked: lambda f, whom: HistoryEntry(f.at, f.by, f"Revoked the role {role_name(f.role)} {_where(f.service)}",
                                              whom, f.service),
    PasswordSet: _password,
    PasswordResetIssued: lambda f, whom: HistoryEntry(f.at, f.by, "Sent a link to set their password", whom),
    PasswordResetUsed: lambda f, whom: None,  # read with the PasswordSet recorded with it: set with a link
    ContactDetailsSet: _contact,
    TokenIssued: lambda f, whom: HistoryEntry(f.at, f.by, f"Issued the API token \u201c{f.name}\u201d", f.user_id),
    TokenRevoked: lambda f, whom: HistoryEntry(f.at, f.by, "Revoked an API token", whom),  # named in history()
    OnCallSet: lambda f, whom: HistoryEntry(f.at, f.by, f"Put on call as {role_name(f.role)} at {f.service}", f.user_id,
                                            f.service, start=f.start, end=f.end),
    ServiceRecorded: lambda f, whom: HistoryEntry(
        f.at, f.by, f"Recorded the service {f.service_id} ({f.name}){SERVICE_SOURCES.get(f.source, '')}", None,
        f.service_id),
    ServiceDetailsChanged: _service_changed,
}


def history(ports: Ports, principal: Principal, c: ReadHistory, now: datetime) -> list[HistoryEntry]:
    """Every administrative fact, newest first (at most `most`), or those about one user."""
    administering(ports, principal, "see the administration history", target=c.user_id)
    users: dict[UUID, str] = {}  # a user's stream -> their id
    tokens: dict[UUID, str] = {}  # a token's stream -> its user's id
    token_names: dict[UUID, str] = {}  # a token's stream -> its name, as issued
    entries: list[HistoryEntry] = []
    names: dict[str, str] = {}  # a user's id -> their name
    contacted: set[str | None] = set()  # whose alerts were set before
    linked: dict[UUID, datetime] = {}  # a user's stream -> when a link to set their password was used
    for r in ports.accounts.logged(*WORDS):
        f = r.fact
        if isinstance(f, UserAdded):
            users[user_stream(f.user_id)] = f.user_id
            names[f.user_id] = f.display_name
        elif isinstance(f, TokenIssued):
            tokens[token_stream(f.token_id)] = f.user_id
            token_names[token_stream(f.token_id)] = f.name
        whom = users.get(r.originator_id) or tokens.get(r.originator_id)
        if isinstance(f, PasswordResetUsed):
            linked[r.originator_id] = f.at
        if isinstance(f, PasswordSet) and linked.pop(r.originator_id, None) == f.at:  # recorded with the link's use
            entry: HistoryEntry | None = HistoryEntry(f.at, f.by, "Set their password with a link sent to them", whom)
        elif isinstance(f, TokenRevoked) and r.originator_id in token_names:  # named as "Issued the API token ..."
            entry = HistoryEntry(f.at, f.by, f"Revoked the API token \u201c{token_names[r.originator_id]}\u201d", whom)
        elif isinstance(f, ContactDetailsSet):  # by their name; the first time set, later changed
            entry = _contact(f, whom, names.get(whom or ""), first=whom not in contacted)
            contacted.add(whom)
        else:
            entry = WORDS[type(f)](f, whom)
        if entry is not None and c.user_id in (None, entry.whom, entry.by):
            entries.append(entry)
    audit(ports, principal, "read", True, target=c.user_id, reason="administration history")
    return entries[::-1][: max(1, min(c.most, MOST))]
